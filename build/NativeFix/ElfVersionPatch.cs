// Marks one symbol-version requirement of an ELF shared library as weak.
//
// Why: TorchSharp's libLibTorchSharp.so is linked with GCC 13 and so requires GLIBCXX_3.4.32,
// but only for `std::ios_base_library_init()`, a marker symbol nothing calls. Hosts with an older
// libstdc++ (Debian 12, Ubuntu 22.04: GCC 12) refuse to load the library, and TorchSharp reports
// it as a misleading "doesn't contain a reference to libtorch-cpu-..." error. Setting VER_FLG_WEAK
// on that one Vernaux entry makes the dynamic loader accept a libstdc++ without the version.
//
// The file is used twice: the MSBuild inline task (RoslynCodeTaskFactory, see
// ArchDsl.NativeFix.targets) compiles all of it; test projects compile it with
// ARCHDSL_ELFPATCH_NO_TASK defined, which leaves out the only part that needs MSBuild assemblies.
// Keep it netstandard2.0-compatible C# without further dependencies.
#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace ArchDsl.Build
{
    /// <summary>Outcome of <see cref="ElfVersionPatch.MakeVersionWeak"/>.</summary>
    public enum PatchResult
    {
        /// <summary>Not an ELF file at all; left alone.</summary>
        NotElf,
        /// <summary>ELF magic, but not ELF64 little-endian or structurally inconsistent; left alone.</summary>
        Unrecognized,
        /// <summary>Valid ELF64 whose verneed section has no entry with that version name; left alone.</summary>
        NotNeeded,
        /// <summary>Every matching entry is already weak; left alone.</summary>
        AlreadyWeak,
        /// <summary>The flags of the matching entry were rewritten (file replaced by a fresh copy).</summary>
        Patched,
    }

    /// <summary>Reads and rewrites the version-needs section (.gnu.version_r) of ELF64 little-endian files.</summary>
    public static class ElfVersionPatch
    {
        /// <summary>The version only GCC 13+ libstdc++ defines; TorchSharp 0.107 needs it for one unused symbol.</summary>
        public const string LibStdCxxVersion = "GLIBCXX_3.4.32";

        private const uint ShtStrtab = 3;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;
        // Sanity cap for section sizes we read into memory; real verneed/dynstr sections are kilobytes.
        private const long MaxSectionBytes = 64L * 1024 * 1024;

        /// <summary>
        /// Sets VER_FLG_WEAK on every Vernaux entry named <paramref name="versionName"/> in <paramref name="path"/>.
        /// Anything unexpected leaves the file untouched. The file is never written in place: the patch goes
        /// to a copy that then replaces the path, so a hard link or symlink into the NuGet cache is detached
        /// rather than written through. Permissions and the last-write time are kept, so MSBuild's
        /// "skip unchanged files" copy sees the patched file as up to date and does not copy the original back.
        /// </summary>
        public static PatchResult MakeVersionWeak(string path, string versionName)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (string.IsNullOrEmpty(versionName)) throw new ArgumentException("Version name is required.", nameof(versionName));

            List<Entry> entries;
            PatchResult scan = Scan(path, versionName, out entries);
            if (scan != PatchResult.Patched) return scan;

            string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            string temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                DateTime lastWrite = File.GetLastWriteTimeUtc(path);
                File.Copy(path, temp, false); // follows links: a fresh inode with the same bytes and mode
                using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    var buffer = new byte[2];
                    foreach (Entry entry in entries)
                    {
                        if (entry.Flags == (entry.Flags | VerFlgWeak)) continue;
                        // Re-check the bytes in the copy: if the source changed between scan and copy, give up.
                        stream.Position = entry.FlagsOffset;
                        if (stream.Read(buffer, 0, 2) != 2 || ReadU16(buffer, 0) != entry.Flags)
                            throw new IOException("File changed while patching: " + path);
                        WriteU16(buffer, 0, (ushort)(entry.Flags | VerFlgWeak));
                        stream.Position = entry.FlagsOffset;
                        stream.Write(buffer, 0, 2);
                    }
                }
                File.SetLastWriteTimeUtc(temp, lastWrite);
                // rename(2) on Unix: replaces the directory entry (link or not), never the old inode's content.
                File.Replace(temp, path, null);
                return PatchResult.Patched;
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }

        /// <summary>
        /// File offsets of the vna_flags fields of the Vernaux entries named <paramref name="versionName"/>;
        /// empty when the file is not a recognised ELF64 little-endian file or has no such entry.
        /// </summary>
        public static IReadOnlyList<long> FindVersionFlagsOffsets(string path, string versionName)
        {
            List<Entry> entries;
            PatchResult scan = Scan(path, versionName, out entries);
            var offsets = new List<long>();
            if (scan == PatchResult.Patched || scan == PatchResult.AlreadyWeak)
                foreach (Entry entry in entries) offsets.Add(entry.FlagsOffset);
            return offsets;
        }

        /// <summary>
        /// True when every libstdc++.so.6 the dynamic loader may pick on this host defines
        /// <paramref name="versionName"/>. False when any lacks it, when none is found, and off Linux,
        /// so callers patch in every doubtful case (a weak requirement is harmless where the version exists).
        /// LD_LIBRARY_PATH is ignored on purpose: it is rarely the same at build time and at run time.
        /// </summary>
        public static bool HostHasVersion(string versionName)
        {
            IReadOnlyList<string> libraries = FindLibStdCxx();
            if (libraries.Count == 0) return false;
            byte[] needle = Encoding.ASCII.GetBytes("\0" + versionName + "\0"); // whole name: 3.4.3 must not match 3.4.32
            foreach (string library in libraries)
                if (!FileContains(library, needle)) return false;
            return true;
        }

        /// <summary>
        /// The host's libstdc++.so.6 files for this process's architecture: the paths listed in
        /// /etc/ld.so.cache, or the usual library folders when the cache lists none. Empty off Linux.
        /// </summary>
        public static IReadOnlyList<string> FindLibStdCxx()
        {
            var found = new List<string>();
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return found;

            const string fileName = "libstdc++.so.6";
            var candidates = new List<string>(PathsFromLdSoCache("/etc/ld.so.cache", "/" + fileName));
            if (candidates.Count == 0)
            {
                string[] folders =
                {
                    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                    "/usr/lib64", "/lib64", "/usr/lib", "/lib",
                };
                foreach (string folder in folders) candidates.Add(folder + "/" + fileName);
            }

            int machine = ElfMachineOfProcess();
            foreach (string candidate in candidates)
            {
                if (found.Contains(candidate) || !File.Exists(candidate)) continue;
                // ld.so.cache lists other architectures too (i386 next to x86_64); keep this process's.
                int candidateMachine = ReadElf64Machine(candidate);
                if (candidateMachine < 0 || (machine >= 0 && candidateMachine != machine)) continue;
                found.Add(candidate);
            }
            return found;
        }

        private struct Entry
        {
            public long FlagsOffset;
            public ushort Flags;
        }

        // Returns Patched when at least one matching entry still lacks the weak flag (i.e. "would patch").
        private static PatchResult Scan(string path, string versionName, out List<Entry> entries)
        {
            entries = new List<Entry>();
            byte[] name = Encoding.ASCII.GetBytes(versionName);
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                long length = stream.Length;
                byte[] header = new byte[64];
                int headerBytes = ReadAt(stream, 0, header, header.Length);
                if (headerBytes < 4 || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
                    return PatchResult.NotElf;
                // ELFCLASS64, ELFDATA2LSB, EV_CURRENT, and a complete header.
                if (headerBytes < 64 || header[4] != 2 || header[5] != 1 || header[6] != 1)
                    return PatchResult.Unrecognized;

                ulong shoff = ReadU64(header, 0x28);
                ushort shentsize = ReadU16(header, 0x3A);
                ushort shnum = ReadU16(header, 0x3C);
                if (shnum == 0 || shentsize != 64 || shoff == 0 || shoff > (ulong)length
                    || (ulong)length - shoff < (ulong)shnum * shentsize)
                    return PatchResult.Unrecognized;

                byte[] sections = new byte[shnum * shentsize];
                if (ReadAt(stream, (long)shoff, sections, sections.Length) != sections.Length) return PatchResult.Unrecognized;

                int verneed = -1;
                for (int i = 0; i < shnum; i++)
                {
                    if (ReadU32(sections, i * shentsize + 4) != ShtGnuVerneed) continue;
                    if (verneed >= 0) return PatchResult.Unrecognized; // two version-needs sections: not a layout we know
                    verneed = i;
                }
                if (verneed < 0) return PatchResult.NotNeeded;

                int vh = verneed * shentsize;
                ulong needOffset = ReadU64(sections, vh + 0x18);
                ulong needSize = ReadU64(sections, vh + 0x20);
                uint link = ReadU32(sections, vh + 0x28);
                uint count = ReadU32(sections, vh + 0x2C);
                if (link >= shnum || ReadU32(sections, (int)link * shentsize + 4) != ShtStrtab) return PatchResult.Unrecognized;
                int sh = (int)link * shentsize;
                ulong strOffset = ReadU64(sections, sh + 0x18);
                ulong strSize = ReadU64(sections, sh + 0x20);

                byte[]? need = ReadSection(stream, length, needOffset, needSize);
                byte[]? strings = ReadSection(stream, length, strOffset, strSize);
                if (need == null || strings == null || count > need.Length / 16) return PatchResult.Unrecognized;

                // Walk Elf64_Verneed (16 bytes: version, cnt, file, aux, next) and its Elf64_Vernaux
                // (16 bytes: hash, flags, other, name, next) chains, checking every bound.
                long position = 0;
                for (uint i = 0; i < count; i++)
                {
                    if (position < 0 || position > need.Length - 16) return PatchResult.Unrecognized;
                    int p = (int)position;
                    if (ReadU16(need, p) != 1) return PatchResult.Unrecognized;
                    ushort auxCount = ReadU16(need, p + 2);
                    uint nextNeed = ReadU32(need, p + 12);
                    long aux = position + ReadU32(need, p + 8);
                    for (int j = 0; j < auxCount; j++)
                    {
                        if (aux > need.Length - 16) return PatchResult.Unrecognized;
                        int a = (int)aux;
                        uint nameOffset = ReadU32(need, a + 8);
                        uint nextAux = ReadU32(need, a + 12);
                        if (nameOffset >= strings.Length) return PatchResult.Unrecognized;
                        if (NameEquals(strings, (int)nameOffset, name))
                            entries.Add(new Entry { FlagsOffset = (long)needOffset + a + 4, Flags = ReadU16(need, a + 4) });
                        if (nextAux == 0 && j + 1 < auxCount) return PatchResult.Unrecognized;
                        aux += nextAux;
                    }
                    if (nextNeed == 0 && i + 1 < count) return PatchResult.Unrecognized;
                    position += nextNeed;
                }
            }

            if (entries.Count == 0) return PatchResult.NotNeeded;
            foreach (Entry entry in entries)
                if ((entry.Flags & VerFlgWeak) == 0) return PatchResult.Patched;
            return PatchResult.AlreadyWeak;
        }

        private static byte[]? ReadSection(FileStream stream, long length, ulong offset, ulong size)
        {
            if (size == 0 || size > MaxSectionBytes || offset > (ulong)length || (ulong)length - offset < size) return null;
            byte[] data = new byte[(int)size];
            return ReadAt(stream, (long)offset, data, data.Length) == data.Length ? data : null;
        }

        private static bool NameEquals(byte[] strings, int start, byte[] name)
        {
            if (strings.Length - start < name.Length + 1) return false;
            for (int k = 0; k < name.Length; k++)
                if (strings[start + k] != name[k]) return false;
            return strings[start + name.Length] == 0;
        }

        private static IEnumerable<string> PathsFromLdSoCache(string cachePath, string suffix)
        {
            // Both cache formats store the library paths as NUL-terminated strings; collect those ending in suffix.
            byte[] cache;
            try { cache = File.ReadAllBytes(cachePath); }
            catch (IOException) { yield break; }
            catch (UnauthorizedAccessException) { yield break; }

            byte[] tail = Encoding.ASCII.GetBytes(suffix + "\0");
            for (int end = IndexOf(cache, tail, 0); end >= 0; end = IndexOf(cache, tail, end + tail.Length))
            {
                int start = end;
                while (start > 0 && cache[start - 1] != 0 && end - start < 4096) start--;
                if (cache[start] == (byte)'/')
                    yield return Encoding.ASCII.GetString(cache, start, end - start + suffix.Length);
            }
        }

        private static int ElfMachineOfProcess()
        {
            switch (RuntimeInformation.ProcessArchitecture)
            {
                case Architecture.X64: return 62;   // EM_X86_64
                case Architecture.Arm64: return 183; // EM_AARCH64
                default: return -1;                 // unknown: accept any ELF64 candidate
            }
        }

        // e_machine of an ELF64 little-endian file, or -1.
        private static int ReadElf64Machine(string path)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
                {
                    byte[] header = new byte[20];
                    if (ReadAt(stream, 0, header, header.Length) != header.Length) return -1;
                    if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F'
                        || header[4] != 2 || header[5] != 1)
                        return -1;
                    return ReadU16(header, 18);
                }
            }
            catch (IOException) { return -1; }
            catch (UnauthorizedAccessException) { return -1; }
        }

        private static bool FileContains(string path, byte[] needle)
        {
            try { return IndexOf(File.ReadAllBytes(path), needle, 0) >= 0; }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        }

        private static int IndexOf(byte[] haystack, byte[] needle, int from)
        {
            int last = haystack.Length - needle.Length;
            for (int i = from; i <= last; i++)
            {
                i = Array.IndexOf(haystack, needle[0], i, last - i + 1);
                if (i < 0) return -1;
                int k = 1;
                while (k < needle.Length && haystack[i + k] == needle[k]) k++;
                if (k == needle.Length) return i;
            }
            return -1;
        }

        private static int ReadAt(FileStream stream, long offset, byte[] buffer, int count)
        {
            stream.Position = offset;
            int total = 0;
            while (total < count)
            {
                int read = stream.Read(buffer, total, count - total);
                if (read <= 0) break;
                total += read;
            }
            return total;
        }

        private static ushort ReadU16(byte[] b, int i) => (ushort)(b[i] | b[i + 1] << 8);
        private static uint ReadU32(byte[] b, int i) => (uint)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24);
        private static ulong ReadU64(byte[] b, int i) => ReadU32(b, i) | (ulong)ReadU32(b, i + 4) << 32;
        private static void WriteU16(byte[] b, int i, ushort value) { b[i] = (byte)value; b[i + 1] = (byte)(value >> 8); }
    }

