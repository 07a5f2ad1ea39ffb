using ArchDsl;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

/// <summary>
/// A small CNN with two early exits (BranchyNet-style): after stage1 and stage2 a classifier (global average pooling
/// and a linear layer to the 10 classes) can return before the rest of the network runs; the final classifier is the
/// last exit.
/// </summary>
[Model, Input(3, 32, 32)]
[Exit(nameof(stage1))]
[Exit(nameof(stage2))]
public partial class EarlyExitNet
{
    [Conv2d(16, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d stem;
    [Conv2d(16, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d stage1;
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Activation = Act.ReLU)] Conv2d stage2;
    [Conv2d(64, Kernel = 3, Stride = 2, Padding = 1, Activation = Act.ReLU)] Conv2d stage3;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
    [Flatten] Flatten flatten;
    [Linear(10)] Linear fc;
}
