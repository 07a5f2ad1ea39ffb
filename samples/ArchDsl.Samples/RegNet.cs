using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// RegNetX as torchvision builds it (regnet_x_400mf): stem.{0,1}, trunk_output.blockN.blockN-M.{proj, f.{a,b,c}}, fc.

/// <summary>
/// RegNetX's residual bottleneck (bottleneck multiplier 1, no squeeze-excitation): 1×1, grouped 3×3 with groups of
/// group_width channels, 1×1; the input is projected (1×1 conv and BN, torchvision's proj) where the width or the
/// resolution changes, and the ReLU follows the add.
/// </summary>
[Block]
[Param("stride", 1)]
public partial class RegNetXBlock
{
    [Conv2d("width", Kernel = 1, Bias = false, Key = "f.a.0")] Conv2d a;
    [BatchNorm2d(Activation = Act.ReLU, Key = "f.a.1")] BatchNorm2d a_bn;
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride, groups = width / group_width", Key = "f.b.0")] Conv2d b;
    [BatchNorm2d(Activation = Act.ReLU, Key = "f.b.1")] BatchNorm2d b_bn;
    [Conv2d("width", Kernel = 1, Bias = false, Key = "f.c.0")] Conv2d c;
    [BatchNorm2d(Activation = Act.ReLU, Key = "f.c.1"), Residual(From = nameof(a), Shortcut = "proj", ShortcutFirst = true)] BatchNorm2d c_bn;
}

// Depths 1, 2, 7, 12 and widths 32, 64, 160, 400 are what BlockParams.from_init_params(depth=22, w_0=24, w_a=24.48,
// w_m=2.54, group_width=16) gives after torchvision's rounding; every stage starts with stride 2.
[Model, Input(3, 224, 224)]
public partial class RegNetX400MF
{
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false, Key = "stem.0")] Conv2d stem;
    [BatchNorm2d(Activation = Act.ReLU, Key = "stem.1")] BatchNorm2d stem_bn;
    [Stage(typeof(RegNetXBlock), 1, "width = 32, group_width = 16, stride = 2", Key = "trunk_output.block1.block1-{i}")] Sequential block1;
    [Stage(typeof(RegNetXBlock), 2, "width = 64, group_width = 16, stride = 2", Key = "trunk_output.block2.block2-{i}")] Sequential block2;
    [Stage(typeof(RegNetXBlock), 7, "width = 160, group_width = 16, stride = 2", Key = "trunk_output.block3.block3-{i}")] Sequential block3;
    [Stage(typeof(RegNetXBlock), 12, "width = 400, group_width = 16, stride = 2", Key = "trunk_output.block4.block4-{i}")] Sequential block4;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(1000)] Linear fc;
}
