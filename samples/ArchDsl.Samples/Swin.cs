using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// Swin-S as torchvision builds it (swin_s): features.0 is the 4×4 patch embedding (Conv2d, Permute to channels-last,
// LayerNorm); features.1/3/5/7 the stages of SwinTransformerBlocks (2, 2, 18, 2 blocks of 3, 6, 12, 24 heads),
// features.2/4/6 the patch mergings; then norm, back to channels-first, average pooling and the head. The map stays
// H×W×C from the stem to the final norm. Odd blocks shift their windows by half a window; a Stage repeats one set of
// bindings, so each block is written with its own [Use].

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
/// Swin-S. Stochastic depth rises to 0.3 as torchvision's stochastic_depth_prob, but over the 48 drop layers (two per
/// block) rather than per block as torchvision's one shared module per block has it; eval outputs are unaffected.
/// </summary>
[Model, Input(3, 224, 224), StochasticDepthRamp(0.3)]
public partial class SwinS
{
    [Conv2d(96, Kernel = 4, Stride = 4, Key = "features.0.0")] Conv2d patch_embed;
    [Permute(0, 2, 3, 1, Key = "features.0.1")] Permute channels_last;
    [LayerNorm(Key = "features.0.2")] LayerNorm patch_norm;
    [Use(typeof(SwinBlock), "heads = 3, window = 7, shift = 0", Key = "features.1.0")] SwinBlock stage1_0;
    [Use(typeof(SwinBlock), "heads = 3, window = 7, shift = 3", Key = "features.1.1")] SwinBlock stage1_1;
    [PatchMerging(Key = "features.2")] PatchMerging merge1;
    [Use(typeof(SwinBlock), "heads = 6, window = 7, shift = 0", Key = "features.3.0")] SwinBlock stage2_0;
    [Use(typeof(SwinBlock), "heads = 6, window = 7, shift = 3", Key = "features.3.1")] SwinBlock stage2_1;
    [PatchMerging(Key = "features.4")] PatchMerging merge2;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.0")] SwinBlock stage3_0;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.1")] SwinBlock stage3_1;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.2")] SwinBlock stage3_2;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.3")] SwinBlock stage3_3;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.4")] SwinBlock stage3_4;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.5")] SwinBlock stage3_5;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.6")] SwinBlock stage3_6;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.7")] SwinBlock stage3_7;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.8")] SwinBlock stage3_8;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.9")] SwinBlock stage3_9;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.10")] SwinBlock stage3_10;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.11")] SwinBlock stage3_11;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.12")] SwinBlock stage3_12;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.13")] SwinBlock stage3_13;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.14")] SwinBlock stage3_14;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.15")] SwinBlock stage3_15;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 0", Key = "features.5.16")] SwinBlock stage3_16;
    [Use(typeof(SwinBlock), "heads = 12, window = 7, shift = 3", Key = "features.5.17")] SwinBlock stage3_17;
    [PatchMerging(Key = "features.6")] PatchMerging merge3;
    [Use(typeof(SwinBlock), "heads = 24, window = 7, shift = 0", Key = "features.7.0")] SwinBlock stage4_0;
    [Use(typeof(SwinBlock), "heads = 24, window = 7, shift = 3", Key = "features.7.1")] SwinBlock stage4_1;
    [LayerNorm] LayerNorm norm;
    [Permute(0, 3, 1, 2)] Permute channels_first;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(1000), Head(TaskKind.Classification)] Linear head;
}
