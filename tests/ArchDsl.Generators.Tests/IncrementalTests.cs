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

    /// <summary>Judgement thresholds for one file (.editorconfig), as the IDE hands the driver new options.</summary>
    [Fact]
    public void Changing_a_files_judgement_options_rejudges_only_its_models()
    {
        var (first, _) = Start();
        Assert.DoesNotContain(first.GeneratorDiagnostics, d => d.Id == "ADSL1001");
        // TinyCnn: 33,882 parameters, above 10 K; TinyVit (81,226) is in another file and keeps the default 100 M.
        var options = new FileOptions("TinyCnn.cs", "archdsl.ADSL1001.max_parameters", "10K");
        var second = GeneratorHarness.Run(first.Input, first.Driver.WithUpdatedAnalyzerConfigOptions(options), options);
        second.AssertNoGeneratorException();

        var warning = Assert.Single(second.GeneratorDiagnostics);
        Assert.Equal("ADSL1001", warning.Id);
        Assert.Equal("TinyCnn.cs", warning.Location.SourceTree?.FilePath);
        Assert.Contains("33,882", warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        var emits = StepInspector.Outputs(second.Single, ArchDslGenerator.EmitModelStep).ToList();
        Assert.Single(emits, o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(emits, o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        Assert.Equal(first.Sources, second.Sources);
    }

    /// <summary>A student is judged against its teacher (ADSL1014): editing only the teacher's file must reach it.</summary>
    [Fact]
    public void Editing_the_teacher_in_another_file_rejudges_the_student()
    {
        const string teacher = TestModels.Usings + """
            /// <summary>T.</summary>
            [Model, Input(1000)]
            public partial class Big { [Linear(1000)] Linear fc; }
            """;
        const string student = TestModels.Usings + """
            /// <summary>S.</summary>
            [Model, Input(1000), Teacher(typeof(Big))]
            public partial class Little { [Linear(100)] Linear fc; }
            """;
        var teacherTree = GeneratorHarness.Parse(teacher, "Big.cs");
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(new[] { teacherTree, GeneratorHarness.Parse(student, "Little.cs") }));
        // 1,001,000 / 100,100 = 10: not above the default bound of 10.
        Assert.DoesNotContain(first.AllGeneratorDiagnostics, d => d.Id == "ADSL1014");

        // 2,002,000 / 100,100 = 20.
        var edited = GeneratorHarness.Parse(teacher.Replace("[Linear(1000)]", "[Linear(2000)]"), "Big.cs");
        var second = GeneratorHarness.Run(first.Input.ReplaceSyntaxTree(teacherTree, edited), first.Driver);
        var finding = Assert.Single(second.AllGeneratorDiagnostics, d => d.Id == "ADSL1014");
        Assert.Equal("Little.cs", finding.Location.SourceTree?.FilePath);
        Assert.Contains("20×", finding.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        // The incremental run says what a fresh run over the edited compilation says.
        var fresh = GeneratorHarness.Run(second.Input);
        Assert.Equal(fresh.AllGeneratorDiagnostics.Select(d => d.ToString()), second.AllGeneratorDiagnostics.Select(d => d.ToString()));
    }

    /// <summary>One .editorconfig value for one file path; nothing global.</summary>
    private sealed class FileOptions : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
    {
        private readonly string _path;
        private readonly Values _values;

        public FileOptions(string path, string key, string value)
        {
            _path = path;
            _values = new Values(new System.Collections.Generic.Dictionary<string, string> { [key] = value });
        }

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions => Values.None;
        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => tree.FilePath == _path ? _values : Values.None;
        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Values.None;

        private sealed class Values(System.Collections.Generic.Dictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
        {
            public static readonly Values None = new(new System.Collections.Generic.Dictionary<string, string>());
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
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
