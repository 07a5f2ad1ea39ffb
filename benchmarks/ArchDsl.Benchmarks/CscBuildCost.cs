using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ArchDsl.Benchmarks;

/// <summary>
/// The 200-model build cost under the SDK's own compiler (<c>csc</c> as a separate process, as a build runs it),
/// so analyzers run the way csc runs them (inside the one compilation, not as a second in-process pass).
/// Variants: (a) the generated code checked in as ordinary files, no analyzers; (a') the same plus a generator that
/// only finds the declarations (the floor any generator of this shape pays); (b) the declarations with the
/// generator, which also judges (a command-line build); (b') the generator and an analyzer whose one action does
/// nothing (the floor for any analyzer); (c) the generator and the suppressor (an IDE build). With
/// <c>--sdk-analyzers</c>, every variant also gets the analyzers and generators `dotnet build` adds by default, and
/// the floors are left out. Rounds are rotated as in <see cref="Paired.Compare"/>.
/// Without <c>--shared</c> each call is a fresh csc process (wall time and its CPU time); with it, calls go to a
/// compiler server of our own (<c>/shared:&lt;pipe&gt;</c>, as <c>dotnet build</c> uses VBCSCompiler): wall time,
/// and the server's CPU time read from /proc.
/// </summary>
public static class CscBuildCost
{
    private sealed record Variant(string Name, string ResponseFile);
    private readonly record struct CscRun(int ExitCode, string Output, double WallMs, double CpuMs);

