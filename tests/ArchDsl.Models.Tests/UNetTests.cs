using System.Linq;
using ArchDsl.Samples;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>The U-Net sample against hand formulas: concatenated skips and transposed convolutions keep the input size.</summary>
public class UNetTests
{
    private static readonly long[] Widths = { 16, 32, 64, 128, 256 };

    /// <summary>Two 3×3 convolutions without bias, each with batch norm (2·w parameters).</summary>
    private static long DoubleConv(long cin, long w) => cin * w * 9 + 2 * w + w * w * 9 + 2 * w;

    private static long DoubleConvMacs(long size, long cin, long w) => size * size * w * 9 * (cin + w);

    [Fact]
    public void Counts_equal_the_hand_formula()
    {
        long parameters = 0, macs = 0, cin = 3, size = 64;
        foreach (var w in Widths)
        {
            parameters += DoubleConv(cin, w);
            macs += DoubleConvMacs(size, cin, w);
            cin = w;
            if (w != Widths[^1]) size /= 2;   // max pooling after every level but the bottleneck
        }
        for (int level = Widths.Length - 2; level >= 0; level--)
        {
            long w = Widths[level];
            parameters += cin * w * 4 + w;            // ConvTranspose2d(cin → w, 2×2, stride 2) with bias
            macs += size * size * cin * w * 4;        // every input position scatters one 2×2 kernel
            size *= 2;
            parameters += DoubleConv(2 * w, w);       // the skip concatenated before the up path's convolutions
            macs += DoubleConvMacs(size, 2 * w, w);
            cin = w;
        }
        parameters += 16 * 2 + 2;                     // 1×1 head to two classes
        macs += 64 * 64 * 16 * 2;
        long generatedParameters = UNet.ParameterCount, generatedMacs = UNet.Macs;
        Assert.Equal(parameters, generatedParameters);
        Assert.Equal(macs, generatedMacs);
        Assert.Equal(new long[] { 2, 64, 64 }, UNet.OutputShape);
    }

    [Fact]
    public void Runtime_module_keeps_the_input_size_and_trains()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        using var model = new UNet();
        Assert.Equal(UNet.ParameterCount, model.parameters().Sum(p => p.numel()));
        var x = randn(2, 3, 64, 64);
        var y = model.call(x);
        Assert.Equal(new long[] { 2, 2, 64, 64 }, y.shape);
        var target = randint(0, 2, new long[] { 2, 64, 64 });
        nn.functional.cross_entropy(y, target).backward();
        Assert.All(model.parameters(), p => Assert.True(p.grad is not null && p.grad.isfinite().all().item<bool>()));
        Assert.True(model.named_parameters().First(p => p.name.StartsWith("down1.")).parameter.grad!.abs().sum().item<float>() > 0,
            "the gradient reaches the first level through the skips");
    }
}
