using ArchDsl.CodeFixes;
using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

public class HeadTests
{
    private static string Model(string body, string name = "Net") =>
        Sources.Usings + "[Model, Input(3, 32, 32)]\npublic partial class {|#0:" + name + "|}\n{\n" + body + "}\n";

    [Fact]
    public Task Classification_head_on_a_map_is_an_error() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [Linear(10), Head(TaskKind.Classification)] Linear {|#1:fc|};
            """),
            Verify.Diagnostic("ADSL1012").WithLocation(1).WithArguments("fc", "a C×H×W map 16×32×32"));

    [Fact]
    public Task Classification_head_on_tokens_is_an_error() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 8, Stride = 8)] Conv2d conv;
                [Tokens] Tokens patches;
                [Linear(10), Head(TaskKind.Classification)] Linear {|#1:fc|};
            """),
            Verify.Diagnostic("ADSL1012").WithLocation(1).WithArguments("fc", "a token sequence 16×16"));

    /// <summary>
    /// A Linear after pooling without Flatten acts on the width alone: ResNet-18 built this way has 11,178,512 parameters
    /// and output 512×1×1000, not torchvision's 11,689,512 and 1000, silently (found by a user test). A warning now.
    /// </summary>
    [Fact]
    public Task Linear_on_a_map_without_flatten_warns() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Linear(10)] Linear {|#1:fc|};
            """),
            Verify.Diagnostic("ADSL1017").WithLocation(1).WithArguments("fc", "Linear", "16×1×1", "16×1×10", "put [Flatten] (after pooling) before it to use all 16 features"));

    /// <summary>An Mlp is two Linears on the last axis; inside a Stage it is reported once, not once per instance.</summary>
    [Fact]
    public Task Mlp_on_a_map_in_a_stage_warns_once() =>
        Verify.Analyzer(Sources.Usings + """
            [Block]
            public partial class MapBlock { [Conv2d("c", Kernel = 1)] Conv2d conv; [Mlp(16, Out = 8)] Sequential mlp; }

            [Model, Input(8, 8, 8)]
            public partial class {|#0:Net|} { [Stage(typeof(MapBlock), 3, "c = 8")] Sequential stage; }
            """,
            Verify.Diagnostic("ADSL1017").WithLocation(0).WithArguments("stage.0.mlp", "Mlp", "8×8×8", "8×8×8", "put [Flatten] (after pooling) before it to use all 512 features"));

    /// <summary>Two Stages of one block: one warning each (the first version reported the block member once per model).</summary>
    [Fact]
    public Task Mlp_on_a_map_in_two_stages_warns_for_each() =>
        Verify.Analyzer(Sources.Usings + """
            [Block]
            public partial class MapBlock { [Conv2d("c", Kernel = 1)] Conv2d conv; [Mlp(16, Out = 8)] Sequential mlp; }

            [Model, Input(8, 8, 8)]
            public partial class {|#0:Net|}
            {
                [Stage(typeof(MapBlock), 2, "c = 8")] Sequential stage;
                [Stage(typeof(MapBlock), 2, "c = 8")] Sequential stage2;
            }
            """,
            Verify.Diagnostic("ADSL1017").WithLocation(0).WithArguments("stage.0.mlp", "Mlp", "8×8×8", "8×8×8", "put [Flatten] (after pooling) before it to use all 512 features"),
            Verify.Diagnostic("ADSL1017").WithLocation(0).WithArguments("stage2.0.mlp", "Mlp", "8×8×8", "8×8×8", "put [Flatten] (after pooling) before it to use all 512 features"));

    [Fact]
    public Task Linear_after_flatten_or_on_tokens_is_fine() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 8, Stride = 8)] Conv2d conv;
                [Tokens] Tokens patches;
                [Linear(32)] Linear proj;
                [SelectToken(0)] SelectToken first;
                [Linear(10)] Linear fc;
            """));

    [Fact]
    public Task Classification_head_after_pooling_is_fine() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10), Head(TaskKind.Classification)] Linear fc;
            """));

    [Fact]
    public Task Dense_head_after_flatten_is_an_error() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10), Head(TaskKind.Segmentation)] Linear {|#1:seg|};
            """),
            Verify.Diagnostic("ADSL1011").WithLocation(1).WithArguments("seg", "Segmentation", "a feature vector 16"));

    [Fact]
    public Task Dense_head_on_a_map_is_fine() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [Conv2d(3, Kernel = 3, Padding = 1), Head(TaskKind.Denoising)] Conv2d restore;
            """));

    /// <summary>The classifier, written after the deraining head, also reads the derained image: ADSL1022 at its [Head].</summary>
    [Fact]
    public Task Restoration_and_recognition_heads_on_one_body_warn() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
                [Conv2d(16, Kernel = 3, Padding = 1), Head(TaskKind.Deraining)] Conv2d derain;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10), {|#1:Head(TaskKind.Classification)|}] Linear fc;
            """),
            Verify.Diagnostic("ADSL1013").WithLocation(0).WithArguments("Net", "derain: Deraining", "fc: Classification"),
            Verify.Diagnostic("ADSL1022").WithLocation(1).WithArguments("fc", "Classification", "Deraining", "derain"));

    /// <summary>
    /// Head blocks spare ADSL1013, but written one after the other they still run in sequence: the classifier block
    /// reads the denoised image (ADSL1022, at its [Head]). [Task] declares heads around one body instead (TaskHeadTests).
    /// </summary>
    [Fact]
    public Task Task_specific_head_blocks_in_sequence_chain() =>
        Verify.Analyzer(Sources.Usings + """
            [Block(Layout.Image)]
            public partial class DenoiseHead
            {
                [Conv2d(16, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv;
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d out_conv;
            }

            [Block(Layout.Vector)]
            public partial class ClassifierHead
            {
                [Linear(10)] Linear fc;
            }

            [Model, Input(3, 32, 32)]
            public partial class Net
            {
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
                [Use(typeof(DenoiseHead)), Head(TaskKind.Denoising)] DenoiseHead denoise;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Use(typeof(ClassifierHead)), {|#0:Head(TaskKind.Classification)|}] ClassifierHead classifier;
            }
            """,
            Verify.Diagnostic("ADSL1022").WithLocation(0).WithArguments("classifier", "Classification", "Denoising", "denoise"));

    [Fact]
    public Task Conflict_accepted_with_justification() =>
        Verify.Analyzer(Sources.Usings + """
            [Model, Input(3, 32, 32), Accept("ADSL1013", Justification = "denoising as an auxiliary task helps here (ablation 12)")]
            public partial class Net
            {
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
                [Conv2d(16, Kernel = 3, Padding = 1), Head(TaskKind.Denoising)] Conv2d denoise;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10), {|#0:Head(TaskKind.Classification)|}] Linear fc;
            }
            """,
            // Accepting ADSL1013 says nothing about the chain.
            Verify.Diagnostic("ADSL1022").WithLocation(0).WithArguments("fc", "Classification", "Denoising", "denoise"));

    [Fact]
    public Task Pooling_fix_all_fixes_every_head() =>
        Verify.Fix<InsertPoolingCodeFix>(
            Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [Linear(10), Head(TaskKind.Classification)] Linear {|#1:fc|};
            """) + Model("""
                [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d conv;
                [Linear(10), Head(TaskKind.Classification)] Linear {|#2:fc|};
            """, "Other").Replace("{|#0:Other|}", "Other").Replace(Sources.Usings, ""),
            Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10), Head(TaskKind.Classification)] Linear fc;
            """) + Model("""
                [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d conv;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10), Head(TaskKind.Classification)] Linear fc;
            """, "Other").Replace("{|#0:Other|}", "Other").Replace(Sources.Usings, ""),
            new[]
            {
                Verify.Diagnostic("ADSL1012").WithLocation(1).WithArguments("fc", "a C×H×W map 16×32×32"),
                Verify.Diagnostic("ADSL1012").WithLocation(2).WithArguments("fc", "a C×H×W map 8×32×32"),
            });

    [Fact]
    public Task Pooling_fix_inserts_avgpool_and_flatten() =>
        Verify.Fix<InsertPoolingCodeFix>(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [Linear(10), Head(TaskKind.Classification)] Linear {|#1:fc|};
            """),
            Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10), Head(TaskKind.Classification)] Linear fc;
            """),
            new[] { Verify.Diagnostic("ADSL1012").WithLocation(1).WithArguments("fc", "a C×H×W map 16×32×32") });

    /// <summary>A file that names TorchSharp's modules in full, without `using TorchSharp.Modules;`: the inserted fields
    /// must compile there too (they used to be written by their short names; found in review).</summary>
    [Fact]
    public Task Pooling_fix_compiles_without_the_modules_using() =>
        Verify.Fix<InsertPoolingCodeFix>(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] TorchSharp.Modules.Conv2d conv;
                [Linear(10), Head(TaskKind.Classification)] TorchSharp.Modules.Linear {|#1:fc|};
            """).Replace("using TorchSharp.Modules;\n", ""),
            Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] TorchSharp.Modules.Conv2d conv;
                [AdaptiveAvgPool2d(1, 1)] TorchSharp.Modules.AdaptiveAvgPool2d avgpool;
                [Flatten] TorchSharp.Modules.Flatten flatten;
                [Linear(10), Head(TaskKind.Classification)] TorchSharp.Modules.Linear fc;
            """).Replace("using TorchSharp.Modules;\n", ""),
            new[] { Verify.Diagnostic("ADSL1012").WithLocation(1).WithArguments("fc", "a C×H×W map 16×32×32") });
}

