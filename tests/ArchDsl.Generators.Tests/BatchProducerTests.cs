using System.Collections.Generic;
using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// Declarations new in a run are produced together, on all cores, before the per-declaration steps report them:
/// each is produced exactly once, a single edit is produced by its own step as before, and the result does not
/// depend on which path produced it.
/// </summary>
public class BatchProducerTests
{
    private const int Models = 12;

    private static string Model(int i, int width) => TestModels.Usings + $$"""
        /// <summary>M{{i}}.</summary>
        [Model, Input(3, 16, 16)]
        public partial class M{{i}}
        {
            [Conv2d({{width}}, Kernel = 3, Padding = 1)] Conv2d conv;
            [Stage(typeof(Body{{i % 3}}), 2, "width = {{8 + i}}")] Sequential body;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }
        """;

    private static string Block(int i) => TestModels.Usings + $$"""
        /// <summary>B{{i}}.</summary>
        [Block]
        public partial class Body{{i}}
        {
            [Conv2d("width", Kernel = 3, Padding = 1)] Conv2d conv;
            [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn;
        }
        """;

    private static List<SyntaxTree> Trees() =>
        Enumerable.Range(0, Models).Select(i => GeneratorHarness.Parse(Model(i, 4 + i), $"M{i}.cs"))
            .Concat(Enumerable.Range(0, 3).Select(i => GeneratorHarness.Parse(Block(i), $"B{i}.cs"))).ToList();

    [Fact]
    public void A_full_run_produces_every_declaration_once_in_the_batch()
    {
        var generator = new ArchDslGenerator();
        var r = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Trees()), GeneratorHarness.CreateDriver(generator));
        r.AssertNoGeneratorException();
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        Assert.Equal(Models + 3, r.Sources.Count());
        Assert.Equal(Models + 3, generator.Producer!.ProducedInBatch);
        Assert.Equal(0, generator.Producer.ProducedAlone);
    }

    [Fact]
    public void One_edit_is_produced_by_its_own_step_and_two_edits_in_a_batch()
    {
        var generator = new ArchDslGenerator();
        var trees = Trees();
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(trees), GeneratorHarness.CreateDriver(generator));

        var edited = first.Input.ReplaceSyntaxTree(trees[3], GeneratorHarness.Parse(Model(3, 40), "M3.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);
        Assert.Equal(0, generator.Producer!.ProducedInBatch);
        Assert.Equal(1, generator.Producer.ProducedAlone);
        Assert.Equal("public const long ParameterCount = " + Parameters(3, 40) + "L;", Line(second.Source("Tests.M3.g.cs")!, "ParameterCount").Trim());

        var twice = second.Input
            .ReplaceSyntaxTree(second.Input.SyntaxTrees.Single(t => t.FilePath == "M5.cs"), GeneratorHarness.Parse(Model(5, 50), "M5.cs"))
            .ReplaceSyntaxTree(second.Input.SyntaxTrees.Single(t => t.FilePath == "M7.cs"), GeneratorHarness.Parse(Model(7, 70), "M7.cs"));
        var third = GeneratorHarness.Run(twice, second.Driver);
        third.AssertNoGeneratorException();
        Assert.Equal(2, generator.Producer.ProducedInBatch);
        Assert.Equal(1, generator.Producer.ProducedAlone);
        // The model edited before (produced alone, its step now cached) is not produced again.
        Assert.Equal(second.Source("Tests.M3.g.cs"), third.Source("Tests.M3.g.cs"));
    }

    [Fact]
    public void Sources_and_diagnostics_do_not_depend_on_the_path_that_produced_them()
    {
        // Batch: every declaration at once. Alone: one model added per run, so each is produced by its step.
        var all = Trees();
        var batch = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(all));

        var generator = new ArchDslGenerator();
        var blocksOnly = all.Skip(Models).ToList();
        var r = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(blocksOnly), GeneratorHarness.CreateDriver(generator));
        for (int i = 0; i < Models; i++) r = GeneratorHarness.Run(r.Input.AddSyntaxTrees(all[i]), r.Driver);
        Assert.Equal(Models, generator.Producer!.ProducedAlone);

        var expected = batch.Sources.OrderBy(s => s.HintName, System.StringComparer.Ordinal).ToList();
        var actual = r.Sources.OrderBy(s => s.HintName, System.StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(s => s.HintName), actual.Select(s => s.HintName));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Text, actual[i].Text);
        Assert.Equal(batch.GeneratorDiagnostics.Select(d => d.ToString()).OrderBy(s => s, System.StringComparer.Ordinal),
                     r.GeneratorDiagnostics.Select(d => d.ToString()).OrderBy(s => s, System.StringComparer.Ordinal));
    }

    /// <summary>The model's parameters by hand: a 3→w 3×3 convolution, two blocks of w'→w' 3×3 conv + batch norm
    /// (the first from w), and a w'→10 linear, where w' = 8 + i.</summary>
    private static long Parameters(int i, int w)
    {
        long wb = 8 + i;
        long conv = 3 * w * 9 + w;
        long block0 = w * wb * 9 + wb + 2 * wb;
        long block1 = wb * wb * 9 + wb + 2 * wb;
        return conv + block0 + block1 + wb * 10 + 10;
    }

    private static string Line(string source, string member) => source.Split('\n').First(l => l.Contains("const long " + member));
}
