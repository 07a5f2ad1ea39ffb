using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Judgement;
using ArchDsl.Generators.Emitting;
using ArchDsl.Generators.Reading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchDsl.Benchmarks;

/// <summary>
/// Where a generator run's time goes on the 200-model workload: reading (symbols, attributes, blocks), the core's
/// evaluation, emission and judgement, each timed over all models on a fresh copy of the compilation (nothing bound
/// yet, as in a build), next to a whole generator run. Medians of the second half of the rounds (JIT warmed).
/// </summary>
public static class GeneratorParts
{
    public static int Run(int rounds)
    {
        var work = new GeneratorWorkload(200);
        var compilation = work.UserCompilation();
        var read = new List<double>(); var evaluate = new List<double>(); var emit = new List<double>();
        var judge = new List<double>(); var whole = new List<double>();
        var bytes = new long[5];
        long chars = 0;
        for (int i = 0; i < rounds; i++)
        {
            var c = compilation.Clone();
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            var models = new List<INamedTypeSymbol>();
            foreach (var tree in c.SyntaxTrees)
            {
                var semantic = c.GetSemanticModel(tree);
                foreach (var k in tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>())
                    if (semantic.GetDeclaredSymbol(k) is INamedTypeSymbol s && s.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DeclarationReader.ModelAttribute))
                        models.Add(s);
            }
            var declarations = models.Select(s => DeclarationReader.ReadWithBlocks(s, default, c)).ToList();
            read.Add(clock.Elapsed.TotalMilliseconds); long a1 = GC.GetAllocatedBytesForCurrentThread(); clock.Restart();
            var plans = declarations.Select(d => Evaluator.EvaluateModel(d.Root, d.Blocks)).ToList();
            evaluate.Add(clock.Elapsed.TotalMilliseconds); long a2 = GC.GetAllocatedBytesForCurrentThread(); clock.Restart();
            chars = 0;
            foreach (var p in plans) chars += ModuleEmitter.EmitModel(p, rawStringLiterals: true).Length;
            emit.Add(clock.Elapsed.TotalMilliseconds); long a3 = GC.GetAllocatedBytesForCurrentThread(); clock.Restart();
            var options = new JudgementOptions();
            foreach (var p in plans) Judge.Evaluate(p, options);
            judge.Add(clock.Elapsed.TotalMilliseconds); long a4 = GC.GetAllocatedBytesForCurrentThread(); clock.Restart();
            GeneratorWorkload.NewDriver(track: false).RunGenerators(compilation.Clone()).GetRunResult();
            whole.Add(clock.Elapsed.TotalMilliseconds);
            long a5 = GC.GetAllocatedBytesForCurrentThread();
            bytes = new[] { a1 - a0, a2 - a1, a3 - a2, a4 - a3, a5 - a4 };
        }
        static string M(List<double> x)
        {
            var warm = x.Skip(x.Count / 2).OrderBy(v => v).ToList();
            return warm[warm.Count / 2].ToString("F1", CultureInfo.InvariantCulture) + " ms";
        }
        static string B(long b) => (b / (1024.0 * 1024)).ToString("F1", CultureInfo.InvariantCulture) + " MB";
        Console.WriteLine($"200 models, {rounds} rounds (medians of the last {rounds - rounds / 2}): read with blocks {M(read)}, evaluate {M(evaluate)}, " +
                          $"emit {M(emit)} ({(chars / 1024).ToString(CultureInfo.InvariantCulture)} KiB of source), judge {M(judge)}; whole generator run {M(whole)}");
        Console.WriteLine($"allocated (last round, this thread): read {B(bytes[0])}, evaluate {B(bytes[1])}, emit {B(bytes[2])}, judge {B(bytes[3])}; whole run {B(bytes[4])}");
        return 0;
    }
}
