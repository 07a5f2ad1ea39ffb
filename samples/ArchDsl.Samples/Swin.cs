using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// Swin-S as torchvision builds it (swin_s): features.0 is the 4×4 patch embedding (Conv2d, Permute to channels-last,
// LayerNorm); features.1/3/5/7 the stages of SwinTransformerBlocks (2, 2, 18, 2 blocks of 3, 6, 12, 24 heads),
// features.2/4/6 the patch mergings; then norm, back to channels-first, average pooling and the head. The map stays
// H×W×C from the stem to the final norm. Odd blocks shift their windows by half a window: a model's Stage binds each
// block with its index i.

/// <summary>
/// Swin Transformer block (torchvision's SwinTransformerBlock) on an H×W×C map: windowed attention and an MLP (×4,
/// GELU), each pre-normed and added to its input through stochastic depth.
/// </summary>
[Block(Layout.ChannelsLast)]
public partial class SwinBlock
{
    [LayerNorm] LayerNorm norm1;
    [ShiftedWindowAttention("heads", With = "Window = window, Shift = shift")] ShiftedWindowAttention attn;
    [StochasticDepth, Residual(From = nameof(norm1))] StochasticDepth attn_depth;
    [LayerNorm] LayerNorm norm2;
    [Mlp("4 * inChannels")] Sequential mlp;
    [StochasticDepth, Residual(From = nameof(norm2))] StochasticDepth mlp_depth;
}

/// <summary>
/// Swin-S. Stochastic depth rises to 0.3 over the 24 blocks, as torchvision's stochastic_depth_prob: a block's two drop
/// layers share its probability.
/// </summary>
[Model, Input(3, 224, 224), StochasticDepthRamp(0.3)]
public partial class SwinS
{
    [Conv2d(96, Kernel = 4, Stride = 4, Key = "features.0.0")] Conv2d patch_embed;
    [Permute(0, 2, 3, 1, Key = "features.0.1")] Permute channels_last;
    [LayerNorm(Key = "features.0.2")] LayerNorm patch_norm;
    [Stage(typeof(SwinBlock), 2, "heads = 3, window = 7, shift = i % 2 * 3", Key = "features.1")] Sequential stage1;
    [PatchMerging(Key = "features.2")] PatchMerging merge1;
    [Stage(typeof(SwinBlock), 2, "heads = 6, window = 7, shift = i % 2 * 3", Key = "features.3")] Sequential stage2;
    [PatchMerging(Key = "features.4")] PatchMerging merge2;
    [Stage(typeof(SwinBlock), 18, "heads = 12, window = 7, shift = i % 2 * 3", Key = "features.5")] Sequential stage3;
    [PatchMerging(Key = "features.6")] PatchMerging merge3;
    [Stage(typeof(SwinBlock), 2, "heads = 24, window = 7, shift = i % 2 * 3", Key = "features.7")] Sequential stage4;
    [LayerNorm] LayerNorm norm;
    [Permute(0, 3, 1, 2)] Permute channels_first;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(1000), Head(TaskKind.Classification)] Linear head;
}
