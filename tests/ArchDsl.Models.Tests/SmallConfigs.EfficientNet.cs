using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Models.Tests;

// The fixture efficientnet_small (tests/Fixtures/torchvision/record.py): torchvision's _efficientnet with stages
// (expand, kernel, stride, in, out, layers) = (1, 3, 1, 16, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 1),
// last conv 4 × 40 channels, stochastic depth 0, 10 classes, input 3×32×32.
// The blocks are those of samples/ArchDsl.Samples/EfficientNet.cs: a block must be declared in the project that
// uses it (ADSL0012). With stochastic_depth_prob 0 torchvision's per-block probabilities are all 0, as P is here.

/// <summary>MBConv with expansion ratio 1: depthwise convolution, squeeze-and-excitation, linear 1×1 projection.</summary>
[Block]
[Param("kernel", 3), Param("stride", 1)]
public partial class DepthwiseMBConv
{
    [Conv2d("inChannels", Bias = false, With = "kernel = kernel, stride = stride, padding = (kernel - 1) / 2, groups = inChannels", Key = "block.0.0")] Conv2d depthwise;
    [BatchNorm2d(Activation = Act.SiLU, Key = "block.0.1")] BatchNorm2d depthwise_bn;
    [SqueezeExcitation("inChannels / 4", Inner = Act.SiLU, Gate = Act.Sigmoid, Key = "block.1")] SqueezeExcitation se;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "block.2.0")] Conv2d project;
    [BatchNorm2d(Key = "block.2.1")] BatchNorm2d project_bn;
    [StochasticDepth(0.0), Residual(From = nameof(depthwise), IfSameShape = true)] StochasticDepth stochastic_depth;
}

/// <summary>MBConv: 1×1 expansion, depthwise convolution, squeeze-and-excitation, linear 1×1 projection.</summary>
[Block]
[Param("expand", 6), Param("kernel", 3), Param("stride", 1)]
public partial class MBConv
{
    [Conv2d("inChannels * expand", Kernel = 1, Bias = false, Key = "block.0.0")] Conv2d expand_conv;
    [BatchNorm2d(Activation = Act.SiLU, Key = "block.0.1")] BatchNorm2d expand_bn;
    [Conv2d("inChannels * expand", Bias = false, With = "kernel = kernel, stride = stride, padding = (kernel - 1) / 2, groups = inChannels * expand", Key = "block.1.0")] Conv2d depthwise;
    [BatchNorm2d(Activation = Act.SiLU, Key = "block.1.1")] BatchNorm2d depthwise_bn;
    [SqueezeExcitation("inChannels / 4", Inner = Act.SiLU, Gate = Act.Sigmoid, Key = "block.2")] SqueezeExcitation se;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "block.3.0")] Conv2d project;
    [BatchNorm2d(Key = "block.3.1")] BatchNorm2d project_bn;
    [StochasticDepth(0.0), Residual(From = nameof(expand_conv), IfSameShape = true)] StochasticDepth stochastic_depth;
}

[Model, Input(3, 32, 32)]
public partial class EfficientNetSmall
{
    [Conv2d(16, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Key = "features.0.0")] Conv2d stem;
    [BatchNorm2d(Activation = Act.SiLU, Key = "features.0.1")] BatchNorm2d stem_bn;
    [Stage(typeof(DepthwiseMBConv), 1, "width = 16", Key = "features.1")] Sequential stage1;
    [Stage(typeof(MBConv), 2, "width = 24, stride = 2", Key = "features.2")] Sequential stage2;
    [Stage(typeof(MBConv), 1, "width = 40, kernel = 5, stride = 2", Key = "features.3")] Sequential stage3;
    [Conv2d(160, Kernel = 1, Bias = false, Key = "features.4.0")] Conv2d head;
    [BatchNorm2d(Activation = Act.SiLU, Key = "features.4.1")] BatchNorm2d head_bn;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Dropout(0.2, Key = "classifier.0")] Dropout dropout;
    [Linear(10, Key = "classifier.1")] Linear classifier;
}
