using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using ArchDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ArchDsl.Generators.Tests.Infrastructure;

/// <summary>
/// Runs <see cref="ArchDslGenerator"/> through a plain <see cref="CSharpGeneratorDriver"/> over the running
/// runtime's assemblies plus ArchDsl.dll and TorchSharp.dll. Compilations are nullable-enabled with warnings
/// as errors, so "no diagnostics" proves the generated code is warning-free. Reusable by other test projects.
/// </summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    public static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        generalDiagnosticOption: ReportDiagnostic.Error,
        concurrentBuild: false,
        deterministic: true);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // Only the framework's own assemblies from TRUSTED_PLATFORM_ASSEMBLIES (not the test's dependencies,
        // which would bring Roslyn and a second copy of ArchDsl into the user's compilation).
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        var refs = new List<MetadataReference>();
        foreach (var path in tpa)
            if (path.Length > 0 && string.Equals(Path.GetDirectoryName(path), frameworkDir, StringComparison.Ordinal) && IsManaged(path))
                refs.Add(MetadataReference.CreateFromFile(path));
        refs.Add(MetadataReference.CreateFromFile(typeof(ArchDsl.ModelAttribute).Assembly.Location));
        refs.Add(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location));
        return refs.ToImmutableArray();
    }

    private static bool IsManaged(string path)
    {
        try { System.Reflection.AssemblyName.GetAssemblyName(path); return true; }
        catch (BadImageFormatException) { return false; }
    }

    public static SyntaxTree Parse(string source, string path = "Input.cs") =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilation(sources.Select((s, i) => Parse(s, i == 0 ? "Input.cs" : $"Input{i}.cs")));

    public static CSharpCompilation CreateCompilation(IEnumerable<SyntaxTree> trees, string assemblyName = "ArchDslTests") =>
        CSharpCompilation.Create(assemblyName, trees, References, CompilationOptions);

    public static GeneratorDriver CreateDriver(bool trackSteps = true) =>
        CSharpGeneratorDriver.Create(
            new[] { new ArchDslGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once over the given sources.</summary>
    public static GeneratorResult Run(params string[] sources) => Run(CreateCompilation(sources));

    /// <summary>
    /// Runs the generator; with a fresh driver, runs it a second time on a clone of the compilation and fails unless
    /// every tracked step is Cached or Unchanged then (nothing in the pipeline depends on object identity), and
    /// unless the second run gives the same sources and diagnostics.
    /// </summary>
    /// <paramref name="options"/>: the analyzer config options the analyzer sees (give the driver the same ones).
    public static GeneratorResult Run(Compilation input, GeneratorDriver? driver = null, AnalyzerConfigOptionsProvider? options = null)
    {
        bool fresh = driver is null;
        driver ??= CreateDriver();
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out var output, out var driverDiagnostics);
        var result = new GeneratorResult(input, output, driver, driverDiagnostics, options);
        if (fresh && result.Single.Exception is null) AssertCachedOnSecondRun(result);
        return result;
    }

    private static void AssertCachedOnSecondRun(GeneratorResult first)
    {
        var again = first.Driver.RunGenerators(first.Input.Clone()).GetRunResult().Results.Single();
        foreach (var step in StepInspector.TrackedSteps)
            if (again.TrackedSteps.TryGetValue(step, out var runs))
                foreach (var run in runs)
                    foreach (var (_, reason) in run.Outputs)
                        if (reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged))
                            throw new Xunit.Sdk.XunitException($"step {step} was {reason} on a second run over a cloned compilation");
        var before = first.Single.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString()));
        var after = again.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString()));
        if (!before.SequenceEqual(after)) throw new Xunit.Sdk.XunitException("a second run over a cloned compilation generated other sources");
        if (!first.Single.Diagnostics.Select(d => d.ToString()).SequenceEqual(again.Diagnostics.Select(d => d.ToString())))
            throw new Xunit.Sdk.XunitException("a second run over a cloned compilation reported other diagnostics");
    }
}

/// <summary>One run of the generator: its outputs, diagnostics and the updated compilation.</summary>
public sealed class GeneratorResult
{
    public GeneratorResult(Compilation input, Compilation output, GeneratorDriver driver, ImmutableArray<Diagnostic> driverDiagnostics,
        AnalyzerConfigOptionsProvider? options = null)
    {
        Input = input;
        Output = output;
        Driver = driver;
        DriverDiagnostics = driverDiagnostics;
        RunResult = driver.GetRunResult();
        _analyzerDiagnostics = new Lazy<ImmutableArray<Diagnostic>>(() => RunAnalyzer(options));
    }

    private readonly Lazy<ImmutableArray<Diagnostic>> _analyzerDiagnostics;

