using System;
using System.IO;

namespace ArchDsl.Build.Tests;

/// <summary>The host libstdc++ check, and that the build patched this test's own output only when needed.</summary>
public class HostVersionTests
{
    [Fact]
    public void HostLibStdCxxIsFoundOnLinuxOnly()
    {
        var libraries = ElfVersionPatch.FindLibStdCxx();
        if (!OperatingSystem.IsLinux())
        {
            Assert.Empty(libraries);
            return;
        }
        Assert.NotEmpty(libraries);
        Assert.All(libraries, path => Assert.True(File.Exists(path), path));
    }

    [Fact]
    public void HostHasVersionDistinguishesPresentFromAbsentVersions()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(ElfVersionPatch.HostHasVersion("GLIBCXX_3.4"));
            return;
        }
        // TorchSharp needs GLIBCXX_3.4.30 non-weak, so any host that runs the TorchSharp tests has it.
        Assert.True(ElfVersionPatch.HostHasVersion("GLIBCXX_3.4.30"));
        Assert.True(ElfVersionPatch.HostHasVersion("GLIBCXX_3.4"));
        Assert.False(ElfVersionPatch.HostHasVersion("GLIBCXX_9.9.99"));
        Assert.False(ElfVersionPatch.HostHasVersion("LIBCXX_3.4.30")); // only whole names count
    }

    [Fact]
    public void BuildPatchedOwnOutputExactlyWhenHostLacksTheVersion()
    {
        string[] outputs = TestFiles.OutputLibraries();
        Assert.NotEmpty(outputs);
        // On Linux the patch applies when the host lacks the version; elsewhere the targets do nothing.
        bool expectWeak = OperatingSystem.IsLinux() && !ElfVersionPatch.HostHasVersion(ElfVersionPatch.LibStdCxxVersion);
        long pristineLength = new FileInfo(TestFiles.PristineLibrary()).Length;
        int checkedCount = 0;
        foreach (string output in outputs)
        {
            if (new FileInfo(output).Length != pristineLength) continue; // another RID's library, not the Linux one
            checkedCount++;
            long offset = Assert.Single(ElfVersionPatch.FindVersionFlagsOffsets(output, ElfVersionPatch.LibStdCxxVersion));
            byte[] bytes = File.ReadAllBytes(output);
            Assert.Equal(expectWeak, (bytes[offset] & 0x2) != 0);
        }
        if (OperatingSystem.IsLinux()) Assert.True(checkedCount > 0, "No Linux libLibTorchSharp.so in the output");
    }
}
