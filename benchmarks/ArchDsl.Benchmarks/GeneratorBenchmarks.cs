using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.CodeAnalysis;

namespace ArchDsl.Benchmarks;

/// <summary>
/// Issue 5, performance 1: a full compilation (diagnostics + emit) of 200 synthetic models.
/// Baseline: the same user sources with the generated code checked in as plain files, so the difference is
/// what running the generator (and analyzers) adds to a build. <c>SourcesOnly</c> (the declarations without any
/// generated code) is shown too, for scale. "Diagnostics" is the same without emit (an IDE's or design-time
/// build's work), where analyzers and compiler share one binding pass.
/// </summary>
[Config(typeof(CompileConfig))]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class CompileBenchmarks
{
    private GeneratorWorkload _work = null!;

    [Params(200)] public int Models { get; set; }

    [GlobalSetup]
    public void Setup() => _work = new GeneratorWorkload(Models);

    [Benchmark(Baseline = true, Description = "generated code checked in (no generator)")]
    [BenchmarkCategory("Compile")]
    public int CheckedIn() => GeneratorWorkload.Emit(_work.CheckedInCompilation());

    [Benchmark(Description = "declarations only (no generator, no generated code)")]
    [BenchmarkCategory("Compile")]
    public int SourcesOnly() => GeneratorWorkload.Emit(_work.UserCompilation());

    [Benchmark(Description = "generator")]
    [BenchmarkCategory("Compile")]
    public int WithGenerator() => _work.CompileWithGenerator(analyzers: false);

    [Benchmark(Description = "generator + analyzers")]
    [BenchmarkCategory("Compile")]
    public int WithGeneratorAndAnalyzers() => _work.CompileWithGenerator(analyzers: true);

    [Benchmark(Baseline = true, Description = "generated code checked in (no generator)")]
    [BenchmarkCategory("Diagnostics")]
    public int DiagnoseCheckedIn() => _work.DiagnoseCheckedIn();

    [Benchmark(Description = "generator")]
    [BenchmarkCategory("Diagnostics")]
    public int DiagnoseWithGenerator() => _work.DiagnoseWithGenerator(analyzers: false);

    [Benchmark(Description = "generator + analyzers (GetAllDiagnosticsAsync)")]
    [BenchmarkCategory("Diagnostics")]
    public int DiagnoseWithGeneratorAndAnalyzers() => _work.DiagnoseWithGenerator(analyzers: true);
}

/// <summary>
/// Issue 5, performance 2: one attribute edit (model 0's head, 10 ↔ 11 classes) in the 200-model compilation,
/// then the generator re-run on the edited compilation: the time to updated output in an IDE-like host.
/// Each invocation toggles the edit, so every run sees a real change against the driver's previous state.
/// </summary>
[Config(typeof(EditConfig))]
[MemoryDiagnoser]
public class EditBenchmarks
{
    private GeneratorWorkload _work = null!;
    private GeneratorDriver _driver = null!;
    private Compilation _compilation = null!;
    private bool _edited;
    private SyntaxTree _original = null!;

    [Params(200)] public int Models { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _work = new GeneratorWorkload(Models);
        _compilation = _work.UserCompilation();
        _original = _compilation.SyntaxTrees.Single(t => t.FilePath == _work.OriginalTree.FilePath);
        _driver = GeneratorWorkload.NewDriver(track: false).RunGenerators(_compilation);
        _edited = false;
    }

    [Benchmark(Description = "edit one model's attribute, re-run generator")]
    public int EditOneModel()
    {
        var (from, to) = _edited ? (_work.EditedTree, _original) : (_original, _work.EditedTree);
        _edited = !_edited;
        _compilation = _compilation.ReplaceSyntaxTree(from, to);
        _driver = _driver.RunGenerators(_compilation);
        return _driver.GetRunResult().GeneratedTrees.Length;
    }

    [Benchmark(Description = "edit one model's attribute, re-run generator + get output compilation")]
    public int EditOneModelAndUpdateCompilation()
    {
        var (from, to) = _edited ? (_work.EditedTree, _original) : (_original, _work.EditedTree);
        _edited = !_edited;
        _compilation = _compilation.ReplaceSyntaxTree(from, to);
        _driver = _driver.RunGeneratorsAndUpdateCompilation(_compilation, out var output, out _);
        return output.SyntaxTrees.Count();
    }
}

/// <summary>
/// The reading step alone, in a freshly edited compilation (what every edit re-runs for every class): every
/// [Model]/[Block] class read by binding its field attributes (baseline) and read syntax-first, binding only
/// what is not a plain literal (what the generator does).
/// </summary>
[Config(typeof(EditConfig))]
[MemoryDiagnoser]
public class ReadBenchmarks
{
    private GeneratorWorkload _work = null!;
    private Compilation _compilation = null!;
    private SyntaxTree _original = null!;
    private bool _edited;

    [GlobalSetup]
    public void Setup()
    {
        _work = new GeneratorWorkload(200);
        _compilation = _work.UserCompilation();
        _original = _compilation.SyntaxTrees.Single(t => t.FilePath == _work.OriginalTree.FilePath);
    }

    private Compilation Edit()
    {
        var (from, to) = _edited ? (_work.EditedTree, _original) : (_original, _work.EditedTree);
        _edited = !_edited;
        return _compilation = _compilation.ReplaceSyntaxTree(from, to);
    }

    private static int ReadAll(Compilation compilation, bool syntaxFirst)
    {
        int members = 0;
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var cls in tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>())
                if (model.GetDeclaredSymbol(cls) is INamedTypeSymbol type)
                    members += ArchDsl.Generators.Reading.DeclarationReader.Read(type, default, syntaxFirst ? compilation : null).Members.Count;
        }
        return members;
    }

    [Benchmark(Baseline = true, Description = "read every class, binding field attributes")]
    public int Bound() => ReadAll(Edit(), syntaxFirst: false);

    [Benchmark(Description = "read every class, syntax first")]
    public int SyntaxFirst() => ReadAll(Edit(), syntaxFirst: true);
}
