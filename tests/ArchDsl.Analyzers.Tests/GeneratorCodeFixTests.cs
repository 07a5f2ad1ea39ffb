using System.Linq;
using System.Threading.Tasks;
using ArchDsl.CodeFixes;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

/// <summary>ADSL0019 code fix: the diagnostic comes from the generator, so the generator runs in these tests.</summary>
public class ReplaceExplicitSizeCodeFixTests
{
    private static string Model(string body, string input = "3, 32, 32", string name = "Net") =>
        "[Model, Input(" + input + ")]\npublic partial class " + name + "\n{\n" + body + "}\n";

    private const string Wrong = """
            [Conv2d(2048, Kernel = 1)] Conv2d conv;
            [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
            [Flatten] Flatten flatten;
            [Linear(10, {|#0:InFeatures = 512|})] Linear fc;
        """;

    [Fact]
    public Task Writes_the_inferred_in_features() =>
        Verify.Fix<ReplaceExplicitSizeCodeFix>(Sources.Usings + Model(Wrong),
            Sources.Usings + Model(Wrong.Replace("{|#0:InFeatures = 512|}", "InFeatures = 2048")),
            new[] { Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("fc", "InFeatures", "512", "2048", "features") });

    [Fact]
    public Task Writes_the_inferred_in_channels_and_keeps_other_arguments() =>
        Verify.Fix<ReplaceExplicitSizeCodeFix>(Sources.Usings + Model("""
                [Conv2d(16, Kernel = 3, {|#0:InChannels = 1|}, Padding = 1)] Conv2d conv;
            """),
            Sources.Usings + Model("""
                [Conv2d(16, Kernel = 3, InChannels = 3, Padding = 1)] Conv2d conv;
            """),
            new[] { Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("conv", "InChannels", "1", "3", "channels") });

    [Fact]
    public Task Replaces_a_constant_expression_by_the_literal() =>
        Verify.Fix<ReplaceExplicitSizeCodeFix>(Sources.Usings + Model("""
                const int Wide = 32;
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [BatchNorm2d({|#0:InChannels = Wide|})] BatchNorm2d bn;
            """),
            Sources.Usings + Model("""
                const int Wide = 32;
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [BatchNorm2d(InChannels = 16)] BatchNorm2d bn;
            """),
            new[] { Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("bn", "InChannels", "32", "16", "channels") });

    [Fact]
    public Task Fixes_the_size_inside_a_block() =>
        Verify.Fix<ReplaceExplicitSizeCodeFix>(Sources.Usings + """
            [Block(Layout.Vector)]
            public partial class Classifier
            {
                [Linear(10, {|#0:InFeatures = 64|})] Linear fc;
            }

            [Model, Input(32)]
            public partial class Net
            {
                [Use(typeof(Classifier))] Classifier head;
            }
            """,
            Sources.Usings + """
            [Block(Layout.Vector)]
            public partial class Classifier
            {
                [Linear(10, InFeatures = 32)] Linear fc;
            }

            [Model, Input(32)]
            public partial class Net
            {
                [Use(typeof(Classifier))] Classifier head;
            }
            """,
            new[] { Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("Net.head.fc", "InFeatures", "64", "32", "features") });

    [Fact]
    public Task Fix_all_fixes_two_models_in_one_document() =>
        Verify.Fix<ReplaceExplicitSizeCodeFix>(
            Sources.Usings + Model(Wrong) + "\n" + Model("""
                [Mlp(64, {|#1:InFeatures = 100|})] Sequential mlp;
            """, "8, 32", "Other"),
            Sources.Usings + Model(Wrong.Replace("{|#0:InFeatures = 512|}", "InFeatures = 2048")) + "\n" + Model("""
                [Mlp(64, InFeatures = 32)] Sequential mlp;
            """, "8, 32", "Other"),
            new[]
            {
                Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("fc", "InFeatures", "512", "2048", "features"),
                Verify.Diagnostic("ADSL0019").WithLocation(1).WithArguments("mlp", "InFeatures", "100", "32", "features"),
            },
            incrementalIterations: 2, fixAllIterations: 1);

