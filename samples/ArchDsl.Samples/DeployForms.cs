using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// Deploy forms beyond RepVGG: every batch norm right after a convolution folds into it, in a model, in blocks repeated
// by a stage, in a shortcut projection and under keyed paths. A batch norm after an activated convolution does not fold.

/// <summary>A residual unit whose first convolution has its own bias (so the fold adds to it) and whose projection
/// exists only where the stage changes the shape.</summary>
[Block(Deploy = true), Param("stride", 1)]
public partial class FoldUnit
{
    [Conv2d("width", Kernel = 3, Padding = 1, With = "stride = stride")] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Conv2d("width", Kernel = 3, Padding = 1, Groups = 2, Bias = false)] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv1))] BatchNorm2d bn2;
}

/// <summary>A small CNN with every kind of fold, for the deploy-form tests (32×32 input, 10 classes).</summary>
[Model(Deploy = true), Input(3, 32, 32)]
public partial class FoldSmall
{
    [Conv2d(8, Kernel = 3, Padding = 1, Bias = false, Key = "stem.0")] Conv2d stem_conv;
    [BatchNorm2d(Activation = Act.ReLU, Key = "stem.1")] BatchNorm2d stem_bn;
    [Stage(typeof(FoldUnit), 2, "width = 16, stride = 2")] Sequential stage1;
    [Conv2d(16, Kernel = 1, Activation = Act.ReLU)] Conv2d mix;
    [BatchNorm2d] BatchNorm2d mix_bn;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
    [Flatten] Flatten flatten;
    [Linear(10), Head(TaskKind.Classification)] Linear fc;
}

/// <summary>Two branches from one value summed by hand: a 3×3 convolution with its batch norm beside the identity
/// (RepVGG's identity branch written with [Sum]); the batch norm still folds.</summary>
[Model(Deploy = true), Input(8, 16, 16)]
public partial class SumBranches
{
    [Conv2d(8, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv;
    [BatchNorm2d(Activation = Act.ReLU), Sum(From = nameof(conv))] BatchNorm2d bn;
}
