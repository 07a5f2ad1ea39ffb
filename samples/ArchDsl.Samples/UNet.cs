using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// U-Net (Ronneberger et al., 2015) with batch norm and padded convolutions, so the output keeps the input size: four
// levels down, a bottleneck, four up through transposed convolutions, each joined with the skip of its level by
// [Concat] (the skip first, as torch.cat([skip, up], 1) writes it).

/// <summary>Two 3×3 convolutions, each with batch norm and ReLU.</summary>
[Block]
public partial class DoubleConv
{
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn2;
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
    [ConvTranspose2d(128, Kernel = 2, Stride = 2), Concat(From = nameof(pool4))] ConvTranspose2d up4;
    [Use(typeof(DoubleConv), "width = 128")] DoubleConv up_conv4;
    [ConvTranspose2d(64, Kernel = 2, Stride = 2), Concat(From = nameof(pool3))] ConvTranspose2d up3;
    [Use(typeof(DoubleConv), "width = 64")] DoubleConv up_conv3;
    [ConvTranspose2d(32, Kernel = 2, Stride = 2), Concat(From = nameof(pool2))] ConvTranspose2d up2;
    [Use(typeof(DoubleConv), "width = 32")] DoubleConv up_conv2;
    [ConvTranspose2d(16, Kernel = 2, Stride = 2), Concat(From = nameof(pool1))] ConvTranspose2d up1;
    [Use(typeof(DoubleConv), "width = 16")] DoubleConv up_conv1;
    [Conv2d(2, Kernel = 1), Head(TaskKind.Segmentation)] Conv2d head;
}
