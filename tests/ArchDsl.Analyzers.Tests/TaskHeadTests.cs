using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

/// <summary>Judgement of [Task] models (one head and tail per task around a shared body) and of [Head]s that chain.</summary>
public class TaskHeadTests
{
    private const string Blocks = """
        [Block(Layout.Image)]
        public partial class ConvHead
        {
            [Conv2d(16, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv;
        }

        [Block(Layout.Image)]
        public partial class ClassifierTail
        {
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }

        """;

    private const string Members = """
            [Use(typeof(ConvHead))] ConvHead head_sr2;
            [Use(typeof(ConvHead))] ConvHead head_denoise;
            [Use(typeof(ConvHead))] ConvHead head_derain;
            [Conv2d(16, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d body1;
            [Conv2d(16, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d body2;
            [Conv2d(12, Kernel = 3, Padding = 1)] Conv2d tail_sr2_conv;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_denoise;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_derain;
        """;

    private const string RestorationTasks = """
        [Task("SuperResolution2x", TaskKind.SuperResolution, Head = nameof(head_sr2), Tail = nameof(tail_sr2_conv))]
        [Task("Denoising", TaskKind.Denoising, Head = nameof(head_denoise), Tail = nameof(tail_denoise))]
        [Task("Deraining", TaskKind.Deraining, Head = nameof(head_derain), Tail = nameof(tail_derain))]
        """;

    /// <summary>IPT's design: restoration tasks only, each with its own head and tail: nothing to warn about.</summary>
    [Fact]
    public Task All_restoration_tasks_with_their_own_heads_and_tails_do_not_warn() =>
        Verify.Analyzer(Sources.Usings + Blocks + "[Model, Input(3, 48, 48)]\n" + RestorationTasks + "\npublic partial class Net\n{\n" + Members + "}\n");

    /// <summary>A classification task on the same body: the body is shared whatever the heads and tails, ADSL1013.</summary>
    [Fact]
    public Task A_recognition_task_on_the_shared_body_warns() =>
        Verify.Analyzer(Sources.Usings + Blocks + "[Model, Input(3, 48, 48)]\n" + RestorationTasks +
            "\n[Task(\"Classify\", TaskKind.Classification, Head = nameof(head_cls), Tail = nameof(classifier))]\n" +
            "public partial class {|#0:Net|}\n{\n" + Members + "    [Use(typeof(ConvHead))] ConvHead head_cls;\n    [Use(typeof(ClassifierTail))] ClassifierTail classifier;\n}\n",
            Verify.Diagnostic("ADSL1013").WithLocation(0).WithArguments("Net",
                "SuperResolution2x: SuperResolution, Denoising: Denoising, Deraining: Deraining", "Classify: Classification"));

    /// <summary>Two dense [Head]s in sequence: the deraining head reads the denoised image, at its [Head].</summary>
    [Fact]
    public Task A_dense_head_feeding_another_head_warns_at_the_second() =>
        Verify.Analyzer(Sources.Usings + """
            [Model, Input(3, 48, 48)]
            public partial class Net
            {
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
                [Conv2d(3, Kernel = 3, Padding = 1), Head(TaskKind.Denoising)] Conv2d denoise;
                [Conv2d(3, Kernel = 3, Padding = 1), {|#0:Head(TaskKind.Deraining)|}] Conv2d derain;
            }
            """,
            Verify.Diagnostic("ADSL1022").WithLocation(0).WithArguments("derain", "Deraining", "Denoising", "denoise"));

    /// <summary>One head on the body chains nothing.</summary>
    [Fact]
    public Task One_head_alone_does_not_warn() =>
        Verify.Analyzer(Sources.Usings + """
            [Model, Input(3, 48, 48)]
            public partial class Net
            {
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d body;
                [Conv2d(3, Kernel = 3, Padding = 1), Head(TaskKind.Denoising)] Conv2d denoise;
            }
            """);
}