public class DistillationTests
{
    // Student: Conv2d 3→16 k3 (16·3·9 + 16 = 448) and Linear 16→10 (170): 618 parameters.
    private const string Student = """
        [Model, Input(3, 32, 32), Teacher(typeof(VitL16))]
        public partial class {|#1:Student|}
        {
            [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
            [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }

        """;

    [Fact]
    public Task Different_family_and_large_gap_info() =>
        Verify.Analyzer(Sources.VitL("\n[Accept(\"ADSL1001\", Justification = \"teacher\")]") + Student,
            Verify.Diagnostic("ADSL1014").WithLocation(1).WithArguments("Student", "convolutional", "618", "VitL16", "attention-based", "304,326,632",
                "the families differ (attention-based teacher, convolutional student) and the teacher has " +
                (304_326_632.0 / 618).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) +
                "× the student's parameters, above the bound of 10×; distillation across such gaps is an open question"));

    private const string SameFamily = """

        [Model, Input(1000)]
        public partial class Big { [Linear(1000)] Linear fc; }

        [Model, Input(1000), Teacher(typeof(Big))]
        public partial class {|#0:Little|} { [Linear(100)] Linear fc; }
        """;

    [Fact]
    public Task Same_family_within_bound_is_silent() =>
        // 1,001,000 / 100,100 = 10: not above the default bound of 10.
        Verify.Analyzer(Sources.Usings + SameFamily);

    [Fact]
    public Task Follows_configured_bound() =>
        Verify.Analyzer(Sources.Usings + SameFamily, new Verify.Options { EditorConfig = "archdsl.ADSL1014.max_capacity_ratio = 5" },
            Verify.Diagnostic("ADSL1014").WithLocation(0).WithArguments("Little", "fully connected", "100,100", "Big", "fully connected", "1,001,000",
                "the teacher has 10× the student's parameters, above the bound of 5×; distillation across such gaps is an open question"));

    [Fact]
    public Task Malformed_bound_is_reported() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { GlobalConfig = "build_property.ArchDslMaxDistillationRatio = ten" },
            Verify.Diagnostic("ADSL1008").WithLocation(0).WithArguments("ArchDslMaxDistillationRatio", "ten", "positive number (e.g. 100M, 1.5G, 1e25)", "10"));
}

