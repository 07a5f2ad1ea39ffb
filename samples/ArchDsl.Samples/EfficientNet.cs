using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// EfficientNet-B1 as torchvision builds it (efficientnet_b1: B0's stages with depth ×1.1, rounded up; width 1.0):
// Key gives torchvision's numbered state_dict paths (features.N.M.block.K.L), so its checkpoints load.
// Stochastic depth: torchvision drops the branch of block k (0…22, counted over the whole network) with probability
// 0.2·k/23 while training, and only in blocks that add their input: [StochasticDepthRamp(0.2, EndsAtMax = false)].

/// <summary>MBConv with expansion ratio 1: depthwise convolution, squeeze-and-excitation, linear 1×1 projection; the
/// input is added where the block keeps the shape.</summary>
[Block]
[Param("kernel", 3), Param("stride", 1)]
public partial class DepthwiseMBConv
{
    [Conv2d("inChannels", Bias = false, With = "kernel = kernel, stride = stride, padding = (kernel - 1) / 2, groups = inChannels", Key = "block.0.0")] Conv2d depthwise;
    [BatchNorm2d(Activation = Act.SiLU, Key = "block.0.1")] BatchNorm2d depthwise_bn;
    [SqueezeExcitation("inChannels / 4", Inner = Act.SiLU, Gate = Act.Sigmoid, Key = "block.1")] SqueezeExcitation se;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "block.2.0")] Conv2d project;
    [BatchNorm2d(Key = "block.2.1")] BatchNorm2d project_bn;
    [StochasticDepth, Residual(From = nameof(depthwise), IfSameShape = true)] StochasticDepth stochastic_depth;
}

/// <summary>MBConv: 1×1 expansion by <c>expand</c>, depthwise convolution, squeeze-and-excitation to a quarter of the
/// block's input channels, linear 1×1 projection; the input is added where the block keeps the shape.</summary>
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
    [StochasticDepth, Residual(From = nameof(expand_conv), IfSameShape = true)] StochasticDepth stochastic_depth;
}

[Model, Input(3, 240, 240), StochasticDepthRamp(0.2, EndsAtMax = false)]
public partial class EfficientNetB1
{
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Key = "features.0.0")] Conv2d stem;
    [BatchNorm2d(Activation = Act.SiLU, Key = "features.0.1")] BatchNorm2d stem_bn;
    [Stage(typeof(DepthwiseMBConv), 2, "width = 16", Key = "features.1")] Sequential stage1;
    [Stage(typeof(MBConv), 3, "width = 24, stride = 2", Key = "features.2")] Sequential stage2;
    [Stage(typeof(MBConv), 3, "width = 40, kernel = 5, stride = 2", Key = "features.3")] Sequential stage3;
    [Stage(typeof(MBConv), 4, "width = 80, stride = 2", Key = "features.4")] Sequential stage4;
    [Stage(typeof(MBConv), 4, "width = 112, kernel = 5", Key = "features.5")] Sequential stage5;
    [Stage(typeof(MBConv), 5, "width = 192, kernel = 5, stride = 2", Key = "features.6")] Sequential stage6;
    [Stage(typeof(MBConv), 2, "width = 320", Key = "features.7")] Sequential stage7;
    [Conv2d(1280, Kernel = 1, Bias = false, Key = "features.8.0")] Conv2d head;
    [BatchNorm2d(Activation = Act.SiLU, Key = "features.8.1")] BatchNorm2d head_bn;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Dropout(0.2, Key = "classifier.0")] Dropout dropout;
    [Linear(1000, Key = "classifier.1")] Linear classifier;
}
