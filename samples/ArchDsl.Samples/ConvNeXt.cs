using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// ConvNeXt-S as torchvision builds it (convnext_small): features.0 is the 4×4 patchify stem, features.1/3/5/7 the stages
// of CNBlocks, features.2/4/6 the downsampling layers (LayerNorm2d, then a 2×2 stride-2 convolution); avgpool, then
// classifier = (LayerNorm2d, Flatten, Linear). Every norm has eps 1e-6. ConvNeXt has no buffers.

/// <summary>
/// ConvNeXt block (torchvision's CNBlock): depthwise 7×7, then channels-last LayerNorm and an inverted MLP (×4, GELU),
/// scaled by a learned per-channel layer_scale and added to the input.
/// </summary>
[Block]
public partial class CNBlock
{
    [Conv2d("inChannels", Kernel = 7, Padding = 3, With = "groups = inChannels", Key = "block.0")] Conv2d dwconv;
    [Permute(0, 2, 3, 1, Key = "block.1")] Permute channels_last;
    [LayerNorm(Eps = 1e-6, Key = "block.2")] LayerNorm norm;
    [Linear("4 * inChannels", Key = "block.3")] Linear pwconv1;
    [GELU(Key = "block.4")] GELU gelu;
    [Linear("inChannels", Key = "block.5")] Linear pwconv2;
    [Permute(0, 3, 1, 2, Key = "block.6")] Permute channels_first;
    [LayerScale(1e-6)] Parameter layer_scale;
    [StochasticDepth, Residual(From = nameof(dwconv))] StochasticDepth stochastic_depth;
}

/// <summary>ConvNeXt-S; stochastic depth rises from 0 at the first block to 0.4 at the 36th, as torchvision sets it.</summary>
[Model, Input(3, 224, 224), StochasticDepthRamp(0.4)]
public partial class ConvNeXtSmall
{
    [Conv2d(96, Kernel = 4, Stride = 4, Key = "features.0.0")] Conv2d stem;
    [LayerNorm2d(Eps = 1e-6, Key = "features.0.1")] LayerNorm2d stem_norm;
    [Stage(typeof(CNBlock), 3, Key = "features.1")] Sequential stage1;
    [LayerNorm2d(Eps = 1e-6, Key = "features.2.0")] LayerNorm2d downsample1_norm;
    [Conv2d(192, Kernel = 2, Stride = 2, Key = "features.2.1")] Conv2d downsample1;
    [Stage(typeof(CNBlock), 3, Key = "features.3")] Sequential stage2;
    [LayerNorm2d(Eps = 1e-6, Key = "features.4.0")] LayerNorm2d downsample2_norm;
    [Conv2d(384, Kernel = 2, Stride = 2, Key = "features.4.1")] Conv2d downsample2;
    [Stage(typeof(CNBlock), 27, Key = "features.5")] Sequential stage3;
    [LayerNorm2d(Eps = 1e-6, Key = "features.6.0")] LayerNorm2d downsample3_norm;
    [Conv2d(768, Kernel = 2, Stride = 2, Key = "features.6.1")] Conv2d downsample3;
    [Stage(typeof(CNBlock), 3, Key = "features.7")] Sequential stage4;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [LayerNorm2d(Eps = 1e-6, Key = "classifier.0")] LayerNorm2d head_norm;
    [Flatten(Key = "classifier.1")] Flatten flatten;
    [Linear(1000, Key = "classifier.2"), Head(TaskKind.Classification)] Linear classifier;
}
