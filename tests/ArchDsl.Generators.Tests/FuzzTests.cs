using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Abstractions;
using Microsoft.CodeAnalysis.Diagnostics;
using System.Collections.Immutable;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// Seeded random declarations, valid and malformed, through the generator (issue 5, item 1).
/// ARCHDSL_FUZZ_CASES sets the case count (default 2000); ARCHDSL_FUZZ_SEED the seed (default 5);
/// ARCHDSL_FUZZ_RUNTIME_CASES how many small valid cases are also constructed and run with TorchSharp (default 40).
/// </summary>
public class FuzzTests
{
    private readonly ITestOutputHelper _output;
    public FuzzTests(ITestOutputHelper output) => _output = output;

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    private const int BatchSize = 25;

    [Fact]
    public void Fuzz_declarations_through_the_generator()
    {
        int cases = EnvInt("ARCHDSL_FUZZ_CASES", 2000), seed = EnvInt("ARCHDSL_FUZZ_SEED", 5);
        var fuzzer = new DeclarationFuzzer(seed);
        var all = Enumerable.Range(0, cases).Select(fuzzer.Next).ToList();
        var failures = new List<string>();
        var stats = new Dictionary<FuzzExpectation, int>();
        foreach (var c in all) stats[c.Expectation] = stats.TryGetValue(c.Expectation, out var n) ? n + 1 : 1;

        var found = new System.Collections.Concurrent.ConcurrentBag<string>();
        System.Threading.Tasks.Parallel.ForEach(all.Chunk(BatchSize), new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            batch => { foreach (var f in RunBatch(batch)) found.Add(f); });
        failures.AddRange(found.OrderBy(f => f, StringComparer.Ordinal));
        _output.WriteLine($"analyzers run: {(Analyzers.IsEmpty ? "none found" : string.Join(", ", Analyzers.Select(a => a.GetType().Name)))}");

        _output.WriteLine($"seed {seed}, {cases} cases: " + string.Join(", ", stats.OrderBy(k => k.Key).Select(kv => $"{kv.Value} {kv.Key}")));
        Assert.True(failures.Count == 0, $"{failures.Count} fuzz failures (seed {seed}):\n\n" + string.Join("\n\n", failures.Take(20)));
    }

    /// <summary>The largest fuzzer parameter count a case may have to be constructed and run.</summary>
    private const long RuntimeMaxParameters = 1_000_000;

    /// <summary>
    /// Issue 5, item 1, second half: for small valid cases the constructed module's runtime parameter count equals
    /// the generated constant, and forward maps [2, ..InputShape] to [2, ..OutputShape]. Takes the first
    /// ARCHDSL_FUZZ_RUNTIME_CASES (default 40) valid cases of the same seeded sequence (within ARCHDSL_FUZZ_CASES)
    /// whose count is at most <see cref="RuntimeMaxParameters"/>, generates them in one compilation, emits it and
    /// runs each model with TorchSharp (<see cref="RuntimeCheck"/>).
    /// </summary>
    [Fact]
    public void Fuzz_small_valid_models_at_run_time()
    {
        int cases = EnvInt("ARCHDSL_FUZZ_CASES", 2000), seed = EnvInt("ARCHDSL_FUZZ_SEED", 5), wanted = EnvInt("ARCHDSL_FUZZ_RUNTIME_CASES", 40);
        if (wanted <= 0) { _output.WriteLine("ARCHDSL_FUZZ_RUNTIME_CASES=0: no runtime cases"); return; }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fuzzer = new DeclarationFuzzer(seed);
        var selected = new List<FuzzCase>();
        for (int i = 0; i < cases && selected.Count < wanted; i++)
        {
            var c = fuzzer.Next(i);
            if (c.Expectation == FuzzExpectation.Valid && c.Parameters <= RuntimeMaxParameters) selected.Add(c);
        }
        Assert.True(selected.Count > 0, $"no valid case with at most {RuntimeMaxParameters} parameters among {cases} (seed {seed})");

        var r = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(selected.Select(c => ParseCase(c, out _)), "FuzzRuntime"), GeneratorHarness.CreateDriver(trackSteps: false));
        r.AssertNoGeneratorException();
        var byType = selected.ToDictionary(c => $"{c.Namespace}.{c.Model}");
        var results = RuntimeCheck.Run(r.Output, byType.Keys);

        var failures = results.Where(x => !x.Ok).Select(x =>
        {
            var c = byType[x.TypeName];
            return $"case {c.Index} (fuzzer count {c.Parameters}): {x.Describe()}\n{c.Text}";
        }).ToList();
        foreach (var x in results)
            _output.WriteLine($"  {x.TypeName}: {x.Runtime:N0} parameters (constant {x.Constant:N0}), [{string.Join(", ", x.InputShape)}] -> " +
                              (x.ActualOutputShape is null ? "-" : $"[{string.Join(", ", x.ActualOutputShape.Skip(1))}]") + (x.Ok ? "" : "  FAILED"));
        _output.WriteLine($"seed {seed}: {results.Count} small valid models constructed and run ({results.Sum(x => x.Runtime):N0} parameters in all, " +
                          $"largest {results.Max(x => x.Runtime):N0}) in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(failures.Count == 0, $"{failures.Count} of {results.Count} runtime checks failed (seed {seed}):\n\n" + string.Join("\n\n", failures.Take(20)));
    }

