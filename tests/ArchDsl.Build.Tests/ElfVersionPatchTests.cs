using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace ArchDsl.Build.Tests;

/// <summary>The patcher on copies of the real libLibTorchSharp.so and on files it must not touch.</summary>
public sealed class ElfVersionPatchTests : IDisposable
{
    private const string Version = ElfVersionPatch.LibStdCxxVersion;
    private readonly string _folder = TestFiles.NewScratchFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string CopyOfPristine(string name = TestFiles.LibraryName)
    {
        string path = Path.Combine(_folder, name);
        File.Copy(TestFiles.PristineLibrary(), path);
        return path;
    }

    private static int[] DifferingIndices(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return Enumerable.Range(0, a.Length).Where(i => a[i] != b[i]).ToArray();
    }

    [Fact]
    public void PristineLibraryRequiresTheVersionNonWeak()
    {
        string path = CopyOfPristine();
        long offset = Assert.Single(ElfVersionPatch.FindVersionFlagsOffsets(path, Version));
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(0, bytes[offset] & 0x2);
    }

    [Fact]
    public void PatchSetsOnlyTheWeakFlagAndIsIdempotent()
    {
        string path = CopyOfPristine();
        byte[] original = File.ReadAllBytes(path);
        long offset = Assert.Single(ElfVersionPatch.FindVersionFlagsOffsets(path, Version));

        Assert.Equal(PatchResult.Patched, ElfVersionPatch.MakeVersionWeak(path, Version));
        byte[] patched = File.ReadAllBytes(path);
        int[] changed = DifferingIndices(original, patched);
        Assert.NotEmpty(changed);
        Assert.All(changed, i => Assert.InRange(i, offset, offset + 1));
        ushort before = BitConverter.ToUInt16(original, (int)offset);
        ushort after = BitConverter.ToUInt16(patched, (int)offset);
        Assert.Equal(before | 0x2, after);

        Assert.Equal(PatchResult.AlreadyWeak, ElfVersionPatch.MakeVersionWeak(path, Version));
        Assert.Equal(patched, File.ReadAllBytes(path));
    }

    [Fact]
    public void PatchKeepsTimestampAndPermissions()
    {
        string path = CopyOfPristine();
        var stamp = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);
        UnixFileMode mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(path);

        Assert.Equal(PatchResult.Patched, ElfVersionPatch.MakeVersionWeak(path, Version));

        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(mode, File.GetUnixFileMode(path));
        Assert.Equal(new[] { TestFiles.LibraryName }, Directory.GetFiles(_folder).Select(Path.GetFileName)); // no temp files left
    }

    [Fact]
    public void PatchNeverWritesThroughAHardLinkOrSymlink()
    {
        string cache = CopyOfPristine("cache.so");
        byte[] original = File.ReadAllBytes(cache);

        string symlink = Path.Combine(_folder, "symlinked.so");
        File.CreateSymbolicLink(symlink, cache);
        Assert.Equal(PatchResult.Patched, ElfVersionPatch.MakeVersionWeak(symlink, Version));
        Assert.Null(new FileInfo(symlink).LinkTarget); // replaced by a regular file
        Assert.Equal(original, File.ReadAllBytes(cache));
        Assert.Equal(PatchResult.AlreadyWeak, ElfVersionPatch.MakeVersionWeak(symlink, Version));

        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            string hardlink = Path.Combine(_folder, "hardlinked.so");
            Assert.Equal(0, link(cache, hardlink));
            Assert.Equal(PatchResult.Patched, ElfVersionPatch.MakeVersionWeak(hardlink, Version));
            Assert.Equal(original, File.ReadAllBytes(cache));
            Assert.Equal(PatchResult.AlreadyWeak, ElfVersionPatch.MakeVersionWeak(hardlink, Version));
            Assert.Equal(PatchResult.Patched, ElfVersionPatch.MakeVersionWeak(cache, Version)); // the "cache" itself never changed
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string created);

    [Fact]
    public void VersionTheLibraryDoesNotNeedIsLeftAlone()
    {
        string path = CopyOfPristine();
        byte[] original = File.ReadAllBytes(path);
        Assert.Equal(PatchResult.NotNeeded, ElfVersionPatch.MakeVersionWeak(path, "GLIBCXX_9.9.99"));
        Assert.Equal(PatchResult.NotNeeded, ElfVersionPatch.MakeVersionWeak(path, "GLIBCXX_3.4.3")); // prefix of 3.4.32/3.4.30
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [Fact]
    public void NonElfFileIsLeftAlone()
    {
        string path = Path.Combine(_folder, "text.so");
        File.WriteAllText(path, "not an ELF file at all\n");
        byte[] original = File.ReadAllBytes(path);
        Assert.Equal(PatchResult.NotElf, ElfVersionPatch.MakeVersionWeak(path, Version));
        Assert.Equal(original, File.ReadAllBytes(path));

        string empty = Path.Combine(_folder, "empty.so");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        Assert.Equal(PatchResult.NotElf, ElfVersionPatch.MakeVersionWeak(empty, Version));
        Assert.Empty(File.ReadAllBytes(empty));
    }

    public static TheoryData<string> DamagedElfKinds => new()
    {
        "truncated-header", "truncated-before-sections", "elf32", "big-endian", "garbage", "broken-verneed-chain",
    };

    [Theory]
    [MemberData(nameof(DamagedElfKinds))]
    public void DamagedOrForeignElfIsLeftAlone(string kind)
    {
        byte[] real = File.ReadAllBytes(TestFiles.PristineLibrary());
        byte[] bytes = kind switch
        {
            "truncated-header" => real[..40],
            "truncated-before-sections" => real[..(real.Length / 2)],
            "elf32" => WithByte(real, 4, 1),
            "big-endian" => WithByte(real, 5, 2),
            "garbage" => Garbage(real),
            "broken-verneed-chain" => BrokenVerneedChain(real),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        string path = Path.Combine(_folder, kind + ".so");
        File.WriteAllBytes(path, bytes);

        Assert.Equal(PatchResult.Unrecognized, ElfVersionPatch.MakeVersionWeak(path, Version));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Empty(ElfVersionPatch.FindVersionFlagsOffsets(path, Version));
    }

    private static byte[] WithByte(byte[] source, int index, byte value)
    {
        byte[] copy = (byte[])source.Clone();
        copy[index] = value;
        return copy;
    }

    // A valid ELF64 LE identification followed by random bytes; the header fields point outside the file.
    private static byte[] Garbage(byte[] real)
    {
        byte[] bytes = new byte[4096];
        new Random(1234).NextBytes(bytes);
        Array.Copy(real, bytes, 16);
        BitConverter.GetBytes(ulong.MaxValue / 2).CopyTo(bytes, 0x28); // e_shoff far beyond the end
        return bytes;
    }

    // The first Verneed's vn_next points past the end of the section.
    private static byte[] BrokenVerneedChain(byte[] real)
    {
        byte[] copy = (byte[])real.Clone();
        long shoff = BitConverter.ToInt64(copy, 0x28);
        int shnum = BitConverter.ToUInt16(copy, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int header = (int)shoff + i * 64;
            if (BitConverter.ToUInt32(copy, header + 4) != 0x6ffffffe) continue;
            long section = BitConverter.ToInt64(copy, header + 0x18);
            BitConverter.GetBytes(0x7fff0000u).CopyTo(copy, (int)section + 12);
            return copy;
        }
        throw new InvalidOperationException("No verneed section in the real library");
    }
}
