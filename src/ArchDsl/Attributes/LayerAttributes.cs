using System;
using System.Diagnostics;

namespace ArchDsl;

/// <summary>
/// Base of every layer attribute. Integer hyperparameters are literal numbers; inside a [Block], the
/// principal size may be an expression string ("width * 4") and any hyperparameter can be bound by
/// expression through <see cref="With"/> ("stride = stride").
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public abstract class LayerAttribute : Attribute
{
    /// <summary>Activation applied after the layer (after a residual add, if any).</summary>
    public Act Activation { get; set; }

    /// <summary>Hyperparameters given as expressions: "stride = stride, padding = dilation".</summary>
    public string? With { get; set; }

    /// <summary>
    /// The layer's state_dict path when it differs from the field's name: numbered or dashed names that are no C#
    /// identifiers ("features.0.0", "block.2", "block1-0"). Containers for the leading parts are created.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// Reads the input of an earlier member (<c>Input = nameof(conv)</c>) instead of the value the layers before it
    /// produced: a branch beside them, joined back by [Sum], [Concat] or [Multiply] whose From names this layer (the
    /// running value that reached it). RepVGG's or Inception's branches from one value are written this way.
    /// </summary>
    public string? Input { get; set; }
}

/// <summary>2-D convolution (PyTorch nn.Conv2d). MACs: H_out·W_out·C_out·(C_in/groups)·k².</summary>
public sealed class Conv2dAttribute : LayerAttribute
{
    /// <param name="outChannels">Output channels.</param>
    public Conv2dAttribute(int outChannels) => OutChannels = outChannels;
    /// <param name="outChannels">Output channels as an expression over block parameters.</param>
    public Conv2dAttribute(string outChannels) => OutChannelsExpression = outChannels;

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Output channels as an expression.</summary>
    public string? OutChannelsExpression { get; }
    /// <summary>Square kernel size.</summary>
    public int Kernel { get; set; }
    /// <summary>Stride (default 1).</summary>
    public int Stride { get; set; }
    /// <summary>Zero padding on each side (default 0).</summary>
    public int Padding { get; set; }
    /// <summary>Dilation (default 1).</summary>
    public int Dilation { get; set; }
    /// <summary>Groups (default 1); equal to the channels for a depthwise convolution.</summary>
    public int Groups { get; set; }
    /// <summary>Learnable bias (default true).</summary>
    public bool Bias { get; set; }
    /// <summary>
    /// Input channels, optional: inferred from what reaches the layer. When written it must match the
    /// inferred size (ADSL0019), which documents the design and catches a body that changed.
    /// </summary>
    public int InChannels { get; set; }
}

/// <summary>Batch normalisation over channels (nn.BatchNorm2d): 2·C parameters, 2·C + 1 buffers.</summary>
public sealed class BatchNorm2dAttribute : LayerAttribute
{
    /// <summary>Added to the variance (default 1e-5).</summary>
    public double Eps { get; set; }
    /// <summary>Running-statistics momentum (default 0.1).</summary>
    public double Momentum { get; set; }
    /// <summary>Channels normalised, optional: inferred from the input. When written it must match (ADSL0019).</summary>
    public int InChannels { get; set; }
}

/// <summary>Max pooling (nn.MaxPool2d). Stride defaults to the kernel.</summary>
public sealed class MaxPool2dAttribute : LayerAttribute
{
    /// <param name="kernel">Square window size.</param>
    public MaxPool2dAttribute(int kernel) => Kernel = kernel;
    /// <summary>Window size.</summary>
    public int Kernel { get; }
    /// <summary>Stride (default: the kernel).</summary>
    public int Stride { get; set; }
    /// <summary>Padding (default 0).</summary>
    public int Padding { get; set; }
    /// <summary>Dilation (default 1).</summary>
    public int Dilation { get; set; }
}

