using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Windowed attention (Swin): each mistake located at its argument.</summary>
public partial class BadInputTests
{
    [Fact]
    public void Windows_that_do_not_divide_the_map_ADSL0005() => Expect("""
        [Model, Input(3, 36, 36)]
        public partial class Net
        {
            [Conv2d(32, Kernel = 4, Stride = 4)] Conv2d stem;
            [Permute(0, 2, 3, 1)] Permute last;
            [ShiftedWindowAttention(4, Window = 7)] ShiftedWindowAttention attn;
        }
        """, "ADSL0005", "Window = 7", new[] { "7×7", "9×9", "pad it to 14×14" });

    [Fact]
    public void Window_bound_in_a_block_that_does_not_divide_the_map_points_at_the_binding_ADSL0005() => Expect("""
        /// <summary>Windowed attention on a channels-last map.</summary>
        [Block(Layout.ChannelsLast)]
        public partial class Win { [ShiftedWindowAttention(2, With = "Window = window")] ShiftedWindowAttention attn; }

        [Model, Input(3, 20, 20)]
        public partial class Net
        {
            [Conv2d(16, Kernel = 4, Stride = 4)] Conv2d stem;
            [Permute(0, 2, 3, 1)] Permute last;
            [Use(typeof(Win), "window = 3")] Win block;
        }
        """, "ADSL0005", "\"window = 3\"", new[] { "3×3", "5×5" });

    [Fact]
    public void Window_heads_not_dividing_the_channels_ADSL0007() => Expect("""
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(30, Kernel = 4, Stride = 4)] Conv2d stem;
            [Permute(0, 2, 3, 1)] Permute last;
            [ShiftedWindowAttention(4, Window = 4)] ShiftedWindowAttention attn;
        }
        """, "ADSL0007", "4", new[] { "30", "4 heads" });

    [Fact]
    public void Shift_of_a_whole_window_ADSL0002() => Expect("""
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(16, Kernel = 4, Stride = 4)] Conv2d stem;
            [Permute(0, 2, 3, 1)] Permute last;
            [ShiftedWindowAttention(2, Window = 4, Shift = 4)] ShiftedWindowAttention attn;
        }
        """, "ADSL0002", "Shift = 4", new[] { "Shift 4", "window 4" });

    [Fact]
    public void Window_attention_on_a_channels_first_map_ADSL0008() => Expect("""
        [Model, Input(3, 32, 32)]
        public partial class Net
        {
            [Conv2d(16, Kernel = 4, Stride = 4)] Conv2d stem;
            [PatchMerging] PatchMerging merge;
        }
        """, "ADSL0008", "PatchMerging", new[] { "channels-last map (H×W×C)", "16×8×8" });
}