    [Fact]
    public void Wrong_model_reports_and_generates_no_module()
    {
        // The check below would pass vacuously if the helper missed generator diagnostics.
        var (generated, diagnostics) = Verify.Generate(Sources.Usings + Model(Wrong.Replace("{|#0:InFeatures = 512|}", "InFeatures = 512")));
        Assert.Contains(diagnostics, d => d.Id == "ADSL0019" && d.Location.SourceTree?.FilePath == "/0/Test0.cs");
        Assert.DoesNotContain(generated, n => n.StartsWith("Net", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Fixed_model_generates_its_module()
    {
        var (generated, diagnostics) = Verify.Generate(Sources.Usings + Model(Wrong.Replace("{|#0:InFeatures = 512|}", "InFeatures = 2048")));
        Assert.Contains(generated, n => n.StartsWith("Net", System.StringComparison.Ordinal));
        // Warnings and errors only: every valid model gets its counts as info (ADSL1000).
        Assert.Equal("", string.Join("\n", diagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)));
        Assert.Contains(diagnostics, d => d.Id == "ADSL1000");
    }
}

/// <summary>ADSL1013 code fix: each single-layer head moves into its own [Block] around the shared body.</summary>
public class OwnHeadBlockCodeFixTests
{
    private const string Conflict = """
        [Model, Input(3, 32, 32)]
        public partial class {|#0:Net|}
        {
            [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
            [Conv2d(16, Kernel = 3, Padding = 1), Head(TaskKind.Deraining)] Conv2d derain;
            [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
            [Flatten] Flatten flatten;
            [Linear(10), Head(TaskKind.Classification)] Linear fc;
        }

        """;

    private const string Fixed = """
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
            [Use(typeof(NetDerainingHead)), Head(TaskKind.Deraining)] NetDerainingHead derain;
            [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
            [Flatten] Flatten flatten;
            [Use(typeof(NetClassificationHead)), Head(TaskKind.Classification)] NetClassificationHead fc;
        }

        [Block(Layout.Image)]
        public partial class NetDerainingHead
        {
            [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d derain;
        }

        [Block(Layout.Vector)]
        public partial class NetClassificationHead
        {
            [Linear(10)] Linear fc;
        }

        """;

    /// <summary>These heads also chain (the classifier reads the derained image, before and after the fix): ADSL1022,
    /// tested in HeadTests; these tests are about ADSL1013 and its fix.</summary>
    private static readonly string[] Chained = { "ADSL1022" };

    private static Microsoft.CodeAnalysis.Testing.DiagnosticResult Warning(int location, string model = "Net") =>
        Verify.Diagnostic("ADSL1013").WithLocation(location).WithArguments(model, "derain: Deraining", "fc: Classification");

    [Fact]
    public Task Moves_each_head_into_its_own_block() =>
        Verify.Fix<OwnHeadBlockCodeFix>(Sources.Usings + Conflict, Sources.Usings + Fixed, new[] { Warning(0) }, disabled: Chained);

    [Fact]
    public void Fixed_code_compiles_and_generates_modules()
    {
        var (generated, diagnostics) = Verify.Generate(Sources.Usings + Fixed);
        // Warnings and errors only: every valid model gets its counts as info (ADSL1000). Head blocks written one after
        // the other still chain (the classifier reads the derained image): ADSL1022 says so, and nothing else.
        Assert.Equal("", string.Join("\n", diagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning && d.Id != "ADSL1022")));
        Assert.Single(diagnostics, d => d.Id == "ADSL1022");
        Assert.Contains(diagnostics, d => d.Id == "ADSL1000");
        foreach (var name in new[] { "Net", "NetDerainingHead", "NetClassificationHead" })
            Assert.Contains(generated, n => n == name + ".g.cs" || n.StartsWith(name + ".", System.StringComparison.Ordinal));
    }

    [Fact]
    public Task Fix_all_moves_the_heads_of_two_models() =>
        Verify.Fix<OwnHeadBlockCodeFix>(
            Sources.Usings + Conflict + Conflict.Replace("{|#0:Net|}", "{|#1:Other|}"),
            Sources.Usings + Fixed + Fixed.Replace("Net", "Other"),
            new[] { Warning(0), Warning(1, "Other") },
            incrementalIterations: 2, fixAllIterations: 1, disabled: Chained);

    [Fact]
    public Task Keeps_the_indentation_inside_a_namespace() =>
        Verify.Fix<OwnHeadBlockCodeFix>(
            Sources.Usings + "namespace Demo\n{\n" + Indent(Conflict) + "}\n",
            Sources.Usings + "namespace Demo\n{\n" + Indent(Fixed) + "}\n",
            new[] { Warning(0) }, disabled: Chained);

    private static string Indent(string text) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));

    [Fact]
    public Task Moves_a_head_on_tokens_into_a_tokens_block() =>
        Verify.Fix<OwnHeadBlockCodeFix>(Sources.Usings + """
            [Model, Input(3, 48, 48)]
            public partial class {|#0:Ipt|}
            {
                [Conv2d(64, Kernel = 12, Stride = 12)] Conv2d conv_proj;
                [Tokens] Tokens patches;
                [Linear(64), Head(TaskKind.Denoising)] Linear denoise;
                [SelectToken(0)] SelectToken cls;
                [Linear(10), Head(TaskKind.Classification)] Linear fc;
            }
            """,
            Sources.Usings + """
            [Model, Input(3, 48, 48)]
            public partial class Ipt
            {
                [Conv2d(64, Kernel = 12, Stride = 12)] Conv2d conv_proj;
                [Tokens] Tokens patches;
                [Use(typeof(IptDenoisingHead)), Head(TaskKind.Denoising)] IptDenoisingHead denoise;
                [SelectToken(0)] SelectToken cls;
                [Use(typeof(IptClassificationHead)), Head(TaskKind.Classification)] IptClassificationHead fc;
            }

            [Block(Layout.Tokens)]
            public partial class IptDenoisingHead
            {
                [Linear(64)] Linear denoise;
            }

            [Block(Layout.Vector)]
            public partial class IptClassificationHead
            {
                [Linear(10)] Linear fc;
            }

            """,
            new[] { Verify.Diagnostic("ADSL1013").WithLocation(0).WithArguments("Ipt", "denoise: Denoising", "fc: Classification") }, disabled: Chained);

    [Fact]
    public Task Avoids_a_taken_block_name() =>
        Verify.Fix<OwnHeadBlockCodeFix>(Sources.Usings + Conflict + "public class NetDerainingHead { }\n",
            Sources.Usings + Fixed.Replace("NetDerainingHead", "NetDerainingHead2") + "public class NetDerainingHead { }\n",
            new[] { Warning(0) }, disabled: Chained);

    [Fact]
    public Task Not_offered_when_a_conflicting_head_is_inside_a_block() =>
        Verify.Fix<OwnHeadBlockCodeFix>(Sources.Usings + NestedHead, Sources.Usings + NestedHead,
            new[] { Verify.Diagnostic("ADSL1013").WithLocation(0).WithArguments("Net", "trunk.derain: Deraining", "fc: Classification") },
            fixedExpected: new[] { Verify.Diagnostic("ADSL1013").WithLocation(0).WithArguments("Net", "trunk.derain: Deraining", "fc: Classification") },
            disabled: Chained);

    private const string NestedHead = """
        [Block(Layout.Image)]
        public partial class Trunk
        {
            [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
            [Conv2d(16, Kernel = 3, Padding = 1), Head(TaskKind.Deraining)] Conv2d derain;
        }

        [Model, Input(3, 32, 32)]
        public partial class {|#0:Net|}
        {
            [Use(typeof(Trunk))] Trunk trunk;
            [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
            [Flatten] Flatten flatten;
            [Linear(10), Head(TaskKind.Classification)] Linear fc;
        }

        """;
}
