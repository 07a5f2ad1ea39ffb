using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Models.Tests;

// The small configurations recorded by tests/Fixtures/torchvision/record.py. Blocks are read from source in the
// assembly that uses them (ADSL0012), so the samples' DenseLayer, DenseTransition and RegNetXBlock are repeated here,
// unchanged.

/// <summary>DenseNet's dense layer (as samples/ArchDsl.Samples/DenseNet.cs).</summary>
[Block]
[Param("bn_size", 4)]
public partial class DenseLayer
{
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d norm1;
    [Conv2d("bn_size * growth", Kernel = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d norm2;
    [Conv2d("growth", Kernel = 3, Padding = 1, Bias = false), Concat(From = nameof(norm1))] Conv2d conv2;
}

/// <summary>DenseNet's transition (as samples/ArchDsl.Samples/DenseNet.cs).</summary>
[Block]
public partial class DenseTransition
{
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d norm;
    [Conv2d("inChannels / 2", Kernel = 1, Bias = false)] Conv2d conv;
    [AvgPool2d(2, Stride = 2)] AvgPool2d pool;
}

/// <summary>RegNetX's residual bottleneck (as samples/ArchDsl.Samples/RegNet.cs).</summary>
[Block]
[Param("stride", 1)]
public partial class RegNetXBlock
{
    [Conv2d("width", Kernel = 1, Bias = false, Key = "f.a.0")] Conv2d a;
    [BatchNorm2d(Activation = Act.ReLU, Key = "f.a.1")] BatchNorm2d a_bn;
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride, groups = width / group_width", Key = "f.b.0")] Conv2d b;
    [BatchNorm2d(Activation = Act.ReLU, Key = "f.b.1")] BatchNorm2d b_bn;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "f.c.0")] Conv2d c;
    [BatchNorm2d(Activation = Act.ReLU, Key = "f.c.1"), Residual(From = nameof(a), Shortcut = "proj")] BatchNorm2d c_bn;
}

/// <summary>
/// torchvision.models.DenseNet(growth_rate=8, block_config=(2, 2, 2, 2), num_init_features=16, bn_size=4,
/// drop_rate=0, num_classes=10) at 3×32×32 (fixture densenet_small).
/// </summary>
[Model, Input(3, 32, 32)]
public partial class DenseNetSmall
{
    [Conv2d(16, Kernel = 7, Stride = 2, Padding = 3, Bias = false, Key = "features.conv0")] Conv2d conv0;
    [BatchNorm2d(Activation = Act.ReLU, Key = "features.norm0")] BatchNorm2d norm0;
    [MaxPool2d(3, Stride = 2, Padding = 1, Key = "features.pool0")] MaxPool2d pool0;
    [Stage(typeof(DenseLayer), 2, "growth = 8", Names = "denselayer{i+1}", Key = "features.denseblock1")] Sequential denseblock1;
    [Use(typeof(DenseTransition), Key = "features.transition1")] DenseTransition transition1;
    [Stage(typeof(DenseLayer), 2, "growth = 8", Names = "denselayer{i+1}", Key = "features.denseblock2")] Sequential denseblock2;
    [Use(typeof(DenseTransition), Key = "features.transition2")] DenseTransition transition2;
    [Stage(typeof(DenseLayer), 2, "growth = 8", Names = "denselayer{i+1}", Key = "features.denseblock3")] Sequential denseblock3;
    [Use(typeof(DenseTransition), Key = "features.transition3")] DenseTransition transition3;
    [Stage(typeof(DenseLayer), 2, "growth = 8", Names = "denselayer{i+1}", Key = "features.denseblock4")] Sequential denseblock4;
    [BatchNorm2d(Activation = Act.ReLU, Key = "features.norm5")] BatchNorm2d norm5;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(10)] Linear classifier;
}

/// <summary>
/// torchvision.models.RegNet(BlockParams.from_init_params(depth=4, w_0=16, w_a=8.0, w_m=2.0, group_width=8),
/// num_classes=10) at 3×32×32 (fixture regnet_small): depths 1, 3, widths 16, 32, group width 8, stem 32.
/// </summary>
[Model, Input(3, 32, 32)]
public partial class RegNetSmall
{
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Key = "stem.0")] Conv2d stem;
    [BatchNorm2d(Activation = Act.ReLU, Key = "stem.1")] BatchNorm2d stem_bn;
    [Stage(typeof(RegNetXBlock), 1, "width = 16, group_width = 8, stride = 2", Key = "trunk_output.block1.block1-{i}")] Sequential block1;
    [Stage(typeof(RegNetXBlock), 3, "width = 32, group_width = 8, stride = 2", Key = "trunk_output.block2.block2-{i}")] Sequential block2;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(10)] Linear fc;
}
