using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// U-Net (Ronneberger et al., 2015) with batch norm and padded convolutions, so the output keeps the input size: four
// levels down, a bottleneck, four up. Each up step is a block that takes the skip of its level as a second input
// (Skip = nameof(pool4): what reached pool4) and joins it by [Concat], the skip first, as torch.cat([skip, up], 1).

/// <summary>Two 3×3 convolutions, each with batch norm and ReLU.</summary>
[Block]
public partial class DoubleConv
{
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn2;
}

/// <summary>Up one level: a transposed convolution doubles the map, the encoder's skip is concatenated before it, and
/// two convolutions.</summary>
[Block(Skip = "skip")]
public partial class Up
{
    [ConvTranspose2d("width", Kernel = 2, Stride = 2), Concat(From = "skip")] ConvTranspose2d up;
    [Use(typeof(DoubleConv), "width = width")] DoubleConv conv;
}

/// <summary>A U-Net for two-class segmentation of 64×64 images, widths 16 to 256.</summary>
[Model, Input(3, 64, 64)]
public partial class UNet
{
    [Use(typeof(DoubleConv), "width = 16")] DoubleConv down1;
    [MaxPool2d(2)] MaxPool2d pool1;
    [Use(typeof(DoubleConv), "width = 32")] DoubleConv down2;
    [MaxPool2d(2)] MaxPool2d pool2;
    [Use(typeof(DoubleConv), "width = 64")] DoubleConv down3;
    [MaxPool2d(2)] MaxPool2d pool3;
    [Use(typeof(DoubleConv), "width = 128")] DoubleConv down4;
    [MaxPool2d(2)] MaxPool2d pool4;
    [Use(typeof(DoubleConv), "width = 256")] DoubleConv bottleneck;
    [Use(typeof(Up), "width = 128", Skip = nameof(pool4))] Up up4;
    [Use(typeof(Up), "width = 64", Skip = nameof(pool3))] Up up3;
    [Use(typeof(Up), "width = 32", Skip = nameof(pool2))] Up up2;
    [Use(typeof(Up), "width = 16", Skip = nameof(pool1))] Up up1;
    [Conv2d(2, Kernel = 1), Head(TaskKind.Segmentation)] Conv2d head;
}
