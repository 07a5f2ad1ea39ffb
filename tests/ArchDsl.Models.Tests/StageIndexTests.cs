using System.Linq;
using ArchDsl.Samples;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>A conv with batch norm whose width is bound per block.</summary>
[Block, Param("stride", 1)]
public partial class WideningBlock
{
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride")] Conv2d conv;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn;
}

/// <summary>A model's Stage whose blocks widen with their index, and a stride that only the first block takes.</summary>
[Model, Input(3, 16, 16)]
public partial class WideningNet
{
    [Stage(typeof(WideningBlock), 3, "width = 8 * (i + 1)")] Sequential stage;
    [Stage(typeof(WideningBlock), 2, "width = 32 + 8 * i, stride = 2")] Sequential down;
}

/// <summary>A model's Stage binding the block index i: Swin's alternating shift, widths that grow, torchvision's
/// per-block stochastic-depth ramp.</summary>
public class StageIndexTests
{
    [Fact]
    public void Each_block_of_a_stage_gets_the_sizes_of_its_index()
    {
        // conv k×k×cin×cout (no bias) + BN 2·cout, widths 8, 16, 24 then 32, 40 from 3 input channels.
        long Block(long cin, long cout) => 9 * cin * cout + 2 * cout;
        long expected = Block(3, 8) + Block(8, 16) + Block(16, 24) + Block(24, 32) + Block(32, 40);
        long generated = WideningNet.ParameterCount;
        Assert.Equal(expected, generated);

        using var model = new WideningNet();
        long runtime = model.parameters().Sum(p => p.numel());
        Assert.Equal(expected, runtime);
        using var scope = NewDisposeScope();
        var y = model.call(randn(2, 3, 16, 16));
        Assert.Equal(new long[] { 2, 40, 8, 8 }, y.shape);   // stride 2 in the first block of `down` only
    }

    [Fact]
    public void Swin_odd_blocks_shift_by_half_a_window()
    {
        // torchvision's swin_s: shift_size = [0 if i % 2 == 0 else window // 2], window 7, in every stage (on the
        // last stage's 7×7 map one window covers it, and the forward drops the shift).
        using var model = new SwinS();
        var shifts = model.named_modules()
            .Where(m => m.module is ArchDsl.Layers.ShiftedWindowAttention)
            .Select(m => (m.name, ((ArchDsl.Layers.ShiftedWindowAttention)m.module).Shift))
            .ToList();
        Assert.Equal(24, shifts.Count);
        foreach (var (name, shift) in shifts)
        {
            long block = long.Parse(name.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture);
            long expected = block % 2 == 0 ? 0 : 3;
            Assert.Equal(expected, shift);
        }
    }

    [Fact]
    public void Swin_stochastic_depth_ramps_per_block_as_torchvision()
    {
        // torchvision's SwinTransformer: sd_prob = stochastic_depth_prob · stage_block_id / (total_stage_blocks − 1),
        // one value per block, used after both the attention and the MLP; swin_s: 0.3 over 2 + 2 + 18 + 2 blocks.
        using var model = new SwinS();
        var depths = model.named_modules().Where(m => m.module is ArchDsl.Layers.StochasticDepth).ToList();
        Assert.Equal(48, depths.Count);
        int[] stageStarts = { 0, 2, 4, 22 };
        foreach (var (name, module) in depths)
        {
            var parts = name.Split('.');
            int stage = (int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) - 1) / 2;
            int blockId = stageStarts[stage] + int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            double expected = 0.3 * blockId / 23;
            Assert.Equal(expected, ((ArchDsl.Layers.StochasticDepth)module).P, 12);
        }
    }
}
