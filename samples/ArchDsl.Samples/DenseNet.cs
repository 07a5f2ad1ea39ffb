using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// DenseNet as torchvision builds it (densenet169): features.{conv0, norm0, pool0, denseblockN.denselayerM, transitionN,
// norm5} and classifier, so its checkpoints load.

/// <summary>
/// A dense layer: BN-ReLU-1×1 conv to bn_size·growth, BN-ReLU-3×3 conv to growth new channels, appended after its input
/// (torchvision's cat([block input, new1, …, newN]) with each layer seeing all earlier ones is the same as each layer
/// returning cat(input, new)). So a dense block is a stage whose width grows by growth per layer.
/// </summary>
[Block]
[Param("bn_size", 4)]
public partial class DenseLayer
{
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d norm1;
    [Conv2d("bn_size * growth", Kernel = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d norm2;
    [Conv2d("growth", Kernel = 3, Padding = 1, Bias = false), Concat(From = nameof(norm1))] Conv2d conv2;
}

/// <summary>Between dense blocks: BN-ReLU, a 1×1 conv halving the channels, 2×2 average pooling.</summary>
[Block]
public partial class DenseTransition
{
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d norm;
    [Conv2d("inChannels / 2", Kernel = 1, Bias = false)] Conv2d conv;
    [AvgPool2d(2, Stride = 2)] AvgPool2d pool;
}

[Model, Input(3, 224, 224)]
public partial class DenseNet169
{
    [Conv2d(64, Kernel = 7, Stride = 2, Padding = 3, Bias = false, Key = "features.conv0")] Conv2d conv0;
    [BatchNorm2d(Activation = Act.ReLU, Key = "features.norm0")] BatchNorm2d norm0;
    [MaxPool2d(3, Stride = 2, Padding = 1, Key = "features.pool0")] MaxPool2d pool0;
    [Stage(typeof(DenseLayer), 6, "growth = 32", Names = "denselayer{i+1}", Key = "features.denseblock1")] Sequential denseblock1;
    [Use(typeof(DenseTransition), Key = "features.transition1")] DenseTransition transition1;
    [Stage(typeof(DenseLayer), 12, "growth = 32", Names = "denselayer{i+1}", Key = "features.denseblock2")] Sequential denseblock2;
    [Use(typeof(DenseTransition), Key = "features.transition2")] DenseTransition transition2;
    [Stage(typeof(DenseLayer), 32, "growth = 32", Names = "denselayer{i+1}", Key = "features.denseblock3")] Sequential denseblock3;
    [Use(typeof(DenseTransition), Key = "features.transition3")] DenseTransition transition3;
    [Stage(typeof(DenseLayer), 32, "growth = 32", Names = "denselayer{i+1}", Key = "features.denseblock4")] Sequential denseblock4;
    // torchvision's forward applies this ReLU and the pooling functionally, after features.
    [BatchNorm2d(Activation = Act.ReLU, Key = "features.norm5")] BatchNorm2d norm5;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(1000)] Linear classifier;
}
