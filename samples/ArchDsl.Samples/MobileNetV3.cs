using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// MobileNetV3-Small as torchvision builds it (mobilenet_v3_small, width 1.0): every batch norm has eps 0.001 and
// momentum 0.01; Key gives torchvision's numbered state_dict paths (features.N.block.M.K), so its checkpoints load.
// The squeeze-and-excitation width is torchvision's _make_divisible(expanded / 4, 8), written as rounding to the
// nearest multiple of 8 (its other rules, at least 8 and at least 90 % of the value, hold for every width here).

/// <summary>MobileNetV3's first bottleneck (no expansion): depthwise convolution with ReLU, squeeze-and-excitation,
/// linear 1×1 projection.</summary>
[Block]
[Param("kernel", 3), Param("stride", 1)]
public partial class DepthwiseSqueezeExcitation
{
    [Conv2d("inChannels", Bias = false, With = "kernel = kernel, stride = stride, padding = (kernel - 1) / 2, groups = inChannels", Key = "block.0.0")] Conv2d depthwise;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Activation = Act.ReLU, Key = "block.0.1")] BatchNorm2d depthwise_bn;
    [SqueezeExcitation("(inChannels / 4 + 4) / 8 * 8", Inner = Act.ReLU, Gate = Act.Hardsigmoid, Key = "block.1")] SqueezeExcitation se;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "block.2.0")] Conv2d project;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Key = "block.2.1"), Residual(From = nameof(depthwise), IfSameShape = true)] BatchNorm2d project_bn;
}

/// <summary>Inverted residual with ReLU and no squeeze-and-excitation: 1×1 expansion to <c>expanded</c> channels,
/// depthwise convolution, linear 1×1 projection; the input is added where the block keeps the shape.</summary>
[Block]
[Param("kernel", 3), Param("stride", 1)]
public partial class InvertedResidualReLU
{
    [Conv2d("expanded", Kernel = 1, Bias = false, Key = "block.0.0")] Conv2d expand_conv;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Activation = Act.ReLU, Key = "block.0.1")] BatchNorm2d expand_bn;
    [Conv2d("expanded", Bias = false, With = "kernel = kernel, stride = stride, padding = (kernel - 1) / 2, groups = expanded", Key = "block.1.0")] Conv2d depthwise;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Activation = Act.ReLU, Key = "block.1.1")] BatchNorm2d depthwise_bn;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "block.2.0")] Conv2d project;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Key = "block.2.1"), Residual(From = nameof(expand_conv), IfSameShape = true)] BatchNorm2d project_bn;
}

/// <summary>Inverted residual with Hardswish and squeeze-and-excitation: 1×1 expansion, depthwise convolution,
/// squeeze-and-excitation, linear 1×1 projection; the input is added where the block keeps the shape.</summary>
[Block]
[Param("kernel", 5), Param("stride", 1)]
public partial class InvertedResidualHardswishSE
{
    [Conv2d("expanded", Kernel = 1, Bias = false, Key = "block.0.0")] Conv2d expand_conv;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Activation = Act.Hardswish, Key = "block.0.1")] BatchNorm2d expand_bn;
    [Conv2d("expanded", Bias = false, With = "kernel = kernel, stride = stride, padding = (kernel - 1) / 2, groups = expanded", Key = "block.1.0")] Conv2d depthwise;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Activation = Act.Hardswish, Key = "block.1.1")] BatchNorm2d depthwise_bn;
    [SqueezeExcitation("(expanded / 4 + 4) / 8 * 8", Inner = Act.ReLU, Gate = Act.Hardsigmoid, Key = "block.2")] SqueezeExcitation se;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "block.3.0")] Conv2d project;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Key = "block.3.1"), Residual(From = nameof(expand_conv), IfSameShape = true)] BatchNorm2d project_bn;
}

[Model, Input(3, 224, 224)]
public partial class MobileNetV3Small
{
    [Conv2d(16, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Key = "features.0.0")] Conv2d stem;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Activation = Act.Hardswish, Key = "features.0.1")] BatchNorm2d stem_bn;
    [Use(typeof(DepthwiseSqueezeExcitation), "width = 16, stride = 2", Key = "features.1")] DepthwiseSqueezeExcitation block1;
    [Use(typeof(InvertedResidualReLU), "width = 24, expanded = 72, stride = 2", Key = "features.2")] InvertedResidualReLU block2;
    [Use(typeof(InvertedResidualReLU), "width = 24, expanded = 88", Key = "features.3")] InvertedResidualReLU block3;
    [Use(typeof(InvertedResidualHardswishSE), "width = 40, expanded = 96, stride = 2", Key = "features.4")] InvertedResidualHardswishSE block4;
    [Stage(typeof(InvertedResidualHardswishSE), 2, "width = 40, expanded = 240", Key = "features.{i+5}")] Sequential blocks5;
    [Use(typeof(InvertedResidualHardswishSE), "width = 48, expanded = 120", Key = "features.7")] InvertedResidualHardswishSE block7;
    [Use(typeof(InvertedResidualHardswishSE), "width = 48, expanded = 144", Key = "features.8")] InvertedResidualHardswishSE block8;
    [Use(typeof(InvertedResidualHardswishSE), "width = 96, expanded = 288, stride = 2", Key = "features.9")] InvertedResidualHardswishSE block9;
    [Stage(typeof(InvertedResidualHardswishSE), 2, "width = 96, expanded = 576", Key = "features.{i+10}")] Sequential blocks10;
    [Conv2d(576, Kernel = 1, Bias = false, Key = "features.12.0")] Conv2d head;
    [BatchNorm2d(Eps = 0.001, Momentum = 0.01, Activation = Act.Hardswish, Key = "features.12.1")] BatchNorm2d head_bn;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(1024, Activation = Act.Hardswish, Key = "classifier.0")] Linear pre_classifier;
    [Dropout(0.2, Key = "classifier.2")] Dropout dropout;
    [Linear(1000, Key = "classifier.3")] Linear classifier;
}
