using System;
using System.Diagnostics;

namespace ArchDsl;

/// <summary>
/// Transposed 2-D convolution (nn.ConvTranspose2d): H_out = (H−1)·stride − 2·padding + dilation·(k−1) + outputPadding + 1.
/// MACs: H_in·W_in·C_in·(C_out/groups)·k² (each input position scatters one kernel).
/// </summary>
public sealed class ConvTranspose2dAttribute : LayerAttribute
{
    /// <param name="outChannels">Output channels.</param>
    public ConvTranspose2dAttribute(int outChannels) => OutChannels = outChannels;
    /// <param name="outChannels">Output channels as an expression over block parameters.</param>
    public ConvTranspose2dAttribute(string outChannels) => OutChannelsExpression = outChannels;
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Output channels as an expression.</summary>
    public string? OutChannelsExpression { get; }
    /// <summary>Square kernel size.</summary>
    public int Kernel { get; set; }
    /// <summary>Stride (default 1).</summary>
    public int Stride { get; set; }
    /// <summary>Padding removed from each side (default 0).</summary>
    public int Padding { get; set; }
    /// <summary>Extra size added to one side of the output (default 0; less than the stride).</summary>
    public int OutputPadding { get; set; }
    /// <summary>Dilation (default 1).</summary>
    public int Dilation { get; set; }
    /// <summary>Groups (default 1).</summary>
    public int Groups { get; set; }
    /// <summary>Learnable bias (default true).</summary>
    public bool Bias { get; set; }
}

/// <summary>How <see cref="UpsampleAttribute"/> fills the new positions.</summary>
public enum UpsampleMode
{
    /// <summary>Copies the nearest input position.</summary>
    Nearest,
    /// <summary>Interpolates bilinearly.</summary>
    Bilinear,
}

/// <summary>Upsampling of a C×H×W map by a scale factor (nn.Upsample); H·scale and W·scale must be whole numbers.</summary>
public sealed class UpsampleAttribute : LayerAttribute
{
    /// <param name="scale">Scale factor of both axes.</param>
    public UpsampleAttribute(double scale) => Scale = scale;
    /// <summary>Scale factor of both axes.</summary>
    public double Scale { get; }
    /// <summary>Nearest (default) or bilinear.</summary>
    public UpsampleMode Mode { get; set; }
    /// <summary>Bilinear only: align the corner pixels (default false).</summary>
    public bool AlignCorners { get; set; }
}

/// <summary>Reorders the axes (torch.permute), given with the batch axis first as PyTorch writes it: (0, 2, 3, 1) turns
/// a C×H×W map channels-last, (0, 3, 1, 2) back.</summary>
public sealed class PermuteAttribute : LayerAttribute
{
    /// <param name="dims">The new order of the axes, batch axis (0) first.</param>
    public PermuteAttribute(params int[] dims) => Dims = dims;
    /// <summary>The new order of the axes.</summary>
    public int[] Dims { get; }
}

/// <summary>
/// A learned per-channel scale (ConvNeXt's layer_scale): a C×1×1 tensor for maps, D for tokens and vectors, filled
/// with <see cref="Init"/>, multiplied into the running value.
/// </summary>
public sealed class LayerScaleAttribute : LayerAttribute
{
    /// <param name="init">Initial value of every element (ConvNeXt: 1e-6).</param>
    public LayerScaleAttribute(double init) => Init = init;
    /// <summary>Initial value of every element.</summary>
    public double Init { get; }
}

/// <summary>How <see cref="StochasticDepthAttribute"/> drops.</summary>
public enum DepthMode
{
    /// <summary>Each sample of the batch is dropped on its own (torchvision's "row").</summary>
    Row,
    /// <summary>The whole batch is dropped or kept together.</summary>
    Batch,
}

/// <summary>Stochastic depth (torchvision.ops.StochasticDepth): while training, zeroes the branch with probability P and
/// scales survivors by 1/(1−P); the identity in eval. Put it last in a residual branch. A model's
/// <see cref="StochasticDepthRampAttribute"/> sets P for every such layer instead.</summary>
public sealed class StochasticDepthAttribute : LayerAttribute
{
    /// <param name="p">Probability of dropping the branch (default 0: set by the model's ramp, or off).</param>
    public StochasticDepthAttribute(double p = 0) => P = p;
    /// <summary>Probability of dropping the branch.</summary>
    public double P { get; }
    /// <summary>Row (default) or batch.</summary>
    public DepthMode Mode { get; set; }
}

/// <summary>
/// Squeeze-and-excitation on a C×H×W map (torchvision's SqueezeExcitation, names fc1 and fc2): average to C×1×1, a 1×1
/// convolution to <c>squeeze</c> channels, <see cref="Inner"/>, a 1×1 convolution back to C, <see cref="Gate"/>, and the
/// map times that gate. Parameters 2·C·S + S + C; MACs 2·C·S.
/// </summary>
public sealed class SqueezeExcitationAttribute : LayerAttribute
{
    /// <param name="squeeze">Channels of the bottleneck.</param>
    public SqueezeExcitationAttribute(int squeeze) => Squeeze = squeeze;
    /// <param name="squeeze">Channels of the bottleneck as an expression over block parameters.</param>
    public SqueezeExcitationAttribute(string squeeze) => SqueezeExpression = squeeze;
    /// <summary>Channels of the bottleneck.</summary>
    public int Squeeze { get; }
    /// <summary>Channels of the bottleneck as an expression.</summary>
    public string? SqueezeExpression { get; }
    /// <summary>Activation after the first convolution (default ReLU; EfficientNet: SiLU).</summary>
    public Act Inner { get; set; }
    /// <summary>Activation of the gate (default Sigmoid; MobileNetV3: Hardsigmoid).</summary>
    public Act Gate { get; set; }
}

/// <summary>
/// Drop probabilities rising linearly over the model's <see cref="StochasticDepthAttribute"/> layers in forward order,
/// from 0 at the first, as torchvision builds ConvNeXt, Swin and EfficientNet: p_k = Max·k/(n−1), so that the last
/// gets Max, or with <see cref="EndsAtMax"/> false p_k = Max·k/n (EfficientNet). The layers of one block share a
/// position k (a Swin block drops after its attention and after its MLP with one probability); n counts positions.
/// Replaces the layers' own P.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class StochasticDepthRampAttribute : Attribute
{
    /// <param name="max">The largest probability.</param>
    public StochasticDepthRampAttribute(double max) => Max = max;
    /// <summary>The largest probability.</summary>
    public double Max { get; }
    /// <summary>Whether the last layer reaches <see cref="Max"/> (default true); false divides by n instead of n − 1.</summary>
    public bool EndsAtMax { get; set; } = true;
}