    /// <summary>The analyzers and suppressors of ArchDsl.Analyzers, found by reflection so this test does not
    /// depend on their class names.</summary>
    private static readonly System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer> Analyzers = LoadAnalyzers();

    private static System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer> LoadAnalyzers()
    {
        System.Reflection.Assembly assembly;
        try { assembly = System.Reflection.Assembly.Load("ArchDsl.Analyzers"); }
        catch (System.IO.FileNotFoundException) { return System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>.Empty; }
        return assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) != null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
    }

    private static string FileOf(FuzzCase c) => $"Case{c.Index}.cs";

    /// <summary>A case as a syntax tree of its own (usings, its namespace, its text); <paramref name="declaration"/>
    /// is the span of the case's own declarations in it.</summary>
    private static SyntaxTree ParseCase(FuzzCase c, out TextSpan declaration)
    {
        var header = TestModels.Usings.Replace("namespace Tests;", $"namespace {c.Namespace};");
        var text = header + c.Text;
        declaration = TextSpan.FromBounds(header.Length, text.Length);
        return GeneratorHarness.Parse(text, FileOf(c));
    }

    private static IEnumerable<string> RunBatch(FuzzCase[] batch)
    {
        var trees = new List<SyntaxTree>();
        var spans = new Dictionary<string, TextSpan>();
        foreach (var c in batch)
        {
            trees.Add(ParseCase(c, out var span));
            spans[FileOf(c)] = span;
        }

        GeneratorResult r;
        try
        {
            r = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(trees, "Fuzz" + batch[0].Index));
            r.AssertNoGeneratorException();
        }
        catch (Exception ex)
        {
            return new[] { $"batch from case {batch[0].Index}: exception {ex}" };
        }

        var failures = new List<string>();
        var generatorDiagnostics = r.GeneratorDiagnostics;
        var analyzerExceptions = new List<string>();
        IEnumerable<Diagnostic> diagnostics;
        if (Analyzers.IsEmpty) diagnostics = r.Output.GetDiagnostics();
        else
        {
            var options = new Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzersOptions(
                new Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions(System.Collections.Immutable.ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (ex, analyzer, d) => { lock (analyzerExceptions) analyzerExceptions.Add($"{analyzer.GetType().Name}: {ex}"); },
                concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);
            diagnostics = r.Output.WithAnalyzers(Analyzers, options).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        }
        var compilerDiagnostics = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed).ToList();
        if (analyzerExceptions.Count > 0 || compilerDiagnostics.Any(d => d.Id == "AD0001"))
            return new[] { $"batch from case {batch[0].Index}: analyzer exception (AD0001):\n" + string.Join("\n", analyzerExceptions.Concat(compilerDiagnostics.Where(d => d.Id == "AD0001").Select(d => d.ToString()))) };
        var generated = r.Sources;
        var generatedTreePaths = r.Output.SyntaxTrees.Where(t => !r.Input.SyntaxTrees.Contains(t)).ToDictionary(t => t.FilePath, t => t);

        foreach (var c in batch)
        {
            string file = FileOf(c);
            var span = spans[file];
            var mine = generated.Where(s => s.HintName.StartsWith(c.Namespace + ".", StringComparison.Ordinal)).ToList();
            var myGeneratedPaths = new HashSet<string>(generatedTreePaths.Keys.Where(p => mine.Any(s => p.EndsWith(s.HintName, StringComparison.Ordinal))));
            var inFile = generatorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Concat(compilerDiagnostics).Where(d => d.Location.GetLineSpan().Path == file).ToList();
            var inGenerated = compilerDiagnostics.Where(d => myGeneratedPaths.Contains(d.Location.GetLineSpan().Path)).ToList();
            var modelSource = mine.FirstOrDefault(s => s.HintName == $"{c.Namespace}.{c.Model}.g.cs").Text;

            bool failed = modelSource is null || inFile.Any(d => d.Severity == DiagnosticSeverity.Error) || inGenerated.Any(d => d.Severity == DiagnosticSeverity.Error);
            string Describe() => $"case {c.Index} ({c.Expectation}, mutation {c.Mutation}):\n{c.Text}\ndiagnostics:\n  " +
                                 string.Join("\n  ", inFile.Concat(inGenerated).Select(d => d.ToString()));

            // ADSL0099 is ArchDsl failing inside (docs/diagnostics/ADSL0099.md): no declaration, valid or not, may get it.
            if (inFile.Any(d => d.Id == "ADSL0099"))
                failures.Add("ArchDsl failed inside (ADSL0099): " + Describe());
            if (failed && !inFile.Any(d => d.Severity == DiagnosticSeverity.Error && GeneratorResult.IsInside(d, file, span)))
                failures.Add("fails to compile without an error inside the declaration: " + Describe());

            switch (c.Expectation)
            {
                case FuzzExpectation.Valid:
                    if (failed || inFile.Count > 0 || inGenerated.Count > 0)
                        failures.Add("valid declaration did not generate cleanly: " + Describe());
                    else
                    {
                        var m = Regex.Match(modelSource!, @"public const long ParameterCount = (\d+)L;");
                        long actual = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                        if (actual != c.Parameters)
                            failures.Add($"ParameterCount {actual} but the fuzzer's formulas give {c.Parameters}: " + Describe());
                    }
                    break;
                case FuzzExpectation.Invalid:
                    if (!failed) failures.Add("malformed declaration compiled without errors: " + Describe());
                    break;
            }
        }
        return failures;
    }
}
