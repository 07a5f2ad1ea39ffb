using System;
using System.IO;
using System.Linq;
using System.Threading;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;

namespace ArchDsl.Models.Tests;

/// <summary>
/// The samples exported once per test run with the built tool, <c>archdsl export pytorch ArchDsl.Samples.dll --out
/// DIR</c>, as a user runs it: one Python module per model, archdsl_layers.py and train.py.
/// </summary>
internal static class ExportedSamples
{
    private static readonly Lazy<string> Exported = new(Export, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder the samples were exported to (exported on first use, removed when the process exits).</summary>
    public static string Folder => Exported.Value;

    private static string Export()
    {
        string root = TorchvisionFixtures.FindRepositoryRoot(AppContext.BaseDirectory);
        // The test assembly lies in bin/<Configuration>/net10.0/; the tool was built in the same configuration.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string tool = Path.Combine(root, "src", "ArchDsl.Cli", "bin", configuration, "net10.0", "archdsl.dll");
        if (!File.Exists(tool)) throw new InvalidOperationException($"{tool} is not built: build tests/ArchDsl.Models.Tests, which builds it first");
        string folder = Directory.CreateTempSubdirectory("archdsl-export-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
        };
        var (code, stdout, stderr) = PythonTwinRuns.Execute(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet", new[] { tool, "export", "pytorch", typeof(ResNet18).Assembly.Location, "--out", folder });
        CheckExit(code, stdout, stderr);
        return folder;
    }

    /// <summary>Every model is written: a non-zero exit is a failure.</summary>
    internal static void CheckExit(int code, string stdout, string stderr)
    {
        if (code != 0)
            throw new InvalidOperationException($"archdsl export pytorch exited with {code}:\n{stdout}\n{stderr}");
    }
}
