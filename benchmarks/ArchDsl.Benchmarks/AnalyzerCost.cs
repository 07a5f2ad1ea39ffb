using System;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using ArchDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ArchDsl.Benchmarks;

/// <summary>
/// The analyzer's own time over the 200-model workload, in process: the generator runs, then ArchDslAnalyzer through
/// CompilationWithAnalyzers over the compilation with the generated sources (as csc runs them), and again over the
/// same declarations without the generator's findings cached (what a host pays when the analyzer runs first).
/// Prints medians and how many declarations the analyzer took from the generator's evaluation.
/// </summary>
public static class AnalyzerCost
{
    // Built here and handed to CompilationWithAnalyzers, never loaded by a compiler: the extension rules do not apply.
#pragma warning disable RS1041, RS1036, RS2008
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class EmptyTreeAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("EMPTY01", "t", "m", "c", DiagnosticSeverity.Warning, true);
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(static s => s.RegisterSyntaxTreeAction(static _ => { }));
        }
    }
#pragma warning restore RS1041, RS1036, RS2008

    public static int Run(int rounds)
    {
        var work = new GeneratorWorkload(200);
        var analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ArchDslAnalyzer());
        var floor = ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyTreeAnalyzer());
        double[] generator = new double[rounds], shared = new double[rounds], empty = new double[rounds];
        long hits = 0, misses = 0;
        for (int i = 0; i < rounds; i++)
        {
            GC.Collect();
            var input = work.UserCompilation();
            var clock = Stopwatch.StartNew();
            GeneratorWorkload.NewDriver(false).RunGeneratorsAndUpdateCompilation(input, out var output, out _);
            generator[i] = clock.Elapsed.TotalMilliseconds;
            var (h0, m0) = FindingCache.Counts;
            clock.Restart();
            var found = output.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
            shared[i] = clock.Elapsed.TotalMilliseconds;
            var (h1, m1) = FindingCache.Counts;
            hits = h1 - h0;
            misses = m1 - m0;
            GC.Collect();
            var again = work.UserCompilation();
            GeneratorWorkload.NewDriver(false).RunGeneratorsAndUpdateCompilation(again, out var output2, out _);
            clock.Restart();
            output2.WithAnalyzers(floor).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
            empty[i] = clock.Elapsed.TotalMilliseconds;
            if (i == 0) Console.WriteLine($"findings: {found.Length} ({string.Join(", ", found.GroupBy(d => d.Id).OrderBy(g => g.Key).Select(g => g.Key + " x" + g.Count()))})");
        }
        // Reading alone, with and without the generated sources in the compilation.
        foreach (var withGenerated in new[] { false, true })
        {
            var c = work.UserCompilation();
            Compilation target = c;
            if (withGenerated) GeneratorWorkload.NewDriver(false).RunGeneratorsAndUpdateCompilation(c, out target, out _);
            var types = new System.Collections.Generic.List<INamedTypeSymbol>();
            foreach (var t in target.Assembly.GlobalNamespace.GetNamespaceMembers().SelectMany(n => n.GetTypeMembers()))
                if (t.GetAttributes().Any(a => a.AttributeClass?.Name is "ModelAttribute" or "BlockAttribute")) types.Add(t);
            // First read: also builds the members' symbols, which the compiler builds anyway; second: the reading itself.
            for (int pass = 0; pass < 2; pass++)
            {
                var clock = Stopwatch.StartNew();
                foreach (var t in types) ArchDslGenerator.ReadDeclaration(t, target, default);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reading {types.Count} declarations {(withGenerated ? "with" : "without")} the generated sources, {(pass == 0 ? "first" : "again")}: {clock.Elapsed.TotalMilliseconds:F0} ms"));
            }
        }
        Array.Sort(generator);
        Array.Sort(shared);
        Array.Sort(empty);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generator run: median {generator[rounds / 2]:F0} ms; ArchDslAnalyzer after it: median {shared[rounds / 2]:F0} ms ({hits} declarations from the generator's evaluation, {misses} evaluated again); an analyzer with one empty tree action (the driver's own floor: binding every method for its events): median {empty[rounds / 2]:F0} ms"));
        return 0;
    }
}
