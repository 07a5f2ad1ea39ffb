using System;
using System.Diagnostics;

namespace ArchDsl;

/// <summary>How a tensor is laid out, batch dimension aside.</summary>
public enum Layout
{
    /// <summary>C×H×W feature maps.</summary>
    Image,
    /// <summary>N×D token sequences.</summary>
    Tokens,
    /// <summary>D features.</summary>
    Vector,
    /// <summary>H×W×C feature maps, channels last (Swin's blocks; after [Permute(0, 2, 3, 1)]).</summary>
    ChannelsLast,
}

/// <summary>An activation applied after a layer (after its residual add, if any).</summary>
public enum Act
{
    /// <summary>No activation.</summary>
    None,
    /// <summary>max(0, x).</summary>
    ReLU,
    /// <summary>Gaussian error linear unit (exact).</summary>
    GELU,
    /// <summary>x·sigmoid(x).</summary>
    SiLU,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>min(max(0, x), 6) (MobileNetV2).</summary>
    ReLU6,
    /// <summary>x·ReLU6(x + 3)/6 (MobileNetV3).</summary>
    Hardswish,
    /// <summary>ReLU6(x + 3)/6 (MobileNetV3's gates).</summary>
    Hardsigmoid,
    /// <summary>GELU with the tanh approximation (GPT-2).</summary>
    GELUTanh,
}

/// <summary>
/// Marks a partial class as a network. Its fields with layer attributes are its layers, in
/// declaration order; the generator adds the TorchSharp module, its forward pass and its counts.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class ModelAttribute : Attribute
{
}

/// <summary>The model's input shape without the batch dimension: (C, H, W), (N, D) or (D).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class InputAttribute : Attribute
{
    /// <param name="dims">Sizes without the batch dimension, e.g. 3, 224, 224.</param>
    public InputAttribute(params int[] dims) => Dims = dims;

    /// <summary>Sizes without the batch dimension.</summary>
    public int[] Dims { get; }
}

/// <summary>
/// Marks a partial class as a reusable block, instantiated by <see cref="StageAttribute"/> or
/// <see cref="UseAttribute"/>. Its expressions may use parameters bound by the instantiating
/// attribute and its input sizes: inChannels, inHeight, inWidth (Image), inTokens, inFeatures (Tokens),
/// inFeatures (Vector).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class BlockAttribute : Attribute
{
    /// <param name="input">The layout of the block's input.</param>
    public BlockAttribute(Layout input = Layout.Image) => Input = input;

    /// <summary>The layout of the block's input.</summary>
    public Layout Input { get; }

    /// <summary>
    /// The name of a second input, a skip from the block's caller (U-Net's decoder blocks): <c>Skip = "skip"</c>. Joins
    /// inside read it with <c>[Concat(From = "skip")]</c> or <c>[Multiply(From = "skip")]</c>; its sizes are skipChannels,
    /// skipHeight, skipWidth (the same layout as the input). The <see cref="UseAttribute"/> that instantiates the block
    /// passes it with <c>Skip = nameof(member)</c>; the generated forward takes it as a second argument.
    /// </summary>
    public string? Skip { get; set; }
}

/// <summary>A default for a block parameter, used when the instantiating attribute does not bind it: an integer size, or
/// an activation (one block class for ReLU and Hardswish stages).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class ParamAttribute : Attribute
{
    /// <param name="name">Parameter name as used in the block's expressions.</param>
    /// <param name="defaultValue">Value when not bound.</param>
    public ParamAttribute(string name, int defaultValue)
    {
        Name = name;
        DefaultValue = defaultValue;
    }

    /// <param name="name">Parameter name, bound by the instantiating attribute ("act = Hardswish") and used by the block's
    /// layers as <c>With = "activation = act"</c>.</param>
    /// <param name="defaultActivation">Activation when not bound.</param>
    public ParamAttribute(string name, Act defaultActivation)
    {
        Name = name;
        DefaultActivation = defaultActivation;
    }

    /// <summary>Parameter name.</summary>
    public string Name { get; }

    /// <summary>Value when not bound (an integer parameter).</summary>
    public int DefaultValue { get; }

    /// <summary>Activation when not bound (an activation parameter).</summary>
    public Act DefaultActivation { get; }
}

