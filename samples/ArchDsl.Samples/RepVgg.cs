using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// RepVGG-A0 (Ding et al. 2021): stage0 one block of 48, stages 1–4 of 2, 4, 14 and 1 blocks of 48, 96, 192 and 1280,
// the first block of each stage with stride 2; global pooling and a 1000-class linear head, at 224. Trained with three
// branches per block, deployed as plain 3×3 convolutions: the generated model counts both forms and converts.

/// <summary>One RepVGG block followed by ReLU, as a stage repeats it (stride on the first only).</summary>
[Block, Param("stride", 1)]
public partial class RepVggUnit
{
    [RepVgg("width", With = "stride = stride", Activation = Act.ReLU)] RepVgg block;
}

/// <summary>RepVGG-A0: 9,108,968 parameters as trained, 8,309,384 deployed.</summary>
[Model, Input(3, 224, 224)]
public partial class RepVggA0
{
    [RepVgg(48, Stride = 2, Activation = Act.ReLU)] RepVgg stage0;
    [Stage(typeof(RepVggUnit), 2, "width = 48, stride = 2")] Sequential stage1;
    [Stage(typeof(RepVggUnit), 4, "width = 96, stride = 2")] Sequential stage2;
    [Stage(typeof(RepVggUnit), 14, "width = 192, stride = 2")] Sequential stage3;
    [Stage(typeof(RepVggUnit), 1, "width = 1280, stride = 2")] Sequential stage4;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d gap;
    [Flatten] Flatten flatten;
    [Linear(1000), Head(TaskKind.Classification)] Linear linear;
}

/// <summary>A small RepVGG for the conversion tests: 32×32 input, every branch kind, 10 classes.</summary>
[Model, Input(3, 32, 32)]
public partial class RepVggSmall
{
    [RepVgg(8, Stride = 2, Activation = Act.ReLU)] RepVgg stage0;
    [Stage(typeof(RepVggUnit), 2, "width = 16, stride = 2")] Sequential stage1;
    [Stage(typeof(RepVggUnit), 2, "width = 24, stride = 2")] Sequential stage2;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d gap;
    [Flatten] Flatten flatten;
    [Linear(10), Head(TaskKind.Classification)] Linear linear;
}
