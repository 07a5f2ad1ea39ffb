using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// Findings reach hosts through Roslyn's public analyzer API (what csc, language servers and IDEs call), once each:
/// the generator reports none itself, and a finding is reported by the analysis of the file it lies in, so an editor
/// that analyzes only the open document shows it.
/// </summary>
public class AnalyzerPathTests
{
    private const string Block = TestModels.Usings + """
        /// <summary>A block whose convolution cannot take the model's input.</summary>
        [Block]
        public partial class Body { [Conv2d(8, Kernel = 9)] Conv2d conv; }
        """;

    private const string Model = TestModels.Usings + """
        /// <summary>Uses the block on a 4×4 map; a large head.</summary>
        [Model, Input(3, 4, 4)]
        public partial class Net { [Use(typeof(Body))] Body body; }

        /// <summary>Valid, and above the default 100 M parameter threshold.</summary>
        [Model, Input(10000)]
        public partial class Big { [Linear(10000)] Linear fc; }
        """;

    private static CSharpCompilationPair Build()
    {
        var blockTree = GeneratorHarness.Parse(Block, "Body.cs");
        var modelTree = GeneratorHarness.Parse(Model, "Net.cs");
        var r = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(new[] { blockTree, modelTree }));
        r.AssertNoGeneratorException();
        return new CSharpCompilationPair(r, blockTree, modelTree);
    }

    private sealed record CSharpCompilationPair(GeneratorResult Result, SyntaxTree BlockTree, SyntaxTree ModelTree);

    private static CompilationWithAnalyzers WithAnalyzer(Compilation c) =>
        c.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ArchDslAnalyzer()));

    [Fact]
    public async System.Threading.Tasks.Task Declaration_errors_and_judgement_come_through_the_public_analyzer_api_and_not_from_the_generator()
    {
        var (r, _, _) = Build();
        Assert.Empty(r.Single.Diagnostics);
        var all = await WithAnalyzer(r.Output).GetAllDiagnosticsAsync();
        // 9×9 kernel on a 4×4 map: an error in the block's file; 10000·10000 + 10000 = 100,010,000 parameters > 100 M: ADSL1001.
        Assert.Single(all, d => d.Id == "ADSL0005");
        Assert.Single(all, d => d.Id == "ADSL1001" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("100,010,000"));
        Assert.Single(all, d => d.Id == "ADSL1000"); // Big's counts (Net has an error: no counts)
        Assert.Equal(all.Length, all.Select(d => d.ToString()).Distinct().Count());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_finding_in_a_blocks_file_comes_from_that_files_own_analysis()
    {
        var (r, blockTree, modelTree) = Build();
        var output = r.Output;
        var block = output.SyntaxTrees.Single(t => t.FilePath == blockTree.FilePath);
        var model = output.SyntaxTrees.Single(t => t.FilePath == modelTree.FilePath);
        var forBlock = await WithAnalyzer(output).GetAnalyzerSyntaxDiagnosticsAsync(block, default);
        var forModel = await WithAnalyzer(output).GetAnalyzerSyntaxDiagnosticsAsync(model, default);
        var shape = Assert.Single(forBlock, d => d.Id == "ADSL0005");
        Assert.Equal("Kernel = 9", GeneratorResult.LocatedText(output, shape));
        Assert.DoesNotContain(forModel, d => d.Id == "ADSL0005");
        Assert.Contains(forModel, d => d.Id == "ADSL1001");
        Assert.DoesNotContain(forBlock, d => d.Id == "ADSL1001");
    }

    [Fact]
    public async System.Threading.Tasks.Task The_analyzer_alone_without_the_generators_output_reports_the_same_findings()
    {
        // An IDE may analyze before generated sources exist; the findings must not depend on them.
        var (r, _, _) = Build();
        var withGenerated = await WithAnalyzer(r.Output).GetAnalyzerDiagnosticsAsync();
        var withoutGenerated = await WithAnalyzer(r.Input).GetAnalyzerDiagnosticsAsync();
        Assert.Equal(withGenerated.Select(d => d.ToString()).OrderBy(s => s), withoutGenerated.Select(d => d.ToString()).OrderBy(s => s));
    }

    [Fact]
    public async System.Threading.Tasks.Task On_sources_the_generator_never_saw_the_analyzer_reads_and_evaluates_them_itself()
    {
        // New tree objects with the same texts (generated ones included, under the generator's paths): the generator's
        // run does not apply, so the analyzer reads each declaration and reaches the same findings.
        var (r, _, _) = Build();
        var copies = r.Output.SyntaxTrees.Select(t => GeneratorHarness.Parse(t.GetText().ToString(), t.FilePath));
        var fresh = GeneratorHarness.CreateCompilation(copies);
        var expected = await WithAnalyzer(r.Output).GetAnalyzerDiagnosticsAsync();
        var actual = await WithAnalyzer(fresh).GetAnalyzerDiagnosticsAsync();
        Assert.Equal(expected.Select(d => d.ToString()).OrderBy(s => s), actual.Select(d => d.ToString()).OrderBy(s => s));
        Assert.Contains(actual, d => d.Id == "ADSL0005");
        Assert.Empty(fresh.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
