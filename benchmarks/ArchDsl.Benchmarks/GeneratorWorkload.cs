using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using ArchDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ArchDsl.Benchmarks;

/// <summary>
/// The 200-model compilation and the ways of compiling it: plain sources, sources plus generated code checked
/// in as ordinary files, and sources run through the generator (and analyzers). Shared by the benchmarks and
/// by the <c>report</c> command.
/// </summary>
public sealed class GeneratorWorkload
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
        concurrentBuild: true, deterministic: true, optimizationLevel: OptimizationLevel.Release);

    public int ModelCount { get; }
    /// <summary>The declarations, parsed once (for setup and facts); compilations below parse their own copies.</summary>
    public ImmutableArray<SyntaxTree> UserTrees { get; }
    public ImmutableArray<SyntaxTree> GeneratedTrees { get; }
    private readonly ImmutableArray<(string Path, SourceText Text)> _userTexts;
    private readonly ImmutableArray<(string Path, SourceText Text)> _generatedTexts;
    public IReadOnlyList<MetadataReference> References { get; }
    public ImmutableArray<DiagnosticAnalyzer> Analyzers { get; }
    public string AnalyzerSource { get; }

    /// <summary>Model 0 with its head's class count changed (10 → 11), and the original tree.</summary>
    public SyntaxTree EditedTree { get; }
    public SyntaxTree OriginalTree { get; }

    public GeneratorWorkload(int models = 200)
    {
        ModelCount = models;
        References = SyntheticModels.References();
        _userTexts = SyntheticModels.Sources(models).Select(f => (f.Path, SourceText.From(f.Source, Encoding.UTF8))).ToImmutableArray();
        UserTrees = Parse(_userTexts);
        OriginalTree = UserTrees.Single(t => t.FilePath == SyntheticModels.ModelPath(0));
        EditedTree = CSharpSyntaxTree.ParseText(SyntheticModels.Model(0, classes: 11), ParseOptions, path: SyntheticModels.ModelPath(0));
        (Analyzers, AnalyzerSource) = LoadAnalyzers();

        var driver = NewDriver(track: false).RunGeneratorsAndUpdateCompilation(CSharpCompilation.Create("Synthetic", UserTrees, References, CompilationOptions), out var output, out var diagnostics);
        var errors = diagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("The synthetic sources do not compile: " + string.Join(Environment.NewLine, errors.Take(10)));
        _generatedTexts = driver.GetRunResult().GeneratedTrees
            .Select(t => ("Generated/" + Path.GetFileName(t.FilePath), SourceText.From(t.GetText().ToString(), Encoding.UTF8)))
            .ToImmutableArray();
        GeneratedTrees = Parse(_generatedTexts);
    }

    private static ImmutableArray<SyntaxTree> Parse(ImmutableArray<(string Path, SourceText Text)> texts) =>
        texts.Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, f.Path)).ToImmutableArray();

    /// <summary>The declarations alone, parsed now (a build parses every file).</summary>
    public CSharpCompilation UserCompilation() =>
        CSharpCompilation.Create("Synthetic", Parse(_userTexts), References, CompilationOptions);

    /// <summary>The declarations plus the generated code as ordinary files, all parsed now.</summary>
    public CSharpCompilation CheckedInCompilation() =>
        CSharpCompilation.Create("Synthetic", Parse(_userTexts).AddRange(Parse(_generatedTexts)), References, CompilationOptions);

    public static GeneratorDriver NewDriver(bool track) => CSharpGeneratorDriver.Create(
        new[] { new ArchDslGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    /// <summary>Diagnostics and emit (no PDB) into memory: what a build does with the compilation.</summary>
    public static int Emit(Compilation compilation)
    {
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        if (!result.Success) throw new InvalidOperationException("emit failed: " + result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
        return (int)pe.Length;
    }

    public int CompileWithGenerator(bool analyzers)
    {
        NewDriver(track: false).RunGeneratorsAndUpdateCompilation(UserCompilation(), out var output, out _);
        if (analyzers && Analyzers.Length > 0)
        {
            // As csc does: analyzers see the compilation that includes generated sources.
            var withAnalyzers = output.WithAnalyzers(Analyzers, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty));
            var found = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            return Emit(output) + found.Length;
        }
        return Emit(output);
    }

    /// <summary>
    /// Diagnostics only (what an IDE or a design-time build computes): compiler diagnostics, and with analyzers
    /// <see cref="CompilationWithAnalyzers.GetAllDiagnosticsAsync()"/>, which binds once for both (a suppressor
    /// needs the compiler's diagnostics anyway).
    /// </summary>
    public int DiagnoseWithGenerator(bool analyzers)
    {
        NewDriver(track: false).RunGeneratorsAndUpdateCompilation(UserCompilation(), out var output, out _);
        if (analyzers && Analyzers.Length > 0)
            return output.WithAnalyzers(Analyzers, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty))
                .GetAllDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult().Length;
        return output.GetDiagnostics().Length;
    }

    public int DiagnoseCheckedIn() => CheckedInCompilation().GetDiagnostics().Length;

    private static (ImmutableArray<DiagnosticAnalyzer>, string) LoadAnalyzers()
    {
        var candidates = new List<Assembly> { typeof(ArchDslGenerator).Assembly };
        try { candidates.Add(Assembly.Load(new AssemblyName("ArchDsl.Analyzers"))); }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { }
        var analyzers = new List<DiagnosticAnalyzer>();
        var sources = new List<string>();
        foreach (var assembly in candidates)
        {
            Type[] types;
            try { types = assembly.GetTypes(); }
            catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t != null).ToArray()!; }
            foreach (var type in types.Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)
                                                  && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() != null
                                                  && t.GetConstructor(Type.EmptyTypes) != null)
                                      .OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                analyzers.Add((DiagnosticAnalyzer)Activator.CreateInstance(type)!);
                sources.Add(type.FullName!);
            }
        }
        return (analyzers.ToImmutableArray(), sources.Count == 0 ? "none found (generator only)" : string.Join(", ", sources));
    }
}