/// <summary>Average pooling (nn.AvgPool2d). Stride defaults to the kernel.</summary>
public sealed class AvgPool2dAttribute : LayerAttribute
{
    /// <param name="kernel">Square window size.</param>
    public AvgPool2dAttribute(int kernel) => Kernel = kernel;
    /// <summary>Window size.</summary>
    public int Kernel { get; }
    /// <summary>Stride (default: the kernel).</summary>
    public int Stride { get; set; }
    /// <summary>Padding (default 0).</summary>
    public int Padding { get; set; }
}

/// <summary>Adaptive average pooling to a fixed output size (nn.AdaptiveAvgPool2d).</summary>
public sealed class AdaptiveAvgPool2dAttribute : LayerAttribute
{
    /// <param name="height">Output height.</param>
    public AdaptiveAvgPool2dAttribute(int height) => Height = height;
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    public AdaptiveAvgPool2dAttribute(int height, int width)
    {
        Height = height;
        Width = width;
    }
    /// <summary>Output height.</summary>
    public int Height { get; }
    /// <summary>Output width.</summary>
    public int Width { get; }
}

/// <summary>Sub-pixel upsampling (nn.PixelShuffle): C×H×W → (C/r²)×(H·r)×(W·r).</summary>
public sealed class PixelShuffleAttribute : LayerAttribute
{
    /// <param name="factor">Upscale factor r.</param>
    public PixelShuffleAttribute(int factor) => Factor = factor;
    /// <summary>Upscale factor r.</summary>
    public int Factor { get; }
}

/// <summary>Flattens everything but the batch dimension (nn.Flatten).</summary>
public sealed class FlattenAttribute : LayerAttribute { }

/// <summary>Fully connected layer on the last dimension (nn.Linear). MACs: rows·in·out.</summary>
public sealed class LinearAttribute : LayerAttribute
{
    /// <param name="outFeatures">Output features.</param>
    public LinearAttribute(int outFeatures) => OutFeatures = outFeatures;
    /// <param name="outFeatures">Output features as an expression over block parameters.</param>
    public LinearAttribute(string outFeatures) => OutFeaturesExpression = outFeatures;
    /// <summary>Output features.</summary>
    public int OutFeatures { get; }
    /// <summary>Output features as an expression.</summary>
    public string? OutFeaturesExpression { get; }
    /// <summary>Learnable bias (default true).</summary>
    public bool Bias { get; set; }
    /// <summary>
    /// Input features, optional: inferred from what reaches the layer. When written it must match the
    /// inferred size (ADSL0019), which documents the design and catches a body that changed.
    /// </summary>
    public int InFeatures { get; set; }
}

/// <summary>Layer normalisation over the last dimension (nn.LayerNorm).</summary>
public sealed class LayerNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance (default 1e-5; ViT and ConvNeXt use 1e-6).</summary>
    public double Eps { get; set; }
}

/// <summary>Layer normalisation of each position's channels of a C×H×W map (torchvision's LayerNorm2d, ConvNeXt's).</summary>
public sealed class LayerNorm2dAttribute : LayerAttribute
{
    /// <summary>Added to the variance (default 1e-5; ConvNeXt uses 1e-6).</summary>
    public double Eps { get; set; }
}

/// <summary>Dropout (nn.Dropout).</summary>
public sealed class DropoutAttribute : LayerAttribute
{
    /// <param name="p">Probability of zeroing an element.</param>
    public DropoutAttribute(double p = 0.5) => P = p;
    /// <summary>Probability of zeroing an element.</summary>
    public double P { get; }
}

