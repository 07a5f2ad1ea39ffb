using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Quickstart;

/// <summary>A small CNN for 1×32×32 images and four classes: the generator writes the module and its counts.</summary>
[Model, Input(1, 32, 32)]
public partial class SmallCnn
{
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [MaxPool2d(2)] MaxPool2d pool1;
    [Conv2d(32, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn2;
    [MaxPool2d(2)] MaxPool2d pool2;
    [Conv2d(64, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv3;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn3;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(4)] Linear fc;
}
