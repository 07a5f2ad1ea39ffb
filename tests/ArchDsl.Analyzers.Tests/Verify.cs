using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace ArchDsl.Analyzers.Tests;

/// <summary>Runs the generator and ArchDsl's analyzer, which reports every finding (declaration errors ADSL00xx and
/// judgement ADSL1xxx) through the public analyzer path, and the code fixes over sources that use the real ArchDsl
/// attributes and TorchSharp types.</summary>
internal static class Verify
{
    public static readonly ReferenceAssemblies References = ReferenceAssemblies.Net.Net80;

    public static readonly MetadataReference[] Libraries =
    {
        MetadataReference.CreateFromFile(typeof(ArchDsl.ModelAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
    };

    /// <summary>The info diagnostics every model gets; tests about other rules leave them out.</summary>
    public static readonly string[] Infos = { "ADSL1000", "ADSL1003", "ADSL1018", "ADSL1019" };

    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, ArchDsl.Generators.Descriptors.For(id).DefaultSeverity);

    public sealed class Options
    {
        public string? EditorConfig { get; init; }
        public string? GlobalConfig { get; init; }
        public bool KeepInfos { get; init; }
        /// <summary>More source files, as (path, text); the main source is /0/Test0.cs.</summary>
        public (string Path, string Text)[] MoreSources { get; init; } = System.Array.Empty<(string, string)>();
        /// <summary>An .editorconfig section header for <see cref="EditorConfig"/>; every C# file by default.</summary>
        public string EditorConfigSection { get; init; } = "[*.cs]";
        /// <summary>Rules a test about another rule leaves out (each use says why).</summary>
        public string[] Disabled { get; init; } = System.Array.Empty<string>();
    }

    public static Task Analyzer(string source, params DiagnosticResult[] expected) => Analyzer(source, new Options(), expected);

    public static async Task Analyzer(string source, Options options, params DiagnosticResult[] expected)
    {
        var test = new GeneratorAnalyzerTest();
        Setup(test.TestState, test, source, options);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync(CancellationToken.None);
    }

    /// <summary>The ArchDsl generator and analyzer running over the sources; the analyzer's diagnostics (and any the
    /// generator reported, which must be none) are compared; generated sources are not.</summary>
    private sealed class GeneratorAnalyzerTest : CSharpAnalyzerTest<ArchDsl.Generators.ArchDslAnalyzer, DefaultVerifier>
    {
        public GeneratorAnalyzerTest() => TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        protected override IEnumerable<System.Type> GetSourceGenerators() => new[] { typeof(ArchDsl.Generators.ArchDslGenerator) };
        protected override Project ApplyCompilationOptions(Project project) => AsInABuild(project, DisabledDiagnostics);
    }

    /// <summary>The code fix test with the ArchDsl generator and analyzer running: the fixes act on the diagnostics
    /// the analyzer reports, and the fixed code is compiled with the generated modules.</summary>
    private sealed class GeneratorCodeFixTest<TFix> : CSharpCodeFixTest<ArchDsl.Generators.ArchDslAnalyzer, TFix, DefaultVerifier>
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        public GeneratorCodeFixTest() => TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        protected override IEnumerable<System.Type> GetSourceGenerators() => new[] { typeof(ArchDsl.Generators.ArchDslGenerator) };
        protected override Project ApplyCompilationOptions(Project project) => AsInABuild(project, DisabledDiagnostics);
    }