/// <summary>ADSL1015: heads needing different resolutions on one fixed-length positional embedding.</summary>
public class HeadResolutionTests
{
    // A small ViT-like body on 3×48×48: 16 patches of 12×12, a class token, a learned positional embedding.
    private static string Model(string heads, string attributes = "") =>
        Sources.Usings + "[Model, Input(3, 48, 48)" + attributes + "]\npublic partial class {|#0:Ipt|}\n{\n" + """
                [Conv2d(64, Kernel = 12, Stride = 12)] Conv2d conv_proj;
                [Tokens] Tokens patches;
                [ClassToken] Parameter class_token;
                [PositionalEmbedding] Parameter pos_embedding;
                [SelfAttention(4)] SelfAttention attention;
            """ + heads + "}\n";

    /// <summary>These heads are written one after another, so they chain (ADSL1022, tested in HeadTests); these tests
    /// are about resolutions (ADSL1015).</summary>
    private static readonly Verify.Options NoChain = new() { Disabled = new[] { "ADSL1022" } };

    private const string TwoResolutions = """
                [Linear(64), Head(TaskKind.Segmentation, Resolution = 48)] Linear seg;
                [SelectToken(0)] SelectToken cls;
                [Linear(10), Head(TaskKind.Classification, Resolution = 224)] Linear fc;
            """;

