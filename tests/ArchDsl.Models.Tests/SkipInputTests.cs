using System.Linq;
using ArchDsl.Samples;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>Two 3×3 convolutions without bias, each with batch norm and ReLU.</summary>
[Block]
public partial class PlainDoubleConv
{
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn2;
}

/// <summary>The U-Net sample written flat, each skip a [Concat] of the model's own members: the reference for the
/// sample's up blocks, which receive the skip as a second input.</summary>
[Model, Input(3, 64, 64)]
public partial class FlatUNet
{
    [Use(typeof(PlainDoubleConv), "width = 16")] PlainDoubleConv down1;
    [MaxPool2d(2)] MaxPool2d pool1;
    [Use(typeof(PlainDoubleConv), "width = 32")] PlainDoubleConv down2;
    [MaxPool2d(2)] MaxPool2d pool2;
    [Use(typeof(PlainDoubleConv), "width = 64")] PlainDoubleConv down3;
    [MaxPool2d(2)] MaxPool2d pool3;
    [Use(typeof(PlainDoubleConv), "width = 128")] PlainDoubleConv down4;
    [MaxPool2d(2)] MaxPool2d pool4;
    [Use(typeof(PlainDoubleConv), "width = 256")] PlainDoubleConv bottleneck;
    [ConvTranspose2d(128, Kernel = 2, Stride = 2), Concat(From = nameof(pool4))] ConvTranspose2d up4;
    [Use(typeof(PlainDoubleConv), "width = 128")] PlainDoubleConv up_conv4;
    [ConvTranspose2d(64, Kernel = 2, Stride = 2), Concat(From = nameof(pool3))] ConvTranspose2d up3;
    [Use(typeof(PlainDoubleConv), "width = 64")] PlainDoubleConv up_conv3;
    [ConvTranspose2d(32, Kernel = 2, Stride = 2), Concat(From = nameof(pool2))] ConvTranspose2d up2;
    [Use(typeof(PlainDoubleConv), "width = 32")] PlainDoubleConv up_conv2;
    [ConvTranspose2d(16, Kernel = 2, Stride = 2), Concat(From = nameof(pool1))] ConvTranspose2d up1;
    [Use(typeof(PlainDoubleConv), "width = 16")] PlainDoubleConv up_conv1;
    [Conv2d(2, Kernel = 1)] Conv2d head;
}

/// <summary>An up step that takes the skip as a second input, used inside another block.</summary>
[Block(Skip = "encoder")]
public partial class UpStep
{
    [ConvTranspose2d("width", Kernel = 2, Stride = 2), Concat(From = "encoder")] ConvTranspose2d up;
    [Use(typeof(PlainDoubleConv), "width = width")] PlainDoubleConv conv;
}

/// <summary>One U-Net level as a block: down, pool, a bottleneck, and the up step joining the level's own skip.</summary>
[Block]
public partial class UNetLevel
{
    [Use(typeof(PlainDoubleConv), "width = width")] PlainDoubleConv down;
    [MaxPool2d(2)] MaxPool2d pool;
    [Use(typeof(PlainDoubleConv), "width = 2 * width")] PlainDoubleConv bottleneck;
    [Use(typeof(UpStep), "width = width", Skip = nameof(pool))] UpStep up;
}

/// <summary>A one-level U-Net whose skip crosses two nested blocks.</summary>
[Model, Input(3, 32, 32)]
public partial class LevelUNet
{
    [Use(typeof(UNetLevel), "width = 8")] UNetLevel level;
    [Conv2d(2, Kernel = 1)] Conv2d head;
}

/// <summary>Blocks that take a second input (U-Net's skips across nested blocks).</summary>
public class SkipInputTests
{
    [Fact]
    public void Up_blocks_with_a_skip_compute_what_the_flat_declaration_does()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var nested = new UNet();
        using var flat = new FlatUNet();
        // Same layers in the same order, under other names (up4.up.weight against up4.weight ...).
        var a = nested.state_dict().ToList();
        var b = flat.state_dict().ToList();
        Assert.Equal(b.Select(kv => kv.Value.shape), a.Select(kv => kv.Value.shape));
        using (no_grad())
            for (int i = 0; i < a.Count; i++)
            {
                // Batch-norm statistics away from their defaults, so that eval reads them.
                if (a[i].Key.EndsWith("running_mean", System.StringComparison.Ordinal)) a[i].Value.copy_(randn_like(a[i].Value) * 0.1);
                if (a[i].Key.EndsWith("running_var", System.StringComparison.Ordinal)) a[i].Value.copy_(rand_like(a[i].Value) + 0.5);
                b[i].Value.copy_(a[i].Value);
            }
        nested.eval();
        flat.eval();
        var x = randn(2, 3, 64, 64);
        var difference = (nested.call(x) - flat.call(x)).abs().max().item<float>();
        Assert.True(difference < 1e-5f, $"max difference {difference}");
        Assert.Equal("up4.up.weight", a.First(kv => kv.Key.StartsWith("up4.", System.StringComparison.Ordinal)).Key);
    }

    [Fact]
    public void A_skip_across_nested_blocks_counts_and_runs()
    {
        // Two 3×3 convolutions without bias, each with batch norm (2·w parameters).
        static long DoubleConv(long cin, long w) => cin * w * 9 + 2 * w + w * w * 9 + 2 * w;
        long expected = DoubleConv(3, 8)             // down
            + DoubleConv(8, 16)                      // bottleneck at 16×16
            + 16 * 8 * 4 + 8                         // ConvTranspose2d 16 → 8, 2×2, with bias
            + DoubleConv(8 + 8, 8)                   // the skip (8 channels) concatenated first
            + 8 * 2 + 2;                             // 1×1 head
        long generated = LevelUNet.ParameterCount;
        Assert.Equal(expected, generated);
        long macs = 32 * 32 * 8 * 9 * (3 + 8) + 16 * 16 * 16 * 9 * (8 + 16) + 16 * 16 * 16 * 8 * 4
            + 32 * 32 * 8 * 9 * (16 + 8) + 32 * 32 * 8 * 2;
        long generatedMacs = LevelUNet.Macs;
        Assert.Equal(macs, generatedMacs);

        using var scope = NewDisposeScope();
        using var model = new LevelUNet();
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
        var y = model.call(randn(2, 3, 32, 32));
        Assert.Equal(new long[] { 2, 2, 32, 32 }, y.shape);
        y.sum().backward();
        Assert.True(model.named_parameters().First(p => p.name == "level.down.conv1.weight").parameter.grad!.abs().sum().item<float>() > 0);
    }
}