/// <summary>
/// Repeats a block into a Sequential with numbered children ("0", "1", ... as PyTorch's Sequential, or
/// <see cref="Names"/>). A binding named "stride" applies to the first block only; later blocks get 1,
/// as torchvision's ResNet stages do. In a model's Stage the bindings may read the block's index <c>i</c>
/// ("shift = i % 2 * 3"); inside a block, blocks after the first must keep their input shape.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class StageAttribute : Attribute
{
    /// <param name="block">A partial class marked [Block].</param>
    /// <param name="count">How many blocks.</param>
    /// <param name="bindings">Block parameters: "width = 64, stride = 2".</param>
    public StageAttribute(Type block, int count, string bindings = "")
    {
        Block = block;
        Count = count;
        Bindings = bindings;
    }

    /// <param name="block">A partial class marked [Block].</param>
    /// <param name="count">How many blocks, as an expression over the enclosing block's parameters.</param>
    /// <param name="bindings">Block parameters: "heads = heads, mlp_dim = mlp_dim".</param>
    public StageAttribute(Type block, string count, string bindings = "")
    {
        Block = block;
        CountExpression = count;
        Bindings = bindings;
    }

    /// <summary>The block type.</summary>
    public Type Block { get; }
    /// <summary>Literal count.</summary>
    public int Count { get; }
    /// <summary>Count as an expression, when given as one.</summary>
    public string? CountExpression { get; }
    /// <summary>Block parameter bindings.</summary>
    public string Bindings { get; }
    /// <summary>Child names, with {i} for the index ({i+1} to count from 1): "encoder_layer_{i}". Default "{i}".</summary>
    public string? Names { get; set; }

    /// <summary>
    /// The stage's state_dict path when it differs from the field's name ("features.1"); with {i} it places each block
    /// instead ("features.{i+2}", "trunk_output.block1.block1-{i}") and the stage itself has no key.
    /// </summary>
    public string? Key { get; set; }
}

/// <summary>One instance of a block, as a submodule of the block's own type.</summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class UseAttribute : Attribute
{
    /// <param name="block">A partial class marked [Block].</param>
    /// <param name="bindings">Block parameters: "depth = 12, heads = 12".</param>
    public UseAttribute(Type block, string bindings = "")
    {
        Block = block;
        Bindings = bindings;
    }

    /// <summary>The block type.</summary>
    public Type Block { get; }
    /// <summary>Block parameter bindings.</summary>
    public string Bindings { get; }

    /// <summary>The instance's state_dict path when it differs from the field's name ("features.0").</summary>
    public string? Key { get; set; }

    /// <summary>For a block with a <see cref="BlockAttribute.Skip"/> input: the member whose input it receives
    /// (<c>nameof(pool3)</c>: what reached pool3, as a join's From reads it).</summary>
    public string? Skip { get; set; }
}

/// <summary>
/// Adds the input of member <see cref="From"/> to this layer's output, before this layer's activation.
/// When the shapes differ, the shortcut is projected (1×1 convolution and batch norm for images,
/// a linear layer otherwise) into a submodule named <see cref="Shortcut"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class ResidualAttribute : Attribute
{
    /// <summary>The member whose input is added: nameof(conv1).</summary>
    public string? From { get; set; }

    /// <summary>Name of the projection submodule when one is needed. Default "downsample" (torchvision's name).</summary>
    public string? Shortcut { get; set; }

    /// <summary>Register the projection before the member <see cref="From"/> names, not after this one, so that its keys
    /// come first in the state_dict (torchvision's RegNet registers <c>proj</c> before <c>f</c>; ResNet's
    /// <c>downsample</c> comes last, the default).</summary>
    public bool ShortcutFirst { get; set; }

    /// <summary>
    /// Add only where the shapes match, and otherwise no shortcut at all, never a projection (MobileNet's and
    /// EfficientNet's inverted residuals: stride 1 and equal channels).
    /// </summary>
    public bool IfSameShape { get; set; }
}

/// <summary>
/// Concatenates the input of member <see cref="From"/> before this layer's output, along the channels (images) or the
/// last axis (tokens, vectors), before this layer's activation: DenseNet's dense layers, U-Net's skips. Images must
/// agree in height and width, tokens in count.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class ConcatAttribute : Attribute
{
    /// <summary>The member whose input comes first: nameof(conv1).</summary>
    public string? From { get; set; }
}

/// <summary>
/// Multiplies this layer's output, after its activation, by the input of member <see cref="From"/>, element by element
/// with broadcasting: a gate, as squeeze-and-excitation's (sigmoid of a C×1×1 scale times the C×H×W map) or a gated
/// MLP's. Unlike Residual and Concat, whose activation comes after the join, the activation here makes the gate.
/// </summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class MultiplyAttribute : Attribute
{
    /// <summary>The member whose input is multiplied: nameof(avgpool).</summary>
    public string? From { get; set; }
}
