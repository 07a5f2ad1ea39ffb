using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using ArchDsl.Generators;
using BenchmarkDotNet.Running;
using Microsoft.CodeAnalysis;

namespace ArchDsl.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>report</c>: the workload's facts and the incremental step reasons after one edit (no BenchmarkDotNet).
    /// <c>resnet50 [rounds] [batch] [forward|train|construct]</c>: the ResNet-50 comparison as interleaved pairs (robust to background load).
    /// <c>deploy [rounds] [batch]</c>: deploy forms (batch norms folded, RepVGG re-parameterised) against training forms and TorchVision's ResNet-50, forward.
    /// <c>compile [rounds]</c>: the 200-model build cost as interleaved rounds, wall and CPU time.
    /// <c>csc [rounds] [--shared] [--sdk-analyzers]</c>: the same build cost under the SDK's csc (a process per call, or its compiler server).
    /// <c>parts [rounds]</c>: a generator run's time split into reading, evaluation, emission and judgement.
    /// <c>generate [rounds] [tokens]</c>: GPT-2 small generating with the KV cache against recomputing the sequence.
    /// <c>text [rounds]</c>: what parsing and embedding the generated text costs csc, whole and without the JSON constants.
    /// Anything else goes to BenchmarkDotNet's switcher, e.g. <c>--filter *EditBenchmarks*</c>.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "resnet50")
            return PairedResNet50.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10,
                                      args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8,
                                      args.Length > 3 ? args[3] : "");
        if (args.Length > 0 && args[0] == "deploy")
            return PairedDeploy.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10,
                                    args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8);
        if (args.Length > 0 && args[0] == "compile")
            return PairedCompile.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6);
        if (args.Length > 0 && args[0] == "analyzer") return AnalyzerCost.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5);
        if (args.Length > 0 && args[0] == "csc") return CscBuildCost.Run(args.Skip(1).ToArray());
        if (args.Length > 0 && args[0] == "parts") return GeneratorParts.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
        if (args.Length > 0 && args[0] == "text") return GeneratedTextCost.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
        if (args.Length > 0 && args[0] == "generate")
            return GenerationCost.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1,
                                      args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 256);
        if (args.Length > 0 && args[0] == "report") return Report(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static int Report(int models)
    {
        var clock = Stopwatch.StartNew();
        var work = new GeneratorWorkload(models);
        Console.WriteLine($"workload: {work.ModelCount} models + {SyntheticModels.BlockCount + 2} blocks in {work.UserTrees.Length} files; " +
                          $"{work.GeneratedTrees.Length} generated files, {work.GeneratedTrees.Sum(t => t.Length) / 1024} KiB generated; " +
                          $"user sources {work.UserTrees.Sum(t => t.Length) / 1024} KiB (setup {clock.ElapsedMilliseconds} ms)");
        Console.WriteLine($"analyzers: {work.Analyzers.Length} ({work.AnalyzerSource})");

        // Step reasons after one edit, with tracking on.
        var compilation = work.UserCompilation();
        var originalTree = compilation.SyntaxTrees.Single(t => t.FilePath == work.OriginalTree.FilePath);
        var driver = GeneratorWorkload.NewDriver(track: true).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(originalTree, work.EditedTree);
        clock.Restart();
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult();
        Console.WriteLine($"first edit after a cold run: {clock.Elapsed.TotalMilliseconds:F1} ms (tracking on)");
        var steps = result.Results[0].TrackedSteps;
        foreach (var name in new[] { ArchDslGenerator.ReadModelStep, ArchDslGenerator.ReadBlockStep, ArchDslGenerator.EmitModelStep, ArchDslGenerator.EmitBlockStep })
        {
            if (!steps.TryGetValue(name, out var runs)) { Console.WriteLine($"  {name}: not run"); continue; }
            var reasons = runs.SelectMany(r => r.Outputs).GroupBy(o => o.Reason).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
                .Select(g => $"{g.Key} {g.Count()}");
            var ms = runs.Sum(r => r.ElapsedTime.TotalMilliseconds);
            Console.WriteLine($"  {name}: {string.Join(", ", reasons)}; step time {ms:F1} ms");
        }
        var outputs = result.Results[0].TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(r => r.Outputs)
            .GroupBy(o => o.Reason).Select(g => $"{g.Key} {g.Count()}");
        Console.WriteLine($"  source outputs: {string.Join(", ", outputs)}");

        // A quick timing of the toggled edit without tracking (the benchmark measures it properly).
        var plain = GeneratorWorkload.NewDriver(track: false).RunGenerators(compilation);
        Compilation current = compilation;
        var times = new List<double>();
        // 60 untimed edits first: the IDE's host is long-running, and Roslyn's binder is still being re-jitted
        // (tiered compilation) for the first few dozen edits of a fresh process.
        for (int i = 0; i < 100; i++)
        {
            if (i == 60) times.Clear();
            var (from, to) = i % 2 == 0 ? (originalTree, work.EditedTree) : (work.EditedTree, originalTree);
            clock.Restart();
            current = current.ReplaceSyntaxTree(from, to);
            plain = plain.RunGenerators(current);
            _ = plain.GetRunResult().GeneratedTrees.Length;
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"edit → updated output, 40 edits after 60 untimed: median {times[times.Count / 2]:F2} ms, max {times[^1]:F2} ms, min {times[0]:F2} ms");

        // The floor for any reader: after an edit, bind the attributes of every field of every model and block
        // in the new compilation (what ForAttributeWithMetadataName's transforms must redo on any change).
        var floor = new List<double>();
        current = compilation;
        for (int i = 0; i < 40; i++)
        {
            var (from, to) = i % 2 == 0 ? (originalTree, work.EditedTree) : (work.EditedTree, originalTree);
            clock.Restart();
            current = current.ReplaceSyntaxTree(from, to);
            int n = 0;
            foreach (var type in current.GetSymbolsWithName(_ => true, SymbolFilter.Type).OfType<INamedTypeSymbol>())
            {
                n += type.GetAttributes().Length;
                foreach (var member in type.GetMembers()) n += member.GetAttributes().Sum(a => a.ConstructorArguments.Length + a.NamedArguments.Length);
            }
            floor.Add(clock.Elapsed.TotalMilliseconds);
        }
        floor.Sort();
        Console.WriteLine($"floor (bind every model/block field attribute in the edited compilation, no generator), 40 edits: " +
                          $"median {floor[floor.Count / 2]:F2} ms, min {floor[0]:F2} ms");
        return 0;
    }
}
