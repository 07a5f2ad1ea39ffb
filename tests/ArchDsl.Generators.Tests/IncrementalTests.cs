using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Incremental behaviour: what an edit re-runs, and what the pipeline keeps.</summary>
public class IncrementalTests
{
    private static (GeneratorResult First, SyntaxTree Cnn) Start()
    {
        var cnn = GeneratorHarness.Parse(TestModels.TinyCnn, "TinyCnn.cs");
        var vit = GeneratorHarness.Parse(TestModels.TinyVit.Replace("namespace Tests;", "namespace Tests.Vit;"), "TinyVit.cs");
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(new[] { cnn, vit }));
        first.AssertNoGeneratorException();
        Assert.Empty(first.GeneratorDiagnostics);
        return (first, cnn);
    }

    [Fact]
    public void Unrelated_edit_leaves_every_tracked_step_cached_or_unchanged()
    {
        var (first, _) = Start();
        var edited = first.Input.AddSyntaxTrees(GeneratorHarness.Parse("namespace Other; public class Unrelated { public int X => 1; }", "Unrelated.cs"));
        var second = GeneratorHarness.Run(edited, first.Driver);
        second.AssertNoGeneratorException();

        foreach (var step in StepInspector.TrackedSteps)
        {
            var outputs = StepInspector.Outputs(second.Single, step).ToList();
            Assert.True(outputs.Count > 0, $"step {step} did not run at all");
            foreach (var (_, reason) in outputs)
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}");
        }
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void Relevant_edit_marks_that_model_modified_and_leaves_the_other_cached()
    {
        var (first, cnn) = Start();
        var changed = GeneratorHarness.Parse(TestModels.TinyCnn.Replace("[Conv2d(16, Kernel = 3", "[Conv2d(24, Kernel = 3"), "TinyCnn.cs");
        var second = GeneratorHarness.Run(first.Input.ReplaceSyntaxTree(cnn, changed), first.Driver);
        second.AssertNoGeneratorException();

        var reads = StepInspector.Outputs(second.Single, ArchDslGenerator.ReadModelStep).ToList();
        Assert.Contains(reads, o => o.Reason == IncrementalStepRunReason.Modified && Name(o.Value) == "TinyCnn");
        Assert.Contains(reads, o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged && Name(o.Value) == "TinyVit");
        var emits = StepInspector.Outputs(second.Single, ArchDslGenerator.EmitModelStep).ToList();
        Assert.Contains(emits, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.DoesNotContain(StepInspector.Outputs(second.Single, ArchDslGenerator.ReadBlockStep), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.NotEqual(first.Source("Tests.TinyCnn.g.cs"), second.Source("Tests.TinyCnn.g.cs"));
        Assert.Equal(first.Source("Tests.Vit.TinyVit.g.cs"), second.Source("Tests.Vit.TinyVit.g.cs"));
    }

    /// <summary>
    /// A model in one file using a block declared in another: editing only the block must update the
    /// model's counts (the model's read step embeds the block's declaration).
    /// </summary>
    [Fact]
    public void Editing_a_block_in_another_file_updates_the_model_that_uses_it()
    {
        const string block = TestModels.Usings + """
            /// <summary>B.</summary>
            [Block]
            public partial class Body
            {
                [Conv2d("width", Kernel = 3, Padding = 1)] Conv2d conv;
            }
            """;
        const string model = TestModels.Usings + """
            /// <summary>M.</summary>
            [Model, Input(3, 8, 8)]
            public partial class UsesBody
            {
                [Stage(typeof(Body), 1, "width = 4")] Sequential body;
            }
            """;
        var blockTree = GeneratorHarness.Parse(block, "Body.cs");
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(new[] { blockTree, GeneratorHarness.Parse(model, "UsesBody.cs") }));
        Assert.Contains("ParameterCount = 112L;", first.Source("Tests.UsesBody.g.cs")); // 4·3·3·3 + 4

        var edited = GeneratorHarness.Parse(block.Replace("Kernel = 3, Padding = 1", "Kernel = 1, Padding = 0"), "Body.cs");
        var second = GeneratorHarness.Run(first.Input.ReplaceSyntaxTree(blockTree, edited), first.Driver);
        // A fresh run over the edited compilation is the reference.
        var fresh = GeneratorHarness.Run(second.Input);
        Assert.Contains("ParameterCount = 16L;", fresh.Source("Tests.UsesBody.g.cs")); // 4·3·1·1 + 4
        Assert.Equal(fresh.Source("Tests.UsesBody.g.cs"), second.Source("Tests.UsesBody.g.cs"));
    }

    [Fact]
    public void No_compiler_object_is_reachable_from_any_step_output()
    {
        var (first, _) = Start();
        // Roslyn's own internal steps (compilationUnit_ForAttribute ...) hold syntax trees by design; ours must not.
        foreach (var step in first.Single.TrackedSteps.Where(s => StepInspector.TrackedSteps.Contains(s.Key)))
            foreach (var run in step.Value)
                foreach (var (value, _) in run.Outputs)
                {
                    var found = StepInspector.FindCompilerObjects(value);
                    Assert.True(found.Count == 0, $"step {step.Key} keeps compiler objects:\n" + string.Join("\n", found.Take(10)));
                }
        // The user-named steps are among those walked.
        foreach (var name in StepInspector.TrackedSteps) Assert.True(first.Single.TrackedSteps.ContainsKey(name), name);
    }

    private static string? Name(object value) =>
        value?.GetType().GetProperty("Root")?.GetValue(value) is { } root ? root.GetType().GetProperty("Name")?.GetValue(root) as string : null;
}
