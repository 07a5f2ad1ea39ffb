using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// ResNet as torchvision builds it (resnet18 / resnet50): same member names, so state_dict keys match.

/// <summary>Two 3×3 convolutions with a residual (ResNet-18/34).</summary>
[Block]
[Param("stride", 1)]
public partial class BasicBlock
{
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride")] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv1))] BatchNorm2d bn2;
}

/// <summary>1×1, 3×3, 1×1 convolutions with 4× expansion and a residual (ResNet-50/101/152).</summary>
[Block]
[Param("stride", 1)]
public partial class Bottleneck
{
    [Conv2d("width", Kernel = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride")] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn2;
    [Conv2d("width * 4", Kernel = 1, Bias = false)] Conv2d conv3;
    [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv1))] BatchNorm2d bn3;
}

[Model, Input(3, 224, 224)]
public partial class ResNet18
{
    [Conv2d(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [MaxPool2d(3, Stride = 2, Padding = 1)] MaxPool2d maxpool;
    [Stage(typeof(BasicBlock), 2, "width = 64")] Sequential layer1;
    [Stage(typeof(BasicBlock), 2, "width = 128, stride = 2")] Sequential layer2;
    [Stage(typeof(BasicBlock), 2, "width = 256, stride = 2")] Sequential layer3;
    [Stage(typeof(BasicBlock), 2, "width = 512, stride = 2")] Sequential layer4;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(1000)] Linear fc;
}

[Model, Input(3, 224, 224)]
public partial class ResNet50
{
    [Conv2d(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [MaxPool2d(3, Stride = 2, Padding = 1)] MaxPool2d maxpool;
    [Stage(typeof(Bottleneck), 3, "width = 64")] Sequential layer1;
    [Stage(typeof(Bottleneck), 4, "width = 128, stride = 2")] Sequential layer2;
    [Stage(typeof(Bottleneck), 6, "width = 256, stride = 2")] Sequential layer3;
    [Stage(typeof(Bottleneck), 3, "width = 512, stride = 2")] Sequential layer4;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(1000)] Linear fc;
}