    /// <summary>A code fix applied to the diagnostics the analyzer reports; the fixed code is compiled with the
    /// generated modules. <paramref name="fixedExpected"/>: diagnostics that remain after the fix (none by default).</summary>
    public static async Task Fix<TFix>(string source, string fixedSource, DiagnosticResult[] expected,
        DiagnosticResult[]? fixedExpected = null, int? incrementalIterations = null, int? fixAllIterations = null, string? equivalenceKey = null,
        string[]? disabled = null)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
    {
        var test = new GeneratorCodeFixTest<TFix> { FixedCode = fixedSource, CodeActionEquivalenceKey = equivalenceKey };
        Setup(test.TestState, test, source, new Options { Disabled = disabled ?? System.Array.Empty<string>() });
        test.FixedState.ReferenceAssemblies = References;
        test.FixedState.AdditionalReferences.AddRange(Libraries);
        test.ExpectedDiagnostics.AddRange(expected);
        if (fixedExpected != null) test.FixedState.ExpectedDiagnostics.AddRange(fixedExpected);
        if (incrementalIterations is int n) test.NumberOfIncrementalIterations = n;
        if (fixAllIterations is int f) test.NumberOfFixAllIterations = f;
        await test.RunAsync(CancellationToken.None);
    }

    /// <summary>Runs the generator and the analyzer over <paramref name="source"/> and returns the hint names of
    /// the generated modules (not the throwing constructors declarations with errors get) and every diagnostic
    /// of the compilation that includes them.</summary>
    public static (string[] Generated, Diagnostic[] Diagnostics) Generate(string source)
    {
        var parse = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);
        var trusted = ((string)System.AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator);
        var references = new List<MetadataReference>(Libraries);
        var named = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
        foreach (var l in Libraries) named.Add(System.IO.Path.GetFileName(((PortableExecutableReference)l).FilePath!));
        foreach (var path in trusted)
            if (named.Add(System.IO.Path.GetFileName(path))) references.Add(MetadataReference.CreateFromFile(path));
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Fixed",
            new[] { Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, parse, "/0/Test0.cs") }, references,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Microsoft.CodeAnalysis.GeneratorDriver driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
            new[] { new ArchDsl.Generators.ArchDslGenerator().AsSourceGenerator() }, parseOptions: parse);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        var names = new List<string>();
        foreach (var r in run.Results)
            foreach (var g in r.GeneratedSources)
                if (g.SourceText.ToString().Contains(" : nn.Module<")) names.Add(g.HintName);
        var all = new List<Diagnostic>(generatorDiagnostics);
        all.AddRange(output.GetDiagnostics());
        all.AddRange(Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzerExtensions.WithAnalyzers(output, System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(
            new ArchDsl.Generators.ArchDslAnalyzer())).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult());
        return (names.ToArray(), all.ToArray());
    }

    /// <summary>
    /// The compilation options a build has: the test library names every analyzer rule in the compilation's own
    /// options (to enable rules that are off by default, which ArchDsl has none of), and a rule named there ignores
    /// the category and all-rules settings of .editorconfig. Only AD0001 (the analyzer threw) is raised to an error
    /// and the disabled infos suppressed.
    /// </summary>
    private static Project AsInABuild(Project project, IEnumerable<string> disabled)
    {
        var options = project.CompilationOptions!;
        var specific = options.SpecificDiagnosticOptions.SetItem("AD0001", ReportDiagnostic.Error);
        foreach (var id in disabled) specific = specific.SetItem(id, ReportDiagnostic.Suppress);
        return project.Solution.WithProjectCompilationOptions(project.Id, options.WithSpecificDiagnosticOptions(specific)).GetProject(project.Id)!;
    }

    private static void Setup(SolutionState state, AnalyzerTest<DefaultVerifier> test, string source, Options options)
    {
        state.Sources.Add(("/0/Test0.cs", source));
        foreach (var more in options.MoreSources) state.Sources.Add(more);
        state.ReferenceAssemblies = References;
        state.AdditionalReferences.AddRange(Libraries);
        if (options.EditorConfig != null)
            state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n" + options.EditorConfigSection + "\n" + options.EditorConfig + "\n"));
        if (options.GlobalConfig != null)
            state.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\n" + options.GlobalConfig + "\n"));
        if (!options.KeepInfos)
            test.DisabledDiagnostics.AddRange(Infos);
        test.DisabledDiagnostics.AddRange(options.Disabled);
    }
}
