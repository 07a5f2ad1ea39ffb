using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace ArchDsl.Tools.Tests;

/// <summary>
/// Packs ArchDsl into a temporary folder feed and builds a brand-new consumer that has only PackageReferences
/// (its own NuGet cache folder, so nothing stale is reused; the machine's cache serves as an extra source
/// so libtorch is not downloaded again).
/// </summary>
[Collection(Editor.Consumer.PackCollection)]
public class PackageTests(ITestOutputHelper log)
{
    const string ConsumerModel = """
        using System;
        using ArchDsl;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        namespace Consumer;

        // Tiny but wide: 64 → 10,000 → 10,000. Over 100 M parameters.
        [Model, Input(64)]
        public partial class Wide
        {
            [Linear(10000)] Linear fc1;
            [Linear(10000)] Linear fc2;
        }

        public static class Program
        {
            public static int Main()
            {
                using var model = new Wide();
                model.eval();
                using var _ = no_grad();
                using var y = model.call(zeros(2, 64));
                Console.WriteLine($"params={Wide.ParameterCount} macs={Wide.Macs} shape={string.Join(",", y.shape)} output={string.Join(",", Wide.OutputShape)}");
                return 0;
            }
        }
        """;

    [Fact]
    public void Package_from_a_local_feed_builds_and_runs_a_consumer()
    {
        var clock = Stopwatch.StartNew();
        using var work = Tooling.NewTempDir("archdsl-package");
        string feed = Path.Combine(work, "feed");
        string version = "0.0.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
        string extra = Environment.GetEnvironmentVariable("ARCHDSL_TEST_PACK_ARGS") ?? ""; // e.g. -p:ArchDslPackAnalyzers=false
        var packArgs = new[] { "pack", Path.Combine(Tooling.Root, "src/ArchDsl.Package/ArchDsl.Package.csproj"), "-c", "Release", "-o", feed, "-nologo", $"-p:Version={version}" }
            .Concat(extra.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var pack = Tooling.Run(Tooling.Root, TimeSpan.FromMinutes(3), packArgs);
        Assert.True(pack.ExitCode == 0, pack.All);
        log.WriteLine($"pack: {clock.Elapsed.TotalSeconds:F1} s");

        // Package layout.
        string nupkg = Path.Combine(feed, $"ArchDsl.{version}.nupkg");
        using (var zip = ZipFile.OpenRead(nupkg))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("lib/net8.0/ArchDsl.dll", names);
            Assert.Contains("analyzers/dotnet/cs/ArchDsl.Generators.dll", names);
            Assert.Contains("analyzers/dotnet/cs/ArchDsl.Core.dll", names);
            Assert.Contains("buildTransitive/ArchDsl.props", names);
            Assert.Contains("buildTransitive/ArchDsl.targets", names);
            Assert.Contains("buildTransitive/NativeFix/ElfVersionPatch.cs", names);
            Assert.Contains("README.md", names);
            using var nuspec = new StreamReader(zip.GetEntry("ArchDsl.nuspec")!.Open());
            string spec = nuspec.ReadToEnd();
            Assert.Contains("<dependency id=\"TorchSharp\"", spec);
            Assert.DoesNotContain("TorchSharp-cpu", spec);
            Assert.Contains("<license type=\"expression\">MIT</license>", spec);
            if (AnalyzersPacked(extra))
                Assert.Contains("analyzers/dotnet/cs/ArchDsl.Analyzers.dll", names);
            if (AnalyzersPacked(extra) && File.Exists(Path.Combine(Tooling.Root, "analyzers/ArchDsl.CodeFixes/ArchDsl.CodeFixes.csproj")))
                Assert.Contains("analyzers/dotnet/cs/ArchDsl.CodeFixes.dll", names);
            if (File.Exists(Path.Combine(Tooling.Root, "build/ArchDsl.Analyzers.props")))
                Assert.Contains("buildTransitive/ArchDsl.Analyzers.props", names);
            Assert.Contains("buildTransitive/ArchDsl.Suppressor.targets", names);
        }

        // A consumer with only PackageReferences.
        string consumer = Path.Combine(work, "consumer");
        Editor.Consumer.WriteProject(consumer, feed, version, Path.Combine(work, "packages"), """
              <!-- Which analyzer assemblies reach the compiler, after ArchDsl's targets had their say. -->
              <Target Name="ListAnalyzers" AfterTargets="ArchDslLeaveSuppressorOutOfBuild">
                <WriteLinesToFile File="$(MSBuildProjectDirectory)/analyzers.txt" Lines="@(Analyzer->'%(Filename)')" Overwrite="true" />
              </Target>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), ConsumerModel);

        var build = Tooling.Run(consumer, TimeSpan.FromMinutes(4), new[] { "build", "-nologo", "-v", "m" },
            ("NUGET_PACKAGES", Path.Combine(work, "packages")));
        log.WriteLine($"build: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(build.ExitCode == 0, build.All);
        Assert.Contains("ADSL1001", build.All); // the large-model warning reaches the build output
        // A command-line build compiles with the generator and without the suppressor (build/ArchDsl.Suppressor.targets).
        string listed = Path.Combine(consumer, "analyzers.txt");
        var analyzers = File.ReadAllLines(listed);
        Assert.Contains("ArchDsl.Generators", analyzers);
        Assert.DoesNotContain("ArchDsl.Analyzers", analyzers);

        var run = Tooling.Run(consumer, TimeSpan.FromMinutes(1), new[] { Path.Combine(consumer, "bin", "Debug", "net10.0", "Consumer.dll") });
        log.WriteLine($"run: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(run.ExitCode == 0, run.All);
        // By hand: (64·10,000 + 10,000) + (10,000·10,000 + 10,000) = 650,000 + 100,010,000.
        const long expected = 100_660_000;
        Assert.Contains($"params={expected} macs={64L * 10_000 + 10_000L * 10_000} shape=2,10000 output=10000", run.Stdout);

        if (AnalyzersPacked(extra))
        {
            // An IDE's design-time build keeps the suppressor (it hides IDE hints on layer fields as you type).
            File.Delete(listed);
            var designTime = Tooling.Run(consumer, TimeSpan.FromMinutes(2),
                new[] { "msbuild", "-nologo", "-v:m", "-t:Compile", "-p:DesignTimeBuild=true", "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true" },
                ("NUGET_PACKAGES", Path.Combine(work, "packages")));
            Assert.True(designTime.ExitCode == 0, designTime.All);
            Assert.Contains("ArchDsl.Analyzers", File.ReadAllLines(listed));
        }

        // A model with an error, in a command-line build with nullable on and no suppressor: the ADSL error is
        // reported and no follow-on warning about its layer fields (CS0169, CS0649, CS8618) comes with it.
        File.WriteAllText(Path.Combine(consumer, "Broken.cs"), """
            using ArchDsl;
            using TorchSharp.Modules;

            namespace Consumer;

            [Model]
            public partial class Broken
            {
                [Linear(10)] Linear fc;
                [Linear(10)] Linear head;
                public Linear Head => head;
            }
            """);
        var broken = Tooling.Run(consumer, TimeSpan.FromMinutes(2), new[] { "build", "-nologo", "-v", "m", "-p:Nullable=enable" },
            ("NUGET_PACKAGES", Path.Combine(work, "packages")));
        Assert.True(broken.ExitCode != 0, broken.All);
        Assert.Contains("ADSL0010", broken.All);
        foreach (var id in new[] { "CS0169", "CS0649", "CS8618" })
            Assert.False(broken.All.Contains(id, StringComparison.Ordinal), id + " in:\n" + broken.All);

    }

    static bool AnalyzersPacked(string extraPackArgs) =>
        File.Exists(Path.Combine(Tooling.Root, "analyzers/ArchDsl.Analyzers/ArchDsl.Analyzers.csproj"))
        && !extraPackArgs.Contains("ArchDslPackAnalyzers=false", StringComparison.OrdinalIgnoreCase);
}