    [Fact]
    public Task Different_resolutions_on_one_positional_embedding_warn() =>
        Verify.Analyzer(Model(TwoResolutions), NoChain,
            Verify.Diagnostic("ADSL1015").WithLocation(0).WithArguments("Ipt",
                "seg: Segmentation at 48×48, fc: Classification at 224×224", "pos_embedding", "17", "3×48×48"));

    [Fact]
    public Task Same_resolution_is_fine() =>
        Verify.Analyzer(Model("""
                [Linear(64), Head(TaskKind.Segmentation, Resolution = 48)] Linear seg;
                [SelectToken(0)] SelectToken cls;
                [Linear(10), Head(TaskKind.Classification, Resolution = 48)] Linear fc;
            """), NoChain);

    [Fact]
    public Task Undeclared_resolution_is_not_compared() =>
        Verify.Analyzer(Model("""
                [Linear(64), Head(TaskKind.Segmentation, Resolution = 48)] Linear seg;
                [SelectToken(0)] SelectToken cls;
                [Linear(10), Head(TaskKind.Classification)] Linear fc;
            """), NoChain);

    [Fact]
    public Task Without_positional_embedding_different_resolutions_are_fine() =>
        Verify.Analyzer(Sources.Usings + """
            [Model, Input(3, 32, 32)]
            public partial class Net
            {
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
                [Conv2d(16, Kernel = 3, Padding = 1), Head(TaskKind.Segmentation, Resolution = 512)] Conv2d seg;
                [Conv2d(16, Kernel = 3, Padding = 1), Head(TaskKind.Depth, Resolution = 384)] Conv2d depth;
            }
            """, NoChain);

    [Fact]
    public Task Accepted_with_justification() =>
        Verify.Analyzer(Model(TwoResolutions, ", Accept(\"ADSL1015\", Justification = \"embedding interpolated at load time\")"), NoChain);

    [Fact]
    public Task Accept_fix_adds_the_opt_out() =>
        Verify.Fix<AddAcceptCodeFix>(Model(TwoResolutions),
            Model(TwoResolutions).Replace("[Model, Input(3, 48, 48)]\npublic partial class {|#0:Ipt|}",
                "[Model, Input(3, 48, 48)]\n[Accept(\"ADSL1015\", Justification = \"TODO: explain why this is acceptable for this model\")]\npublic partial class Ipt"),
            new[]
            {
                Verify.Diagnostic("ADSL1015").WithLocation(0).WithArguments("Ipt",
                    "seg: Segmentation at 48×48, fc: Classification at 224×224", "pos_embedding", "17", "3×48×48"),
            }, disabled: NoChain.Disabled);
}
