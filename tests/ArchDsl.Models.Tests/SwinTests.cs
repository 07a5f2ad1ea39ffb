using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>Swin beyond its counts, layout and outputs (<see cref="TorchvisionModelTests"/>): MACs by hand, the relative
/// position index, and torchvision's padding of windows and merged patches.</summary>
public class SwinTests
{
    [Fact]
    public void SwinS_macs_equal_a_hand_count()
    {
        // Per block over T = H·W positions and N = 49 per window: qkv 3TC², Q·Kᵀ and A·V TNC each, proj TC², MLP 8TC².
        long Block(long side, long c) { long t = side * side; return 3 * t * c * c + 2 * t * 49 * c + t * c * c + 8 * t * c * c; }
        long Merge(long side, long c) => side / 2 * (side / 2) * 4 * c * 2 * c;
        long expected = 56 * 56 * 96 * 3 * 16                      // patch embedding
            + 2 * Block(56, 96) + Merge(56, 96)
            + 2 * Block(28, 192) + Merge(28, 192)
            + 18 * Block(14, 384) + Merge(14, 384)
            + 2 * Block(7, 768)
            + 768 * 1000;                                         // head
        long generated = SwinS.Macs;
        Assert.Equal(expected, generated);
        Assert.Equal(8_740_875_264, expected);                    // torchvision's published figure, exactly
    }

    [Fact]
    public void Relative_position_index_is_torchvision_s()
    {
        // torchvision: for window 2, positions (0,0),(0,1),(1,0),(1,1); index = (Δrow + 1)·3 + (Δcol + 1).
        using var attention = new ArchDsl.Layers.ShiftedWindowAttention(4, 2, 2, 0);
        var index = attention.named_buffers().Single().buffer;
        Assert.Equal(ScalarType.Int64, index.dtype);
        Assert.Equal(new long[] { 4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4 }, index.data<long>().ToArray());
    }

    [Fact]
    public void Windows_that_do_not_divide_an_input_pad_it_as_torchvision_does()
    {
        // torchvision pads the map with zeros on the bottom and right to whole windows, attends (deciding the shift on
        // the padded size), and cuts the padding off: the same as running the module on the padded map and cutting.
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var attention = new ArchDsl.Layers.ShiftedWindowAttention(8, 2, 4, 2);
        attention.eval();
        var x = randn(2, 5, 6, 8);
        var padded = zeros(2, 8, 8, 8);
        padded[.., ..5, ..6, ..] = x;
        var expected = attention.call(padded)[.., ..5, ..6, ..];
        var actual = attention.call(x);
        Assert.Equal(new long[] { 2, 5, 6, 8 }, actual.shape);
        Assert.True((expected - actual).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void Patch_merging_pads_odd_sides_and_takes_torchvision_s_neighbour_order()
    {
        // torchvision: cat(x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]) over channels, odd sides padded with zeros.
        using var scope = NewDisposeScope();
        manual_seed(12);
        using var merging = new ArchDsl.Layers.PatchMerging(3);
        var x = randn(1, 3, 5, 3);
        var p = zeros(1, 4, 6, 3);
        p[.., ..3, ..5, ..] = x;
        var neighbours = new System.Collections.Generic.List<Tensor>();
        foreach (var (r, c) in new[] { (0, 0), (1, 0), (0, 1), (1, 1) })
            neighbours.Add(stack(new[] { p[.., r, c, ..], p[.., r, c + 2, ..], p[.., r, c + 4, ..], p[.., r + 2, c, ..], p[.., r + 2, c + 2, ..], p[.., r + 2, c + 4, ..] }, 1).view(1, 2, 3, 3));
        var sd = merging.state_dict();
        var normed = nn.functional.layer_norm(cat(neighbours, -1), new long[] { 12 }, sd["norm.weight"], sd["norm.bias"]);
        var expected = normed.matmul(sd["reduction.weight"].t());
        var actual = merging.call(x);
        Assert.Equal(new long[] { 1, 2, 3, 6 }, actual.shape);
        Assert.True((expected - actual).abs().max().item<float>() < 1e-5f);
    }
}