    public static int Run(string[] args)
    {
        int rounds = 8;
        bool shared = false, sdkAnalyzers = false;
        foreach (var a in args)
        {
            if (a == "--shared") shared = true;
            else if (a == "--sdk-analyzers") sdkAnalyzers = true;
            else rounds = int.Parse(a, CultureInfo.InvariantCulture);
        }

        var dotnet = FindDotnet();
        var sdk = Exec(dotnet, "--version", RepoRoot()).Output.Trim();
        var compilerDir = Path.Combine(Path.GetDirectoryName(dotnet)!, "sdk", sdk, "Roslyn", "bincore");
        var csc = Path.Combine(compilerDir, "csc.dll");
        if (!File.Exists(csc)) { Console.WriteLine($"csc not found: {csc}"); return 1; }
        Console.WriteLine($"dotnet: {dotnet}; SDK {sdk}");
        Console.WriteLine($"csc: {csc}; version {Exec(dotnet, Quote(csc) + " -version", null).Output.Trim()}");

        // One folder per run: two runs at once must not delete each other's workload.
        var dir = Path.Combine(Path.GetTempPath(), "archdsl-csc-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var work = new GeneratorWorkload(200);
        var sdkSet = sdkAnalyzers ? SdkAnalyzers(Path.GetDirectoryName(dotnet)!, sdk) : null;
        if (sdkSet != null)
            Console.WriteLine($"every variant also gets what `dotnet build` adds to a net10.0 project by default: {string.Join(", ", sdkSet.Select(Path.GetFileName))}");
        var variants = WriteWorkload(work, dir, sdkSet);

        // A pipe of our own: a server started by someone's `dotnet build` (same SDK, same default pipe) is neither
        // timed nor shut down by us.
        string? pipe = shared ? "archdsl-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) : null;
        try
        {
            // One checked run of each (also the warm-up): exit code, warnings, output size.
            foreach (var v in variants)
            {
                var run = Csc(dotnet, csc, v, pipe, "");
                if (run.ExitCode != 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{v.Name}: csc exited with {run.ExitCode}"));
                    Console.WriteLine(run.Output);
                    return 1;
                }
                var dll = Path.Combine(dir, "out", Path.GetFileNameWithoutExtension(v.ResponseFile) + ".dll");
                var warnings = DiagnosticLine.Matches(run.Output).Select(m => m.Groups[1].Value).ToList();
                var byId = string.Join(", ", warnings.GroupBy(w => w, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => $"{g.Key} x{g.Count()}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {v.Name,-40} warm-up {run.WallMs,8:F0} ms; {Describe(dll)}; " +
                                  $"{warnings.Count} diagnostics{(warnings.Count > 0 ? " (" + byId + ")" : "")}"));
            }
            if (shared && ServerPid(pipe!) == null) Console.WriteLine("  (no compiler server process found: server CPU time not measured)");

            // A server keeps re-jitting the compiler (tiered compilation) over its first builds: two more untimed rounds.
            int untimed = shared ? 2 : 0;
            if (int.TryParse(Environment.GetEnvironmentVariable("ARCHDSL_CSC_UNTIMED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var u)) untimed = u;
            var samples = variants.Select(_ => new List<CscRun>()).ToArray();
            for (int r = 0; r < rounds + untimed; r++)
                for (int k = 0; k < variants.Count; k++)
                {
                    int i = (k + r) % variants.Count;
                    // For builds without analyzers, /reportanalyzer only prints the times the driver records anyway (the
                    // generators' own time per build). With analyzers it also times every analyzer action, which would
                    // weigh on both sides of the comparison: those builds run without it.
                    var run = Csc(dotnet, csc, variants[i], pipe, sdkSet == null && !HasAnalyzers(variants[i]) ? "/reportanalyzer" : "");
                    if (run.ExitCode != 0) { Console.WriteLine(run.Output); return 1; }
                    if (r >= untimed) samples[i].Add(run);
                }

            var cpuLabel = shared ? "server CPU" : "csc CPU";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"200 models, csc {(shared ? "/shared (compiler server; client CPU time is not the work, server CPU shown)" : "as a fresh process each call")} " +
                $"({rounds} rotated rounds after one warm-up; ratios to '{variants[0].Name}')"));
            double baseWall = Paired.Median(samples[0].Select(s => s.WallMs)), baseCpu = CpuMedian(samples[0]);
            for (int i = 0; i < variants.Count; i++)
            {
                double wall = Paired.Median(samples[i].Select(s => s.WallMs)), cpu = CpuMedian(samples[i]);
                double pairWall = Paired.Median(samples[i].Zip(samples[0], (a, b) => a.WallMs / b.WallMs));
                var line = new StringBuilder().Append(CultureInfo.InvariantCulture,
                    $"  {variants[i].Name,-40} wall median {wall,8:F1} ms (x{wall / baseWall:F3}, pairs x{pairWall:F3})   ");
                if (!double.IsNaN(baseCpu) && !double.IsNaN(cpu))
                {
                    double pairCpu = Paired.Median(samples[i].Zip(samples[0], (a, b) => a.CpuMs / b.CpuMs).Where(r => !double.IsNaN(r)));
                    line.Append(CultureInfo.InvariantCulture, $"{cpuLabel} median {cpu,8:F1} ms (x{cpu / baseCpu:F3}, pairs x{pairCpu:F3})   ");
                }
                line.Append(CultureInfo.InvariantCulture, $"wall min {samples[i].Min(s => s.WallMs):F1} ms");
                var generatorMs = samples[i].Select(s => GeneratorMs(s.Output)).Where(t => !double.IsNaN(t)).ToList();
                if (generatorMs.Count > 0)
                    line.Append(CultureInfo.InvariantCulture, $"   generators (/reportanalyzer) median {Paired.Median(generatorMs):F0} ms, min {generatorMs.Min():F0} ms");
                Console.WriteLine(line);
            }

            // csc's own breakdown per generator and analyzer, for the fullest variant.
            var last = variants[^1];
            var report = Csc(dotnet, csc, last, pipe, "/reportanalyzer");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"/reportanalyzer, {last.Name} (one run, exit {report.ExitCode}):"));
            foreach (var l in report.Output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0 && !DiagnosticLine.IsMatch(l)))
                Console.WriteLine("  " + l);
            return 0;
        }
        finally
        {
            if (pipe != null) ShutDownServer(dotnet, compilerDir, pipe);
        }
    }

    private static double CpuMedian(List<CscRun> runs)
    {
        var readable = runs.Select(r => r.CpuMs).Where(c => !double.IsNaN(c)).ToList();
        return readable.Count == 0 ? double.NaN : Paired.Median(readable);
    }

    /// <summary>Writes user/, generated/ (the generator's output, as files) and one response file per variant.</summary>
    private static List<Variant> WriteWorkload(GeneratorWorkload work, string dir, List<string>? sdkSet)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(Path.Combine(dir, "out"));
        var user = new List<string>();
        foreach (var (path, source) in SyntheticModels.Sources(work.ModelCount))
            user.Add(WriteText(Path.Combine(dir, "user", path), source));
        var generated = new List<string>();
        var trees = GeneratorWorkload.NewDriver(track: false).RunGenerators(work.UserCompilation()).GetRunResult().GeneratedTrees;
        foreach (var tree in trees)
            generated.Add(WriteText(Path.Combine(dir, "generated", Path.GetFileName(tree.FilePath)), tree.GetText().ToString()));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"workload: {user.Count} user files, {generated.Count} generated files " +
                          $"({generated.Sum(f => new FileInfo(f).Length) / 1024} KiB), in {dir}"));

        // The options of GeneratorWorkload.CompilationOptions/ParseOptions, every reference explicit (the runtime's
        // own assemblies, ArchDsl, TorchSharp); /noconfig is on the command line (csc ignores it in a response file).
        var common = new List<string> { "/nologo", "/target:library", "/nullable:enable", "/optimize+", "/deterministic", "/langversion:latest" };
        common.AddRange(work.References.Select(r => "/reference:" + Quote(((Microsoft.CodeAnalysis.PortableExecutableReference)r).FilePath!)));
        if (sdkSet != null)
            common.AddRange(sdkSet.Select(a => (a.EndsWith(".globalconfig", StringComparison.Ordinal) ? "/analyzerconfig:" : "/analyzer:") + Quote(a)));

        var bin = AppContext.BaseDirectory;
        string generatorDll = Path.Combine(bin, "ArchDsl.Generators.dll"), coreDll = Path.Combine(bin, "ArchDsl.Core.dll"),
               analyzersDll = Path.Combine(bin, "ArchDsl.Analyzers.dll");
        // "generator" is what a command-line build of a project using ArchDsl runs (the suppressor is left out of
        // such builds, build/ArchDsl.Suppressor.targets); "generator + suppressor" is an IDE or Visual Studio build.
        var variants = new List<Variant>
        {
            WriteRsp(dir, "checkedin", "generated code checked in (baseline)", common, user.Concat(generated), Array.Empty<string>()),
        };
        if (sdkSet == null)
            variants.Add(WriteRsp(dir, "floor", "checked in + a generator that only finds", common, user.Concat(generated),
                new[] { Compile(dir, "ArchDsl.FindOnlyGenerator", FindOnlyGenerator) }));
        if (sdkSet == null)
            variants.Add(WriteRsp(dir, "replay", "a generator that finds the classes and adds the same code", common, user,
                new[] { Compile(dir, "ArchDsl.ReplayGenerator", ReplayGenerator) }, additionalFiles: generated));
        variants.Add(WriteRsp(dir, "generator", "generator (command-line build)", common, user, new[] { generatorDll, coreDll }));
        // ARCHDSL_CSC_OTHER=<folder with ArchDsl.Generators.dll and ArchDsl.Core.dll>: another build of the generator
        // (built with another -p:Version so the server loads it apart), interleaved with this one: an A/B of two versions.
        if (Environment.GetEnvironmentVariable("ARCHDSL_CSC_OTHER") is { Length: > 0 } other)
            variants.Add(WriteRsp(dir, "other", "generator from " + other, common, user,
                new[] { Path.Combine(other, "ArchDsl.Generators.dll"), Path.Combine(other, "ArchDsl.Core.dll") }));
        if (sdkSet == null)
            variants.Add(WriteRsp(dir, "emptysymbol", "generator + empty symbol-action analyzer", common, user,
                new[] { generatorDll, coreDll, Compile(dir, "ArchDsl.EmptySymbolAnalyzer", EmptyAnalyzer("RegisterSymbolAction(static _ => { }, SymbolKind.NamedType)")) }));
        if (File.Exists(analyzersDll))
            variants.Add(WriteRsp(dir, "suppressor", "generator + suppressor (IDE build)", common, user, new[] { generatorDll, coreDll, analyzersDll }));
        else
            Console.WriteLine($"note: {analyzersDll} not found; 'generator + suppressor' skipped");
        // ARCHDSL_CSC_VARIANTS=checkedin,generator,...: fewer variants, more rounds in the same time (the baseline always runs).
        if (Environment.GetEnvironmentVariable("ARCHDSL_CSC_VARIANTS") is { Length: > 0 } only)
        {
            var keep = new HashSet<string>(only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal) { "checkedin" };
            variants.RemoveAll(v => !keep.Contains(Path.GetFileNameWithoutExtension(v.ResponseFile)));
        }
        return variants;
    }

    /// <summary>
    /// What `dotnet build` passes to csc for a net10.0 project with default settings beyond the project's own
    /// analyzers: the SDK's code-analysis assemblies with its default analysis-level configuration, and the
    /// reference pack's source generators (JSON, regex, interop).
    /// </summary>
    private static List<string>? SdkAnalyzers(string dotnetRoot, string sdk)
    {
        var found = new List<string>();
        var netSdk = Path.Combine(dotnetRoot, "sdk", sdk, "Sdks", "Microsoft.NET.Sdk");
        found.AddRange(new[] { "Microsoft.CodeAnalysis.CSharp.NetAnalyzers.dll", "Microsoft.CodeAnalysis.NetAnalyzers.dll" }
            .Select(f => Path.Combine(netSdk, "analyzers", f)).Where(File.Exists));
        var config = Path.Combine(netSdk, "analyzers", "build", "config", "analysislevel_10_default.globalconfig");
        if (File.Exists(config)) found.Add(config);
        var refPacks = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        var pack = Directory.Exists(refPacks)
            ? Directory.GetDirectories(refPacks).Where(d => Path.GetFileName(d).StartsWith(Environment.Version.Major + ".", StringComparison.Ordinal))
                .OrderBy(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(0, 0)).LastOrDefault()
            : null;
        if (pack != null)
            found.AddRange(Directory.GetFiles(Path.Combine(pack, "analyzers", "dotnet", "cs"), "*.dll").OrderBy(f => f, StringComparer.Ordinal));
        if (found.Count == 0) { Console.WriteLine("note: no SDK analyzers found; --sdk-analyzers ignored"); return null; }
        return found;
    }

    /// <summary>
    /// The floor for any generator built like ours: it finds the same [Model] and [Block] classes with
    /// ForAttributeWithMetadataName, keeps their names and emits nothing.
    /// </summary>
    private const string FindOnlyGenerator = """
        using Microsoft.CodeAnalysis;
        using Microsoft.CodeAnalysis.CSharp.Syntax;

        [Generator(LanguageNames.CSharp)]
        public sealed class FindOnlyGenerator : IIncrementalGenerator
        {
            public void Initialize(IncrementalGeneratorInitializationContext context)
            {
                var models = context.SyntaxProvider.ForAttributeWithMetadataName("ArchDsl.ModelAttribute",
                    static (n, _) => n is ClassDeclarationSyntax, static (c, _) => c.TargetSymbol.Name);
                var blocks = context.SyntaxProvider.ForAttributeWithMetadataName("ArchDsl.BlockAttribute",
                    static (n, _) => n is ClassDeclarationSyntax, static (c, _) => c.TargetSymbol.Name);
                context.RegisterSourceOutput(models.Collect().Combine(blocks.Collect()), static (_, _) => { });
            }
        }
        """;

    /// <summary>
    /// The floor for any generator that delivers this much code: it finds the classes as the find-only one does and adds
    /// the very files ArchDsl generates (passed as additional files), doing no reading, evaluation or writing of its own.
    /// The difference to the baseline is what handing 3 MB of source to the compiler through a generator costs.
    /// </summary>
    private const string ReplayGenerator = """
        using System.Text;
        using Microsoft.CodeAnalysis;
        using Microsoft.CodeAnalysis.CSharp.Syntax;
        using Microsoft.CodeAnalysis.Text;

        [Generator(LanguageNames.CSharp)]
        public sealed class ReplayGenerator : IIncrementalGenerator
        {
            public void Initialize(IncrementalGeneratorInitializationContext context)
            {
                var models = context.SyntaxProvider.ForAttributeWithMetadataName("ArchDsl.ModelAttribute",
                    static (n, _) => n is ClassDeclarationSyntax, static (c, _) => c.TargetSymbol.Name);
                var blocks = context.SyntaxProvider.ForAttributeWithMetadataName("ArchDsl.BlockAttribute",
                    static (n, _) => n is ClassDeclarationSyntax, static (c, _) => c.TargetSymbol.Name);
                var files = context.AdditionalTextsProvider.Select(static (t, ct) =>
                    (System.IO.Path.GetFileName(t.Path), t.GetText(ct)?.ToString() ?? ""));
                context.RegisterSourceOutput(files.Combine(models.Collect().Combine(blocks.Collect())),
                    static (spc, x) => spc.AddSource(x.Left.Item1, SourceText.From(x.Left.Item2, Encoding.UTF8)));
            }
        }
        """;

    /// <summary>
    /// The floor for an analyzer: one action that returns at once (a symbol action on every named type, as the
    /// former judgement analyzer registered, or a syntax action on every class declaration). What remains is the analyzer
    /// driver's own work over the compilation.
    /// </summary>
    private static string EmptyAnalyzer(string registration) => $$"""
        using System.Collections.Immutable;
        using Microsoft.CodeAnalysis;
        using Microsoft.CodeAnalysis.Diagnostics;

        [DiagnosticAnalyzer(LanguageNames.CSharp)]
        public sealed class EmptyAnalyzer : DiagnosticAnalyzer
        {
            private static readonly DiagnosticDescriptor Rule = new("BENCH0001", "none", "none", "none", DiagnosticSeverity.Info, true);
            public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);
            public override void Initialize(AnalysisContext context)
            {
                context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
                context.EnableConcurrentExecution();
                context.{{registration}};
            }
        }
        """;

    /// <summary>Compiles one of the floor variants above, against the Roslyn this process references, so the
    /// repository holds no extra generator or analyzer project.</summary>
    private static string Compile(string dir, string name, string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is "System.Private.CoreLib.dll" or "System.Runtime.dll" or "System.Collections.Immutable.dll" or "netstandard.dll" or
                        "Microsoft.CodeAnalysis.dll" or "Microsoft.CodeAnalysis.CSharp.dll")
            .Select(p => Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(p));
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create(name,
            new[] { Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, GeneratorWorkload.ParseOptions) }, references,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary, optimizationLevel: Microsoft.CodeAnalysis.OptimizationLevel.Release));
        var path = Path.Combine(dir, name + ".dll");
        Microsoft.CodeAnalysis.Emit.EmitResult result;
        using (var file = File.Create(path)) result = compilation.Emit(file);
        if (!result.Success)
            throw new InvalidOperationException(name + " does not compile: " + string.Join("; ", result.Diagnostics));
        return path;
    }

    private static Variant WriteRsp(string dir, string id, string name, List<string> common, IEnumerable<string> sources, string[] analyzers,
        IEnumerable<string>? additionalFiles = null)
    {
        var lines = new List<string>(common) { "/out:" + Quote(Path.Combine(dir, "out", id + ".dll")) };
        lines.AddRange(analyzers.Select(a => "/analyzer:" + Quote(a)));
        lines.AddRange((additionalFiles ?? Array.Empty<string>()).Select(f => "/additionalfile:" + Quote(f)));
        lines.AddRange(sources.Select(Quote));
        var rsp = Path.Combine(dir, id + ".rsp");
        File.WriteAllLines(rsp, lines);
        return new Variant(name, rsp);
    }

    private static string WriteText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private static CscRun Csc(string dotnet, string csc, Variant v, string? pipe, string extra)
    {
        var args = Quote(csc) + " /noconfig" + (pipe != null ? " /shared:" + pipe : "") + (extra.Length > 0 ? " " + extra : "") + " @" + Quote(v.ResponseFile);
        if (pipe == null) return Exec(dotnet, args, null);
        // The server's CPU time, when it is already up (the first call starts it).
        int? server = ServerPid(pipe);
        double before = server is int p0 ? ProcCpuMs(p0) : double.NaN;
        var run = Exec(dotnet, args, null);
        server ??= ServerPid(pipe);
        double after = server is int p1 ? ProcCpuMs(p1) : double.NaN;
        // Unreadable server CPU is NaN, left out of the medians rather than counted as zero.
        return run with { CpuMs = double.IsNaN(before) || double.IsNaN(after) ? double.NaN : after - before };
    }

    /// <summary>Runs a child to its end: exit code, stdout+stderr, wall time, and its CPU time (user + system).</summary>
    private static CscRun Exec(string file, string arguments, string? workingDirectory)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        // The compiler client starts the server with this host (as MSBuild arranges).
        psi.Environment["DOTNET_HOST_PATH"] = file;
        // Process.TotalProcessorTime throws once the child has exited; the children's rusage of this process
        // grows by exactly the reaped child's user + system time.
        double cpu0 = ChildrenCpuMs();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        clock.Stop();
        double cpu = ChildrenCpuMs() - cpu0;
        return new CscRun(process.ExitCode, stdout.Result + stderr.Result, clock.Elapsed.TotalMilliseconds, cpu);
    }

    /// <summary>Variants that run a diagnostic analyzer or suppressor of their own (besides generators).</summary>
    private static bool HasAnalyzers(Variant v) => Path.GetFileNameWithoutExtension(v.ResponseFile) is "emptysymbol" or "suppressor";

    private static readonly Regex GeneratorTotal = new(@"Total generator execution time: ([0-9]+[.,][0-9]+) seconds", RegexOptions.CultureInvariant);

    /// <summary>The generators' total time in one build as csc reports it, in ms; NaN when it ran none.</summary>
    private static double GeneratorMs(string output) =>
        GeneratorTotal.Match(output) is { Success: true } m ? 1000 * double.Parse(m.Groups[1].Value.Replace(',', '.'), CultureInfo.InvariantCulture) : double.NaN;   // csc prints in the current culture

    private static readonly Regex DiagnosticLine = new(@"(?:^|: )(?:warning|error|info) ([A-Z]+[0-9]+)", RegexOptions.CultureInvariant | RegexOptions.Multiline);

    private static string Describe(string dll)
    {
        using var stream = File.OpenRead(dll);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        int publicTypes = md.TypeDefinitions.Count(t => (md.GetTypeDefinition(t).Attributes & System.Reflection.TypeAttributes.VisibilityMask) == System.Reflection.TypeAttributes.Public);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(dll)} {stream.Length / 1024} KiB, {md.TypeDefinitions.Count} types ({publicTypes} public), {md.MethodDefinitions.Count} methods");
    }

    /// <summary>The running dotnet host, else DOTNET_ROOT's, else the one on PATH (links resolved).</summary>
    private static string FindDotnet()
    {
        var self = Environment.ProcessPath;
        if (self != null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, exe))) return Path.Combine(root, exe);
        foreach (var d in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(d, exe);
            if (File.Exists(candidate)) return File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? candidate;
        }
        throw new InvalidOperationException("no dotnet host found");
    }

    /// <summary>The repository root (so its global.json, if any, picks the SDK), else the current folder.</summary>
    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Directory.Build.props")) && Directory.Exists(Path.Combine(d.FullName, "benchmarks")))
                return d.FullName;
        return Environment.CurrentDirectory;
    }

    private static string Quote(string s) => "\"" + s + "\"";

    /// <summary>The compiler server listening on our pipe: the VBCSCompiler process whose command line names it.</summary>
    private static int? ServerPid(string pipe)
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' '); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (cmdline.Contains("VBCSCompiler", StringComparison.Ordinal) && cmdline.Contains(pipe, StringComparison.Ordinal)) return pid;
        }
        return null;
    }

    /// <summary>utime + stime of a live process (fields 14 and 15 of /proc/pid/stat, in clock ticks), in ms.</summary>
    private static double ProcCpuMs(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return double.NaN; }
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return ticks * 1000.0 / ClockTicksPerSecond();
    }

    private static void ShutDownServer(string dotnet, string compilerDir, string pipe)
    {
        var pid = ServerPid(pipe);
        if (pid == null) return;
        var result = Exec(dotnet, Quote(Path.Combine(compilerDir, "VBCSCompiler.dll")) + " -shutdown -pipename:" + pipe, null);
        if (ServerPid(pipe) is int still && still == pid)
        {
            try { using var p = Process.GetProcessById(still); p.Kill(); p.WaitForExit(5000); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compiler server {pid.Value} on pipe {pipe} shut down (exit {result.ExitCode})"));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        // ru_maxrss … ru_nivcsw: not read, but part of the struct.
        public long F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13;
    }

    private const int RusageChildren = -1;
    private const int ScClkTck = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    [DllImport("libc")]
    private static extern long sysconf(int name);

    /// <summary>User + system time of this process's terminated and reaped children, in ms.</summary>
    private static double ChildrenCpuMs() =>
        getrusage(RusageChildren, out var u) == 0
            ? (u.UserSeconds + u.SystemSeconds) * 1000.0 + (u.UserMicroseconds + u.SystemMicroseconds) / 1000.0
            : double.NaN;

    private static long ClockTicksPerSecond()
    {
        long ticks = sysconf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }
}
