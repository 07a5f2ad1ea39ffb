using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace ArchDsl.Build.Tests;

/// <summary>Locates the real libLibTorchSharp.so files and gives each test a scratch folder.</summary>
internal static class TestFiles
{
    public const string LibraryName = "libLibTorchSharp.so";

    private static string Metadata(string key) =>
        typeof(TestFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException("Missing assembly metadata " + key);

    /// <summary>The untouched Linux library in the NuGet cache (the package carries it on every OS).</summary>
    public static string PristineLibrary()
    {
        string path = Path.Combine(Metadata("NuGetPackageRoot"), "torchsharp", Metadata("TorchSharpVersion"),
            "runtimes", "linux-x64", "native", LibraryName);
        Assert.True(File.Exists(path), "Expected TorchSharp's Linux native library at " + path);
        return path;
    }

    /// <summary>Every libLibTorchSharp.so the build copied into this test's output folder.</summary>
    public static string[] OutputLibraries() =>
        Directory.GetFiles(AppContext.BaseDirectory, LibraryName, SearchOption.AllDirectories);

    public static string NewScratchFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "archdsl-elf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}