    /// <summary>
    /// ArchDsl's findings as every host gets them: <see cref="ArchDslAnalyzer"/> through the public
    /// <see cref="CompilationWithAnalyzers"/> over the compilation with the generated sources (what csc and language
    /// servers analyze). Fails when the generator reports an ADSL diagnostic itself (a host that shows both would show it
    /// twice) or the analyzer reports one finding twice.
    /// </summary>
    private ImmutableArray<Diagnostic> RunAnalyzer(AnalyzerConfigOptionsProvider? options)
    {
        var fromGenerator = Single.Diagnostics.Where(d => d.Id.StartsWith("ADSL", StringComparison.Ordinal)).ToList();
        if (fromGenerator.Count > 0)
            throw new Xunit.Sdk.XunitException("the generator reported findings itself:\n" + Describe(fromGenerator));
        var analyzerOptions = new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, options ?? EmptyOptions.Instance);
        var withAnalyzers = Output.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ArchDslAnalyzer()),
            new CompilationWithAnalyzersOptions(analyzerOptions, onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
        var all = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        var crashes = all.Where(d => d.Id == "AD0001").ToList();
        if (crashes.Count > 0) throw new Xunit.Sdk.XunitException("the analyzer threw:\n" + Describe(crashes));
        var twice = all.GroupBy(d => (d.Id, d.Location.GetLineSpan().ToString(), d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)))
            .Where(g => g.Count() > 1).Select(g => g.First()).ToList();
        if (twice.Count > 0) throw new Xunit.Sdk.XunitException("reported more than once:\n" + Describe(twice));
        return all.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();
    }

    private sealed class EmptyOptions : AnalyzerConfigOptionsProvider
    {
        public static readonly EmptyOptions Instance = new();
        public override AnalyzerConfigOptions GlobalOptions => Empty.Instance;
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty.Instance;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty.Instance;

        private sealed class Empty : AnalyzerConfigOptions
        {
            public static readonly Empty Instance = new();
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) { value = null; return false; }
        }
    }

    public Compilation Input { get; }
    public Compilation Output { get; }
    public GeneratorDriver Driver { get; }
    public ImmutableArray<Diagnostic> DriverDiagnostics { get; }
    public GeneratorDriverRunResult RunResult { get; }
    public GeneratorRunResult Single => RunResult.Results.Single();

    /// <summary>Warnings and errors ArchDsl reported (ADSL ids, through its analyzer), in source order. Leaves out the
    /// counts every valid model gets as info (ADSL1000, ADSL1003): <see cref="AllGeneratorDiagnostics"/> has them.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => AllGeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    /// <summary>Every finding ArchDsl reported through its analyzer, infos included, in source order.</summary>
    public ImmutableArray<Diagnostic> AllGeneratorDiagnostics => _analyzerDiagnostics.Value;

    /// <summary>Generated sources by hint name, ordered by name.</summary>
    public IReadOnlyList<(string HintName, string Text)> Sources => Single.GeneratedSources
        .OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => (s.HintName, s.SourceText.ToString())).ToList();

    public string? Source(string hintName) => Sources.FirstOrDefault(s => s.HintName == hintName).Text;

    /// <summary>Whether the source of that name is a TorchSharp module (a declaration with errors gets only a
    /// constructor that throws, or nothing).</summary>
    public bool HasModule(string hintName) => Source(hintName)?.Contains(" : nn.Module<", StringComparison.Ordinal) == true;

    /// <summary>Every diagnostic of the compiled result (user code plus generated code), errors and warnings alike.</summary>
    public ImmutableArray<Diagnostic> CompilationDiagnostics => Output.GetDiagnostics()
        .Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    /// <summary>Warnings and errors the compiler reports inside generated files: generated code must never be what fails.</summary>
    public ImmutableArray<Diagnostic> GeneratedCodeDiagnostics => Output.GetDiagnostics()
        .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true)
        .ToImmutableArray();

    /// <summary>Fails when the generator threw (CS8784/CS8785 or an exception on the run result).</summary>
    public void AssertNoGeneratorException()
    {
        if (Single.Exception is { } ex) throw new Xunit.Sdk.XunitException("generator threw: " + ex);
        var bad = DriverDiagnostics.Where(d => d.Id is "CS8784" or "CS8785").ToList();
        if (bad.Count > 0) throw new Xunit.Sdk.XunitException("generator failed: " + string.Join("\n", bad));
    }

    /// <summary>
    /// The source text a diagnostic points at. The generator reports plain file locations (path + span, as
    /// the pipeline keeps no Location), so the tree is found by path.
    /// </summary>
    public static string? LocatedText(Compilation compilation, Diagnostic diagnostic)
    {
        var location = diagnostic.Location;
        if (location == Location.None) return null;
        var tree = location.SourceTree ?? compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == location.GetLineSpan().Path);
        if (tree is null) return null;
        var text = tree.GetText();
        return location.SourceSpan.End <= text.Length ? text.ToString(location.SourceSpan) : null;
    }

    /// <summary>Whether a diagnostic lies inside a span of a given file.</summary>
    public static bool IsInside(Diagnostic diagnostic, string path, Microsoft.CodeAnalysis.Text.TextSpan span) =>
        diagnostic.Location != Location.None && diagnostic.Location.GetLineSpan().Path == path && span.Contains(diagnostic.Location.SourceSpan);

    public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => d.ToString()));
}
