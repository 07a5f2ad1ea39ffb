using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Branches (a layer's Input = nameof(member)): each mistake at its argument.</summary>
public partial class BadInputTests
{
    [Fact]
    public void Input_from_a_member_that_is_not_earlier_lists_the_candidates_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 1)] Conv2d a;
            [Conv2d(8, Kernel = 1, Input = "c")] Conv2d b;
            [Conv2d(8, Kernel = 1)] Conv2d c;
        }
        """, "ADSL0002", "Input = \"c\"", new[] { "'c' is declared after this member", "a, b" });

    [Fact]
    public void Input_with_a_residual_ADSL0002() => Expect("""
        [Model, Input(3, 16, 16)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 1)] Conv2d a;
            [Conv2d(8, Kernel = 1, Input = nameof(a)), Residual(From = nameof(a))] Conv2d b;
        }
        """, "ADSL0002", "Input = nameof(a)", new[] { "starts a branch", "[Sum], [Concat] or [Multiply]" });

    [Fact]
    public void Input_on_a_layer_that_works_on_the_running_value_ADSL0002() => Expect("""
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(16, Kernel = 8, Stride = 8)] Conv2d patch;
            [Tokens] Tokens tokens;
            [ClassToken(Input = nameof(tokens))] Parameter cls;
        }
        """, "ADSL0002", "Input = nameof(tokens)", new[] { "[ClassToken] works on the running value" });

    [Fact]
    public void Branch_whose_shape_the_join_cannot_take_ADSL0013() => Expect("""
        [Model, Input(3, 16, 16)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Stride = 2, Padding = 1)] Conv2d a;
            [Conv2d(8, Kernel = 1, Input = nameof(a)), Sum(From = nameof(b))] Conv2d b;
        }
        """, "ADSL0013", "From = nameof(b)", new[] { "8×8×8", "8×16×16", "same shape" });
}