#if !ARCHDSL_ELFPATCH_NO_TASK
    /// <summary>
    /// MSBuild task: on Linux hosts whose libstdc++ lacks <see cref="VersionName"/>, marks that version
    /// requirement weak in each of <see cref="Files"/>. Never fails the build: problems become warnings.
    /// </summary>
    public class ArchDslMakeElfVersionWeak : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        public string VersionName { get; set; } = ElfVersionPatch.LibStdCxxVersion;

        public override bool Execute()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || Files.Length == 0) return true;
            if (ElfVersionPatch.HostHasVersion(VersionName))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    "ArchDsl: host libstdc++ provides {0}; native libraries left as they are.", VersionName);
                return true;
            }

            foreach (Microsoft.Build.Framework.ITaskItem item in Files)
            {
                string path = item.GetMetadata("FullPath");
                try
                {
                    PatchResult result = ElfVersionPatch.MakeVersionWeak(path, VersionName);
                    if (result == PatchResult.Patched)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                            "ArchDsl: marked {0} weak in {1} (host libstdc++ lacks it).", VersionName, path);
                    else
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                            "ArchDsl: {0}: {1}.", path, result);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning("ArchDsl: could not mark {0} weak in {1}: {2}", VersionName, path, e.Message);
                }
            }
            return true;
        }
    }
#endif
}
