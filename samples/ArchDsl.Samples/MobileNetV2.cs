using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// MobileNetV2 as torchvision builds it (mobilenet_v2, width 1.0): Key gives each layer torchvision's numbered
// state_dict path, so its checkpoints load.

/// <summary>The first inverted residual (expansion 1): depthwise 3×3, then a linear 1×1 projection.</summary>
[Block]
public partial class DepthwiseSeparable
{
    [Conv2d("inChannels", Kernel = 3, Padding = 1, Bias = false, With = "groups = inChannels", Key = "conv.0.0")] Conv2d depthwise;
    [BatchNorm2d(Activation = Act.ReLU6, Key = "conv.0.1")] BatchNorm2d depthwise_bn;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "conv.1")] Conv2d project;
    [BatchNorm2d(Key = "conv.2"), Residual(From = nameof(depthwise), IfSameShape = true)] BatchNorm2d project_bn;
}

/// <summary>Inverted residual: 1×1 expansion, depthwise 3×3, linear 1×1 projection; the input is added where the
/// block keeps the shape (stride 1, equal channels).</summary>
[Block]
[Param("expand", 6), Param("stride", 1)]
public partial class InvertedResidual
{
    [Conv2d("inChannels * expand", Kernel = 1, Bias = false, Key = "conv.0.0")] Conv2d expand_conv;
    [BatchNorm2d(Activation = Act.ReLU6, Key = "conv.0.1")] BatchNorm2d expand_bn;
    [Conv2d("inChannels * expand", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride, groups = inChannels * expand", Key = "conv.1.0")] Conv2d depthwise;
    [BatchNorm2d(Activation = Act.ReLU6, Key = "conv.1.1")] BatchNorm2d depthwise_bn;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "conv.2")] Conv2d project;
    [BatchNorm2d(Key = "conv.3"), Residual(From = nameof(expand_conv), IfSameShape = true)] BatchNorm2d project_bn;
}

[Model, Input(3, 224, 224)]
public partial class MobileNetV2
{
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Key = "features.0.0")] Conv2d stem;
    [BatchNorm2d(Activation = Act.ReLU6, Key = "features.0.1")] BatchNorm2d stem_bn;
    [Use(typeof(DepthwiseSeparable), "width = 16", Key = "features.1")] DepthwiseSeparable block1;
    [Stage(typeof(InvertedResidual), 2, "width = 24, stride = 2", Key = "features.{i+2}")] Sequential stage2;
    [Stage(typeof(InvertedResidual), 3, "width = 32, stride = 2", Key = "features.{i+4}")] Sequential stage3;
    [Stage(typeof(InvertedResidual), 4, "width = 64, stride = 2", Key = "features.{i+7}")] Sequential stage4;
    [Stage(typeof(InvertedResidual), 3, "width = 96", Key = "features.{i+11}")] Sequential stage5;
    [Stage(typeof(InvertedResidual), 3, "width = 160, stride = 2", Key = "features.{i+14}")] Sequential stage6;
    [Use(typeof(InvertedResidual), "width = 320", Key = "features.17")] InvertedResidual stage7;
    [Conv2d(1280, Kernel = 1, Bias = false, Key = "features.18.0")] Conv2d head;
    [BatchNorm2d(Activation = Act.ReLU6, Key = "features.18.1")] BatchNorm2d head_bn;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Dropout(0.2, Key = "classifier.0")] Dropout dropout;
    [Linear(1000, Key = "classifier.1")] Linear classifier;
}
