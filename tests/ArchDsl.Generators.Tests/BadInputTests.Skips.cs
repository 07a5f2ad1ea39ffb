using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Blocks that take a skip input ([Block(Skip = ...)], [Use(..., Skip = ...)]): each mistake at its argument.</summary>
public partial class BadInputTests
{
    private const string UpBlock = """
        /// <summary>Up one level, joining the skip first.</summary>
        [Block(Skip = "skip")]
        public partial class Up
        {
            [ConvTranspose2d("width", Kernel = 2, Stride = 2), Concat(From = "skip")] ConvTranspose2d up;
            [Conv2d("width", Kernel = 3, Padding = 1)] Conv2d conv;
        }

        """;

    [Fact]
    public void Skip_block_used_without_its_skip_ADSL0002() => Expect(UpBlock + """
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stem;
            [MaxPool2d(2)] MaxPool2d pool;
            [Use(typeof(Up), "width = 8")] Up up;
        }
        """, "ADSL0002", "Use(typeof(Up), \"width = 8\")", new[] { "takes a skip input ('skip')", "Skip = nameof(member)" });

    [Fact]
    public void Skip_given_to_a_block_without_one_ADSL0002() => Expect("""
        /// <summary>One convolution.</summary>
        [Block]
        public partial class Plain { [Conv2d("width", Kernel = 3, Padding = 1)] Conv2d conv; }

        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stem;
            [Use(typeof(Plain), "width = 8", Skip = nameof(stem))] Plain block;
        }
        """, "ADSL0002", "Skip = nameof(stem)", new[] { "Plain takes no skip input", "[Block(Skip = \"skip\")]" });

    [Fact]
    public void Skip_from_a_member_that_is_not_earlier_lists_the_candidates_ADSL0013() => Expect(UpBlock + """
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stem;
            [MaxPool2d(2)] MaxPool2d pool;
            [Use(typeof(Up), "width = 8", Skip = "head")] Up up;
            [Conv2d(2, Kernel = 1)] Conv2d head;
        }
        """, "ADSL0013", "Skip = \"head\"", new[] { "'head' is declared after this member", "the skip is the input of this member or an earlier one", "stem, pool" });

    [Fact]
    public void Skip_of_another_size_ADSL0013() => Expect(UpBlock + """
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stem;
            [MaxPool2d(2)] MaxPool2d pool1;
            [MaxPool2d(2)] MaxPool2d pool2;
            [Use(typeof(Up), "width = 8", Skip = nameof(stem))] Up up;
        }
        """, "ADSL0013", "Skip = nameof(stem)", new[] { "the skip 'skip' (3×32×32)", "8×16×16", "height and width" });

    [Fact]
    public void Stage_of_a_skip_block_ADSL0002() => Expect(UpBlock + """
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stem;
            [Stage(typeof(Up), 2, "width = 8")] Sequential ups;
        }
        """, "ADSL0002", "typeof(Up)", new[] { "a Stage passes one input", "[Use(typeof(Up), Skip = nameof(member))]" });

    [Fact]
    public void Residual_from_the_skip_ADSL0013() => Expect("""
        /// <summary>Adds the skip: not a join a block can make.</summary>
        [Block(Skip = "skip")]
        public partial class AddSkip { [Conv2d("width", Kernel = 3, Padding = 1), Residual(From = "skip")] Conv2d conv; }

        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stem;
            [Use(typeof(AddSkip), "width = 8", Skip = nameof(stem))] AddSkip block;
        }
        """, "ADSL0013", "From = \"skip\"", new[] { "skip input", "[Concat] or [Multiply]" });

    [Fact]
    public void Skip_named_like_a_member_ADSL0002() => Expect("""
        /// <summary>Its skip and its layer share a name.</summary>
        [Block(Skip = "conv")]
        public partial class Clash { [Conv2d("width", Kernel = 3, Padding = 1), Concat(From = "conv")] Conv2d conv; }

        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d stem;
            [Use(typeof(Clash), "width = 8", Skip = nameof(stem))] Clash block;
        }
        """, "ADSL0002", "Skip = \"conv\"", new[] { "'conv' has the name of a member of Clash", "ambiguous" });
}
