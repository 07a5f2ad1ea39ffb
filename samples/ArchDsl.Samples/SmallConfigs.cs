using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// Small configurations of the same torchvision builders, built from the blocks of the full models: the tests load the
// weights PyTorch recorded for them (tests/Fixtures/torchvision/record.py) and compare outputs.

/// <summary>
/// torchvision's ConvNeXt builder in the recorded small configuration (<c>convnext_tiny_config</c>): block_setting
/// CNBlockConfig(16, 32, 2), (32, 64, 2), (64, None, 2), layer_scale 1e-6, stochastic_depth_prob 0, 10 classes, 3×32×32
/// input. The last stage has no downsampling after it.
/// </summary>
[Model, Input(3, 32, 32)]
public partial class ConvNeXtSmallConfig
{
    [Conv2d(16, Kernel = 4, Stride = 4, Key = "features.0.0")] Conv2d stem;
    [LayerNorm2d(Eps = 1e-6, Key = "features.0.1")] LayerNorm2d stem_norm;
    [Stage(typeof(CNBlock), 2, Key = "features.1")] Sequential stage1;
    [LayerNorm2d(Eps = 1e-6, Key = "features.2.0")] LayerNorm2d downsample1_norm;
    [Conv2d(32, Kernel = 2, Stride = 2, Key = "features.2.1")] Conv2d downsample1;
    [Stage(typeof(CNBlock), 2, Key = "features.3")] Sequential stage2;
    [LayerNorm2d(Eps = 1e-6, Key = "features.4.0")] LayerNorm2d downsample2_norm;
    [Conv2d(64, Kernel = 2, Stride = 2, Key = "features.4.1")] Conv2d downsample2;
    [Stage(typeof(CNBlock), 2, Key = "features.5")] Sequential stage3;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [LayerNorm2d(Eps = 1e-6, Key = "classifier.0")] LayerNorm2d head_norm;
    [Flatten(Key = "classifier.1")] Flatten flatten;
    [Linear(10, Key = "classifier.2")] Linear classifier;
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

/// <summary>
/// torchvision's _efficientnet with stages (expand, kernel, stride, in, out, layers) = (1, 3, 1, 16, 16, 1),
/// (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 1), last conv 4 × 40 channels, stochastic depth 0, 10 classes, at 3×32×32
/// (fixture efficientnet_small).
/// </summary>
[Model, Input(3, 32, 32)]
public partial class EfficientNetSmall
{
    [Conv2d(16, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Key = "features.0.0")] Conv2d stem;
    [BatchNorm2d(Activation = Act.SiLU, Key = "features.0.1")] BatchNorm2d stem_bn;
    [Stage(typeof(DepthwiseMBConv), 1, "width = 16", Key = "features.1")] Sequential stage1;
    [Stage(typeof(MBConv), 2, "width = 24, stride = 2", Key = "features.2")] Sequential stage2;
    [Stage(typeof(MBConv), 1, "width = 40, kernel = 5, stride = 2", Key = "features.3")] Sequential stage3;
    [Conv2d(160, Kernel = 1, Bias = false, Key = "features.4.0")] Conv2d head;
    [BatchNorm2d(Activation = Act.SiLU, Key = "features.4.1")] BatchNorm2d head_bn;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Dropout(0.2, Key = "classifier.0")] Dropout dropout;
    [Linear(10, Key = "classifier.1")] Linear classifier;
}
