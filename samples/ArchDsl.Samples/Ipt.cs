using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// IPT (Chen et al., "Pre-Trained Image Processing Transformer", CVPR 2021), in a small configuration: one shared
// Transformer body over patch tokens, and for each restoration task its own convolutional head (before the body) and
// tail (after it). forward(x, IptSmall.Task.SuperResolution3x) runs only that task's head and tail.
//
// As in the paper, a head is a 3×3 convolution and two residual blocks, the body cuts the head's C×48×48 map into 3×3
// patches (16×16 tokens) and runs Transformer layers over them, and it folds the tokens back into the map; the
// super-resolution tails upsample through PixelShuffle (×2, ×3, ×2·×2), the denoising and deraining tails keep the
// size. Differences, for a small model that trains in a test: width 16 instead of 64, 2 encoder layers (the paper:
// 12 encoder and 12 decoder layers with task embeddings), attention over the 16×16 tokens with a relative position bias
// (a 16×16 window covers the map) instead of learned absolute position embeddings.

/// <summary>An EDSR residual block: 3×3 convolution, ReLU, 3×3 convolution, added to its input.</summary>
[Block(Layout.Image)]
public partial class IptResBlock
{
    [Conv2d("inChannels", Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv1;
    [Conv2d("inChannels", Kernel = 3, Padding = 1), Residual(From = nameof(conv1))] Conv2d conv2;
}

/// <summary>A task's head: a 3×3 convolution to the body's width and two residual blocks.</summary>
[Block(Layout.Image)]
public partial class IptHead
{
    [Conv2d("width", Kernel = 3, Padding = 1)] Conv2d conv;
    [Stage(typeof(IptResBlock), 2)] Sequential blocks;
}

/// <summary>One Transformer layer over an H×W×C map of patch tokens: pre-normed attention and MLP, each residual.</summary>
[Block(Layout.ChannelsLast)]
public partial class IptEncoderLayer
{
    [LayerNorm] LayerNorm norm1;
    [ShiftedWindowAttention("heads", With = "Window = window")] ShiftedWindowAttention attn;
    [Identity, Residual(From = nameof(norm1))] Identity attn_add;
    [LayerNorm] LayerNorm norm2;
    [Mlp("4 * inChannels")] Sequential mlp;
    [Identity, Residual(From = nameof(norm2))] Identity mlp_add;
}

/// <summary>The ×2 super-resolution tail: a 3×3 convolution to 4·C, PixelShuffle(2), a 3×3 convolution to RGB.</summary>
[Block(Layout.Image)]
public partial class IptUpsample2Tail
{
    [Conv2d("4 * inChannels", Kernel = 3, Padding = 1)] Conv2d conv;
    [PixelShuffle(2)] PixelShuffle shuffle;
    [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d to_rgb;
}

/// <summary>The ×3 super-resolution tail: a 3×3 convolution to 9·C, PixelShuffle(3), a 3×3 convolution to RGB.</summary>
[Block(Layout.Image)]
public partial class IptUpsample3Tail
{
    [Conv2d("9 * inChannels", Kernel = 3, Padding = 1)] Conv2d conv;
    [PixelShuffle(3)] PixelShuffle shuffle;
    [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d to_rgb;
}

/// <summary>The ×4 tail: two ×2 upsampling steps, as EDSR and IPT build it, then to RGB.</summary>
[Block(Layout.Image)]
public partial class IptUpsample4Tail
{
    [Conv2d("4 * inChannels", Kernel = 3, Padding = 1)] Conv2d conv1;
    [PixelShuffle(2)] PixelShuffle shuffle1;
    [Conv2d("4 * inChannels", Kernel = 3, Padding = 1)] Conv2d conv2;
    [PixelShuffle(2)] PixelShuffle shuffle2;
    [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d to_rgb;
}

/// <summary>
/// IPT, small configuration: 48×48 RGB patches in; ×2, ×3 and ×4 super-resolution, denoising and deraining out.
/// </summary>
[Model, Input(3, 48, 48)]
[Task("SuperResolution2x", TaskKind.SuperResolution, Head = nameof(head_sr2), Tail = nameof(tail_sr2))]
[Task("SuperResolution3x", TaskKind.SuperResolution, Head = nameof(head_sr3), Tail = nameof(tail_sr3))]
[Task("SuperResolution4x", TaskKind.SuperResolution, Head = nameof(head_sr4), Tail = nameof(tail_sr4))]
[Task("Denoising", TaskKind.Denoising, Head = nameof(head_denoise), Tail = nameof(tail_denoise))]
[Task("Deraining", TaskKind.Deraining, Head = nameof(head_derain), Tail = nameof(tail_derain))]
public partial class IptSmall
{
    [Use(typeof(IptHead), "width = 16")] IptHead head_sr2;
    [Use(typeof(IptHead), "width = 16")] IptHead head_sr3;
    [Use(typeof(IptHead), "width = 16")] IptHead head_sr4;
    [Use(typeof(IptHead), "width = 16")] IptHead head_denoise;
    [Use(typeof(IptHead), "width = 16")] IptHead head_derain;

    // The shared body: 3×3 patches of the 16×48×48 map as 16×16 tokens of width 64, two Transformer layers, folded back.
    [Conv2d(64, Kernel = 3, Stride = 3)] Conv2d patch_embed;
    [Permute(0, 2, 3, 1)] Permute to_tokens;
    [Use(typeof(IptEncoderLayer), "heads = 4, window = 16")] IptEncoderLayer encoder1;
    [Use(typeof(IptEncoderLayer), "heads = 4, window = 16")] IptEncoderLayer encoder2;
    [LayerNorm] LayerNorm norm;
    [Permute(0, 3, 1, 2)] Permute to_map;
    [Conv2d(16 * 9, Kernel = 1)] Conv2d unpatch;
    [PixelShuffle(3)] PixelShuffle fold;

    [Use(typeof(IptUpsample2Tail))] IptUpsample2Tail tail_sr2;
    [Use(typeof(IptUpsample3Tail))] IptUpsample3Tail tail_sr3;
    [Use(typeof(IptUpsample4Tail))] IptUpsample4Tail tail_sr4;
    [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_denoise;
    [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_derain;
}
