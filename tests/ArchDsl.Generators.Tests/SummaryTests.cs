using System.IO;
using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using ArchDsl.Core.Tests;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// A generated model's <c>Summary</c>, formatted at run time from its ArchitectureJson constant, against the summary
/// texts reviewed when they were still generated as constants (Snapshots/*.summary.txt): same rows, widths and totals.
/// </summary>
public class SummaryTests
{
    [Theory]
    [InlineData("TinyCnn", "Tests.TinyCnn")]
    [InlineData("TinyVit", "Tests.TinyVit")]
    [InlineData("DefaultParam", "Tests.Widen")]
    public void Runtime_summary_is_the_reviewed_text(string model, string typeName)
    {
        var source = (string)typeof(TestModels).GetField(model)!.GetValue(null)!;
        var r = GeneratorHarness.Run(source);
        r.AssertNoGeneratorException();
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        var result = RuntimeCheck.Run(r.Output, new[] { typeName }).Single();
        Assert.True(result.Ok, result.Describe());
        string expected = File.ReadAllText(Path.Combine(Path.GetDirectoryName(Here())!, "Snapshots", typeName + ".summary.txt")).Replace("\r\n", "\n");
        Assert.Equal(expected, result.Summary);
    }

    [Fact]
    public void A_projected_residual_on_vectors_is_a_Linear_row_as_in_the_module()
    {
        // b widens 16 → 32 features, so its shortcut from a's input is projected: a Linear(16, 32), 16·32 + 32 parameters.
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(16)]
            public partial class Widening
            {
                [Linear(16)] Linear a;
                [Linear(32), Residual(From = nameof(a))] Linear b;
                [Linear(4)] Linear head;
            }
            """);
        r.AssertNoGeneratorException();
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        // RuntimeCheck holds every table row to the module at its path: class and parameter count.
        var result = RuntimeCheck.Run(r.Output, new[] { "Tests.Widening" }).Single();
        Assert.True(result.Ok, result.Describe());
        Assert.Contains(result.Summary!.Split('\n'), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^downsample \(Linear\) +32 +544 +512$"));
    }

    /// <summary>
    /// Plans no C# source can spell, through the JSON and back: a name with a quote, a backslash, control characters
    /// and the line separators a C# literal cannot hold; counts near 4.6 × 10¹⁸; a stage. The runtime summary of the
    /// JSON must be the core's summary of the plan, character for character.
    /// </summary>
    [Theory]
    [InlineData("hostile")]
    [InlineData("huge")]
    [InlineData("stage")]
    public void Runtime_summary_of_the_json_is_the_core_summary_of_the_plan(string which)
    {
        const long n = int.MaxValue;
        var block = Decl.Block("Body", "Image", new[] { ("width", 4L) }, Decl.M("conv", Decl.A("Conv2d", "width", Decl.N("Kernel", 3), Decl.N("Padding", 1))));
        var model = which switch
        {
            "hostile" => Decl.Model("N\"a\\m\ne\t\u0001\u0085\u2028é", new long[] { 3, 8, 8 }, Decl.M("conv", Decl.A("Conv2d", 4, Decl.N("Kernel", 3))), Decl.M("flatten", Decl.A("Flatten"))),
            "huge" => Decl.Model("Wide", new[] { n }, Decl.M("fc", Decl.A("Linear", n))),
            _ => Decl.Model("Staged", new long[] { 4, 8, 8 }, Decl.M("layers", Decl.A("Stage", Decl.T("Tests.Body"), 3, "width = 4"))),
        };
        var plan = ArchDsl.Core.Evaluation.Evaluator.EvaluateModel(model, which == "stage" ? new[] { block } : System.Array.Empty<ArchDsl.Core.Declarations.ModuleDecl>());
        Assert.False(plan.HasErrors, string.Join("; ", plan.Findings.Select(f => f.Id)));
        string expected = ArchDsl.Core.Reporting.Report.Summary(plan);
        Assert.Equal(expected, ModelSummary.FromArchitectureJson(ArchDsl.Core.Reporting.Report.Json(plan)));
        if (which == "stage") Assert.Contains("layers (Stage ×3)", expected);
    }

    private static string Here([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    [Fact]
    public void A_type_that_is_not_a_generated_model_is_refused_by_name()
    {
        var e = Assert.Throws<System.ArgumentException>(() => ModelSummary.Of(typeof(SummaryTests)));
        Assert.Contains("ArchDsl.Generators.Tests.SummaryTests has no ArchitectureJson constant", e.Message);
    }

    private const string GoodRow = """{"path":"fc","kind":"Linear","depth":0,"output":[2],"parameters":6,"macs":4,"count":1}""";
    private const string Totals = "\"name\":\"Net\",\"namespace\":\"Tests\",\"input\":[2],\"output\":[2],\"parameters\":6,\"buffers\":0,\"macs\":4,\"flops\":8";

    /// <summary>
    /// The schema's reader is one file (ArchitectureDocument.cs), compiled into the runtime library and linked into the
    /// report tool: a text the generator would never write is refused the same way by Layers, Summary and the tool,
    /// with the exception types their documentation names, and never read as a default.
    /// </summary>
    [Theory]
    [InlineData("{" + Totals + ",\"layers\":[" + GoodRow + "]}", null)]
    [InlineData("{" + Totals + ",\"layers\":[{\"path\":\"fc\",\"kind\":\"Linear\",\"depth\":0,\"output\":[2],\"parameters\":6,\"macs\":4}]}", typeof(System.Collections.Generic.KeyNotFoundException))]
    [InlineData("{" + Totals + ",\"layers\":[{\"path\":null,\"kind\":\"Linear\",\"depth\":0,\"output\":[2],\"parameters\":6,\"macs\":4,\"count\":1}]}", typeof(System.InvalidOperationException))]
    [InlineData("{" + Totals + ",\"layers\":[{\"path\":\"fc\",\"kind\":\"Linear\",\"depth\":0,\"output\":[2],\"parameters\":6,\"macs\":4,\"count\":\"1\"}]}", typeof(System.InvalidOperationException))]
    [InlineData("{" + Totals + ",\"layers\":[{\"path\":\"fc\",\"kind\":\"Linear\",\"depth\":0,\"output\":[2],\"parameters\":6,\"macs\":4,\"count\":1,\"head\":7}]}", typeof(System.InvalidOperationException))]
    [InlineData("{\"name\":\"Net\",\"input\":[2],\"output\":[2],\"parameters\":6,\"buffers\":0,\"macs\":4,\"flops\":8,\"layers\":[" + GoodRow + "]}", typeof(System.Collections.Generic.KeyNotFoundException))]
    [InlineData("{" + Totals + ",\"layers\":[{\"path\":\"fc\",\"kind\":\"Linear\",\"depth\":0,\"output\":[2],\"parameters\":6,\"macs\":4,\"count\":1e30}]}", typeof(System.FormatException))]
    [InlineData("{" + Totals + ",\"layers\":[" + GoodRow + "]", typeof(System.Text.Json.JsonException))]
    public void Runtime_readers_accept_only_what_the_generator_writes(string json, System.Type? error)
    {
        if (error is null)
        {
            Assert.Equal("fc", Assert.Single(LayerInfo.FromArchitectureJson(json)).Path);
            Assert.Contains("Trainable parameters: 6\n", ModelSummary.FromArchitectureJson(json));
            return;
        }
        Assert.IsAssignableFrom(error, Record.Exception(() => LayerInfo.FromArchitectureJson(json)));
        Assert.IsAssignableFrom(error, Record.Exception(() => ModelSummary.FromArchitectureJson(json)));
    }
}
