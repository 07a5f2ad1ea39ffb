using System.IO;
using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
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
        string expected = File.ReadAllText(Path.Combine(Path.GetDirectoryName(Here())!, "Snapshots", typeName + ".summary.txt"));
        Assert.Equal(expected, result.Summary);
    }

    private static string Here([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    [Fact]
    public void A_type_that_is_not_a_generated_model_is_refused_by_name()
    {
        var e = Assert.Throws<System.ArgumentException>(() => ModelSummary.Of(typeof(SummaryTests)));
        Assert.Contains("ArchDsl.Generators.Tests.SummaryTests has no ArchitectureJson constant", e.Message);
    }
}
