using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;

namespace ArchDsl.Tools.Tests;

/// <summary>Paths of the repository and its built tools, and a process runner.</summary>
internal static class Tooling
{
    static string Meta(string key) =>
        typeof(Tooling).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    public static string Root => Meta("ArchDslRoot");
    public static string Configuration => Meta("Configuration");

    public static string Output(string projectDir, string dll) =>
        Path.Combine(Root, projectDir, "bin", Configuration, "net10.0", dll);

    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    /// <summary>A fresh folder under the temp path, deleted on dispose (kept when ARCHDSL_KEEP_TEMP=1, to look into).</summary>
    public static TempDir NewTempDir(string prefix)
    {
        string dir = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        return new TempDir(dir);
    }

    public sealed class TempDir(string path) : IDisposable
    {
        public string Path { get; } = path;

        public static implicit operator string(TempDir dir) => dir.Path;

        public override string ToString() => Path;

        public void Dispose()
        {
            if (Environment.GetEnvironmentVariable("ARCHDSL_KEEP_TEMP") == "1") return;
            // A process a test started may still hold a file for a moment; a folder left behind is not a failure.
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + "\n" + Stderr;
    }

    public static Result Run(string workingDir, TimeSpan timeout, string[] args, params (string Key, string Value)[] env)
    {
        var psi = new ProcessStartInfo(Dotnet)
        {
            WorkingDirectory = workingDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Keep the child's MSBuild away from the test host's build environment.
        foreach (var k in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            psi.Environment.Remove(k);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in {timeout}");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
