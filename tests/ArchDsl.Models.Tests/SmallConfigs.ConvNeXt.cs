using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Models.Tests;

/// <summary>
/// CNBlock of the small configuration: the sample's <see cref="ArchDsl.Samples.CNBlock"/> with the configuration's
/// stochastic depth (0; ArchDsl's StochasticDepth takes a literal probability, so it needs its own block class).
/// </summary>
[Block]
public partial class ConvNeXtSmallConfigBlock
{
    [Conv2d("inChannels", Kernel = 7, Padding = 3, With = "groups = inChannels", Key = "block.0")] Conv2d dwconv;
    [Permute(0, 2, 3, 1, Key = "block.1")] Permute channels_last;
    [LayerNorm(Eps = 1e-6, Key = "block.2")] LayerNorm norm;
    [Linear("4 * inChannels", Key = "block.3")] Linear pwconv1;
    [GELU(Key = "block.4")] GELU gelu;
    [Linear("inChannels", Key = "block.5")] Linear pwconv2;
    [Permute(0, 3, 1, 2, Key = "block.6")] Permute channels_first;
    [LayerScale(1e-6)] Parameter layer_scale;
    [StochasticDepth(0.0), Residual(From = nameof(dwconv))] StochasticDepth stochastic_depth;
}

/// <summary>
/// torchvision's ConvNeXt builder in the recorded small configuration (<c>convnext_tiny_config</c>): block_setting
/// CNBlockConfig(16, 32, 2), (32, 64, 2), (64, None, 2), layer_scale 1e-6, stochastic_depth_prob 0, 10 classes, 3×32×32
/// input. The last stage has no downsampling after it.
/// </summary>
[Model, Input(3, 32, 32)]
public partial class ConvNeXtSmallConfig
{
    [Conv2d(16, Kernel = 4, Stride = 4, Key = "features.0.0")] Conv2d stem;
    [LayerNorm2d(Eps = 1e-6, Key = "features.0.1")] LayerNorm2d stem_norm;
    [Stage(typeof(ConvNeXtSmallConfigBlock), 2, Key = "features.1")] Sequential stage1;
    [LayerNorm2d(Eps = 1e-6, Key = "features.2.0")] LayerNorm2d downsample1_norm;
    [Conv2d(32, Kernel = 2, Stride = 2, Key = "features.2.1")] Conv2d downsample1;
    [Stage(typeof(ConvNeXtSmallConfigBlock), 2, Key = "features.3")] Sequential stage2;
    [LayerNorm2d(Eps = 1e-6, Key = "features.4.0")] LayerNorm2d downsample2_norm;
    [Conv2d(64, Kernel = 2, Stride = 2, Key = "features.4.1")] Conv2d downsample2;
    [Stage(typeof(ConvNeXtSmallConfigBlock), 2, Key = "features.5")] Sequential stage3;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [LayerNorm2d(Eps = 1e-6, Key = "classifier.0")] LayerNorm2d head_norm;
    [Flatten(Key = "classifier.1")] Flatten flatten;
    [Linear(10, Key = "classifier.2")] Linear classifier;
}
