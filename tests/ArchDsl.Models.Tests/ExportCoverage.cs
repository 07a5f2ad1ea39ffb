using TorchSharp.Modules;

namespace ArchDsl.Models.Tests;

// Layer kinds, activations and joins that no sample uses, declared here so that the PyTorch export renders every one
// (PyTorchExportTests: every kind of the catalogue appears in an exported model whose outputs agree with PyTorch's).

/// <summary>A block with an activation parameter and a multiplicative gate.</summary>
[Block, Param("act", Act.ReLU)]
public partial class CoverageGate
{
    [Conv2d("inChannels", Kernel = 3, Padding = 1, With = "activation = act")] Conv2d conv;
    [Conv2d("inChannels", Kernel = 1, Activation = Act.Sigmoid), Multiply(From = nameof(conv))] Conv2d gate;
}

/// <summary>Pixel shuffle, bilinear upsampling, every elementwise module, stochastic depth, a [Sum] join (x + the
/// input of mix), and a GELU-tanh head.</summary>
[Model, Input(3, 16, 16)]
public partial class ExportCoverageNet
{
    [Conv2d(16, Kernel = 3, Padding = 1, Activation = Act.ReLU6)] Conv2d stem;
    [Stage(typeof(CoverageGate), 2, "act = Hardswish")] Sequential gates;
    [PixelShuffle(2)] PixelShuffle shuffle;
    [Conv2d(8, Kernel = 3, Stride = 2, Padding = 1, Activation = Act.SiLU)] Conv2d down;
    [Upsample(2, Mode = UpsampleMode.Bilinear)] Upsample up;
    [Conv2d(8, Kernel = 3, Padding = 1, Activation = Act.Tanh)] Conv2d mix;
    [StochasticDepth(0.1), Residual(From = nameof(mix))] ArchDsl.Layers.StochasticDepth drop;
    [Conv2d(8, Kernel = 1), Sum(From = nameof(mix))] Conv2d sum;
    [Conv2d(4, Kernel = 1, Input = nameof(mix)), Concat(From = nameof(branch))] Conv2d branch;
    [SiLU] SiLU silu;
    [Hardsigmoid] Hardsigmoid hardsigmoid;
    [Tanh] Tanh tanh;
    [ReLU] ReLU relu;
    [GELU] GELU gelu;
    [Sigmoid] Sigmoid sigmoid;
    [ReLU6] ReLU6 relu6;
    [Hardswish] Hardswish hardswish;
    [Identity] Identity identity;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
    [Flatten] Flatten flatten;
    [Linear(10, Activation = Act.GELUTanh)] Linear fc;
}
