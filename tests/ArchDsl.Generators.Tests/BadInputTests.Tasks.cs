using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Tasks chosen at forward time and early exits: each mistake located where it is written.</summary>
public partial class BadInputTests
{
    private const string TwoTaskBody = """
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d head_a;
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d head_b;
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d body;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_a;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_b;
        }
        """;

    [Fact]
    public void Task_without_a_tail_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16)]
        [Task("A", TaskKind.Denoising, Head = nameof(head_a), Tail = nameof(tail_a))]
        [Task("B", TaskKind.Deraining, Head = nameof(head_b))]
        public partial class Net
        {
        """ + TwoTaskBody, "ADSL0002", "Task(\"B\", TaskKind.Deraining, Head = nameof(head_b))", new[] { "task 'B' has no tail", "Tail = nameof(member)" });

    [Fact]
    public void Task_naming_a_member_that_does_not_exist_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16)]
        [Task("A", TaskKind.Denoising, Head = nameof(head_a), Tail = nameof(tail_a))]
        [Task("B", TaskKind.Deraining, Head = "head_c", Tail = nameof(tail_b))]
        public partial class Net
        {
        """ + TwoTaskBody, "ADSL0002", "Head = \"head_c\"", new[] { "task 'B'", "\"head_c\" is not a layer of Net", "head_a, head_b, body, tail_a, tail_b" });

    [Fact]
    public void Task_name_that_is_no_identifier_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16)]
        [Task("A", TaskKind.Denoising, Head = nameof(head_a), Tail = nameof(tail_a))]
        [Task("super resolution", TaskKind.SuperResolution, Head = nameof(head_b), Tail = nameof(tail_b))]
        public partial class Net
        {
        """ + TwoTaskBody, "ADSL0002", "\"super resolution\"", new[] { "C# identifier", "Net.Task" });

    /// <summary>The body's output is 8×16×16; a tail block made for token sequences cannot take it.</summary>
    [Fact]
    public void Tail_that_cannot_take_the_body_output_ADSL0005() => Expect("""
        [Block(Layout.Tokens)]
        public partial class TokenTail { [Linear(3)] Linear fc; }

        [Model, Input(3, 16, 16)]
        [Task("A", TaskKind.Denoising, Head = nameof(head_a), Tail = nameof(tail_a))]
        [Task("B", TaskKind.Deraining, Head = nameof(head_b), Tail = nameof(tail_b))]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d head_a;
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d head_b;
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d body;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_a;
            [Use(typeof(TokenTail))] TokenTail tail_b;
        }
        """, "ADSL0005", "Tail = nameof(tail_b)", new[] { "the tail 'tail_b' of task 'B'", "8×16×16" });

    [Fact]
    public void Heads_giving_the_body_different_shapes_ADSL0005() => Expect("""
        [Model, Input(3, 16, 16)]
        [Task("A", TaskKind.Denoising, Head = nameof(head_a), Tail = nameof(tail_a))]
        [Task("B", TaskKind.Deraining, Head = nameof(head_b), Tail = nameof(tail_b))]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d head_a;
            [Conv2d(4, Kernel = 3, Padding = 1)] Conv2d head_b;
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d body;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_a;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_b;
        }
        """, "ADSL0005", "Head = nameof(head_b)", new[] { "task 'B' gives the shared body 4×16×16", "task 'A' gives it 8×16×16" });

    [Fact]
    public void Exit_after_a_member_that_does_not_exist_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16), Exit("stage9")]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stage1;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }
        """, "ADSL0002", "\"stage9\"", new[] { "\"stage9\", which is not a layer of Net", "stage1, pool, flatten, fc" });

    [Fact]
    public void Exit_on_tokens_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16), Exit(nameof(tokens))]
        public partial class Net
        {
            [Conv2d(8, Kernel = 4, Stride = 4)] Conv2d stem;
            [Tokens] Tokens tokens;
            [SelectToken] SelectToken first;
            [Linear(10)] Linear fc;
        }
        """, "ADSL0002", "nameof(tokens)", new[] { "a token sequence 16×8", "a C×H×W map (averaged) or a feature vector" });

    [Fact]
    public void Exits_on_a_model_without_class_scores_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16), Exit(nameof(stage1))]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stage1;
            [Conv2d(2, Kernel = 1)] Conv2d segment;
        }
        """, "ADSL0002", "Exit(nameof(stage1))", new[] { "the model's output is 2×16×16" });

    /// <summary>An exit between a residual's source and the layer that adds it would split the sum across segments.</summary>
    [Fact]
    public void Exit_inside_a_residual_ADSL0002() => Expect("""
        [Model, Input(8, 16, 16), Exit(nameof(conv1))]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d conv1;
            [Conv2d(8, Kernel = 3, Padding = 1), Residual(From = nameof(conv1))] Conv2d conv2;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }
        """, "ADSL0002", "nameof(conv1)", new[] { "inside the residual from 'conv1' into 'conv2'" });

    /// <summary>The generated part declares ExitCount, exits, ForwardExits ...: a layer of that name would clash inside it.</summary>
    [Fact]
    public void Layer_named_like_a_generated_exit_member_ADSL0020() => Expect("""
        [Model, Input(3, 16, 16), Exit(nameof(stage1))]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stage1;
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d exits;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }
        """, "ADSL0020", "exits", new[] { "'exits'", "for its exits" });

    [Fact]
    public void Task_named_so_that_its_counts_clash_with_the_model_counts_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16)]
        [Task("A", TaskKind.Denoising, Head = nameof(head_a), Tail = nameof(tail_a))]
        [Task("Active", TaskKind.Deraining, Head = nameof(head_b), Tail = nameof(tail_b))]
        public partial class Net
        {
        """ + TwoTaskBody, "ADSL0002", "\"Active\"", new[] { "ActiveParameterCount" });

    [Fact]
    public void Task_on_a_block_ADSL0002() => Expect("""
        [Block(Layout.Image), Task("A", TaskKind.Denoising, Tail = nameof(conv))]
        public partial class Trunk { [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d conv; }

        [Model, Input(3, 16, 16)]
        public partial class Net { [Use(typeof(Trunk))] Trunk trunk; }
        """, "ADSL0002", "Task(\"A\", TaskKind.Denoising, Tail = nameof(conv))", new[] { "put it on the model that uses Trunk" }, noSourceFor: "Trunk");
}
