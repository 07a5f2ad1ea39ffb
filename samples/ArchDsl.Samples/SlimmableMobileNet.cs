using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// A slimmable MobileNet-style CNN for 32×32 images and 10 classes (Yu et al., "Slimmable Neural Networks", ICLR 2019):
// one set of weights runs at 0.25×, 0.5×, 0.75× and 1.0× width, each with its own batch norms. Depthwise separable
// convolutions and one inverted residual (expand, depthwise, project, added to the input of expand).

/// <summary>Slimmable at four widths: <c>SetWidth(0.5)</c> runs the first half of every layer's channels.</summary>
[Model, Input(3, 32, 32), Slimmable(0.25, 0.5, 0.75, 1.0)]
public partial class SlimmableMobileNet
{
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] SlimmableConv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn1;
    [Conv2d(32, Kernel = 3, Padding = 1, Groups = 32, Bias = false)] SlimmableConv2d dw2;
    [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn2;
    [Conv2d(64, Kernel = 1, Bias = false)] SlimmableConv2d pw2;
    [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn3;
    [Conv2d(64, Kernel = 3, Stride = 2, Padding = 1, Groups = 64, Bias = false)] SlimmableConv2d dw3;
    [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn4;
    [Conv2d(64, Kernel = 1, Bias = false)] SlimmableConv2d pw3;
    [BatchNorm2d] SwitchableBatchNorm2d bn5;
    [Conv2d(128, Kernel = 1, Bias = false)] SlimmableConv2d expand;
    [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn6;
    [Conv2d(128, Kernel = 3, Padding = 1, Groups = 128, Bias = false)] SlimmableConv2d dw4;
    [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn7;
    [Conv2d(64, Kernel = 1, Bias = false)] SlimmableConv2d project;
    [BatchNorm2d, Residual(From = nameof(expand))] SwitchableBatchNorm2d bn8;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
    [Flatten] Flatten flatten;
    [Linear(10)] SlimmableLinear fc;
}