/// <summary>ReLU as a module (nn.ReLU).</summary>
public sealed class ReLUAttribute : LayerAttribute { }
/// <summary>GELU as a module (nn.GELU).</summary>
public sealed class GELUAttribute : LayerAttribute { }
/// <summary>SiLU as a module (nn.SiLU).</summary>
public sealed class SiLUAttribute : LayerAttribute { }
/// <summary>Sigmoid as a module (nn.Sigmoid).</summary>
public sealed class SigmoidAttribute : LayerAttribute { }
/// <summary>Tanh as a module (nn.Tanh).</summary>
public sealed class TanhAttribute : LayerAttribute { }
/// <summary>ReLU6 as a module (nn.ReLU6).</summary>
public sealed class ReLU6Attribute : LayerAttribute { }
/// <summary>Hardswish as a module (nn.Hardswish).</summary>
public sealed class HardswishAttribute : LayerAttribute { }
/// <summary>Hardsigmoid as a module (nn.Hardsigmoid).</summary>
public sealed class HardsigmoidAttribute : LayerAttribute { }
/// <summary>Passes its input through (nn.Identity).</summary>
public sealed class IdentityAttribute : LayerAttribute { }

/// <summary>Turns a C×H×W map into (H·W)×C tokens: each position becomes a token (no parameters).</summary>
public sealed class TokensAttribute : LayerAttribute { }

/// <summary>A learned token prepended to the sequence (ViT's class_token): N×D → (N+1)×D, D parameters.</summary>
public sealed class ClassTokenAttribute : LayerAttribute { }

/// <summary>A learned positional embedding added to the tokens (ViT's pos_embedding): N·D parameters.</summary>
public sealed class PositionalEmbeddingAttribute : LayerAttribute
{
    /// <summary>Standard deviation of its normal initialisation (default 0.02).</summary>
    public double Std { get; set; }
}

/// <summary>
/// Multi-head self-attention through scaled_dot_product_attention, with PyTorch's packed
/// in_proj_weight / in_proj_bias and out_proj names. MACs: 4·N·D² + 2·N²·D.
/// </summary>
public sealed class SelfAttentionAttribute : LayerAttribute
{
    /// <param name="heads">Number of heads; must divide the width.</param>
    public SelfAttentionAttribute(int heads) => Heads = heads;
    /// <param name="heads">Number of heads as an expression over block parameters.</param>
    public SelfAttentionAttribute(string heads) => HeadsExpression = heads;
    /// <summary>Number of heads.</summary>
    public int Heads { get; }
    /// <summary>Number of heads as an expression.</summary>
    public string? HeadsExpression { get; }
    /// <summary>Attention dropout (default 0).</summary>
    public double Dropout { get; set; }
    /// <summary>Projection biases (default true).</summary>
    public bool Bias { get; set; }
}

/// <summary>Transformer MLP as a Sequential: 0 Linear, 1 activation, 2 Dropout, 3 Linear, 4 Dropout (torchvision's MLPBlock).</summary>
public sealed class MlpAttribute : LayerAttribute
{
    /// <param name="hidden">Hidden width.</param>
    public MlpAttribute(int hidden) => Hidden = hidden;
    /// <param name="hidden">Hidden width as an expression over block parameters.</param>
    public MlpAttribute(string hidden) => HiddenExpression = hidden;
    /// <summary>Hidden width.</summary>
    public int Hidden { get; }
    /// <summary>Hidden width as an expression.</summary>
    public string? HiddenExpression { get; }
    /// <summary>Output width (default: the input width).</summary>
    public int Out { get; set; }
    /// <summary>Activation between the two linear layers (default GELU; <see cref="Act.None"/> leaves an Identity in its place).</summary>
    public Act Inner { get; set; }
    /// <summary>Dropout after each linear layer (default 0).</summary>
    public double Dropout { get; set; }
    /// <summary>Input features, optional: inferred from the input. When written it must match (ADSL0019).</summary>
    public int InFeatures { get; set; }
}

/// <summary>Takes one token of an N×D sequence (ViT's x[:, 0]): N×D → D.</summary>
public sealed class SelectTokenAttribute : LayerAttribute
{
    /// <param name="index">Token index (default 0, the class token).</param>
    public SelectTokenAttribute(int index = 0) => Index = index;
    /// <summary>Token index.</summary>
    public int Index { get; }
}
