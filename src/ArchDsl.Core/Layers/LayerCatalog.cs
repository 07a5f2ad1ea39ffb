using System.Collections.Generic;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Layers.Kinds;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers;

/// <summary>Every layer kind, by attribute name. Registration only: each kind's rules live in its own type.</summary>
public static class LayerCatalog
{
    internal static readonly Layout[] ImageOnly = { Layout.Image };
    internal static readonly Layout[] TokensOnly = { Layout.Tokens };
    internal static readonly Layout[] ChannelsLastOnly = { Layout.ChannelsLast };

    public const string Stage = "Stage";
    public const string Use = "Use";

    public static readonly IReadOnlyDictionary<string, LayerKind> Kinds = Build(
        new Conv2dKind(),
        new BatchNorm2dKind(),
        new Pool2dKind(max: true),
        new Pool2dKind(max: false),
        new AdaptiveAvgPool2dKind(),
        new PixelShuffleKind(),
        new FlattenKind(),
        new LinearKind(),
        new LayerNormKind(),
        new LayerNorm2dKind(),
        new DropoutKind(),
        new ElementwiseKind("ReLU", "ReLU as a module (`nn.ReLU`)"),
        new ElementwiseKind("GELU", "GELU as a module (`nn.GELU`)"),
        new ElementwiseKind("SiLU", "SiLU as a module (`nn.SiLU`)"),
        new ElementwiseKind("Sigmoid", "sigmoid as a module (`nn.Sigmoid`)"),
        new ElementwiseKind("Tanh", "tanh as a module (`nn.Tanh`)"),
        new ElementwiseKind("ReLU6", "ReLU6 as a module (`nn.ReLU6`)"),
        new ElementwiseKind("Hardswish", "hardswish as a module (`nn.Hardswish`)"),
        new ElementwiseKind("Hardsigmoid", "hardsigmoid as a module (`nn.Hardsigmoid`)"),
        new ElementwiseKind("Identity", "passes its input through (`nn.Identity`)"),
        new TokensKind(),
        new ClassTokenKind(),
        new PositionalEmbeddingKind(),
        new SelfAttentionKind(),
        new MlpKind(),
        new SelectTokenKind(),
        new ConvTranspose2dKind(),
        new UpsampleKind(),
        new PermuteKind(),
        new LayerScaleKind(),
        new StochasticDepthKind(),
        new SqueezeExcitationKind(),
        new TokenEmbeddingKind(),
        new LearnedPositionsKind(),
        new RmsNormKind(),
        new CausalSelfAttentionKind(),
        new SwiGluKind(),
        new MixtureOfExpertsKind(),
        new TiedHeadKind(),
        new ShiftedWindowAttentionKind(),
        new PatchMergingKind(),
        new RepVggKind(),
        new StageKind(),
        new UseKind());

    private static IReadOnlyDictionary<string, LayerKind> Build(params LayerKind[] kinds)
    {
        var d = new Dictionary<string, LayerKind>();
        foreach (var k in kinds) d.Add(k.Name, k);
        return d;
    }

    /// <summary>Names the generated class already uses: its counts and tables, and TorchSharp Module's members.</summary>
    public static readonly HashSet<string> GeneratedMembers = new()
    {
        "ParameterCount", "ActiveParameterCount", "BufferCount", "Macs", "MacsPerToken", "Flops", "InputShape", "OutputShape", "Layers", "Summary", "ArchitectureJson",
        "DeployParameterCount", "DeployBufferCount", "DeployMacs", "ToDeployForm",
        "Widths", "WidthParameterCounts", "WidthMacs", "Width", "SetWidth",
    };

    /// <summary>Names generated code reaches TorchSharp by (<c>nn.Conv2d</c>, <c>torch.NewDisposeScope</c>): a member
    /// of the class with one of them would hide it.</summary>
    public static readonly HashSet<string> TorchSharpNames = new() { "nn", "torch" };

    public static readonly HashSet<string> ModuleMembers = new()
    {
        "BoxedModule", "ClearModules", "ConditionallyRegisterBuffer", "ConditionallyRegisterParameter", "Create", "Dispose", "Equals",
        "Finalize", "GetDefaultDeviceAndType", "GetHashCode", "GetName", "GetType", "MemberwiseClone", "ReferenceEquals",
        "RegisterComponents", "ReplaceBuffer", "ReplaceParameter", "ToString", "add_module", "apply", "buffers", "call", "children",
        "cpu", "cuda", "eval", "forward", "get_buffer", "get_parameter", "has_buffer", "has_parameter", "load", "load_state_dict",
        "module_post_hooks", "module_pre_hooks", "modules", "name", "named_buffers", "named_children", "named_modules",
        "named_parameters", "parameters", "post_hooks", "pre_hooks", "register_buffer", "register_forward_hook",
        "register_forward_pre_hook", "register_module", "register_parameter", "save", "save_state_dict", "state_dict", "to",
        "train", "training", "zero_grad",
    };

    public static string Describe(Layout layout) => layout switch
    {
        Layout.Image => "an image (C×H×W)",
        Layout.Tokens => "tokens (N×D)",
        Layout.ChannelsLast => "a channels-last map (H×W×C)",
        _ => "a vector (D)",
    };

    /// <summary>A shape's layout: channels-last maps apart from C×H×W ones.</summary>
    public static Layout? LayoutOf(Shape shape) =>
        shape.ChannelsLast ? (shape.Rank == 3 ? Layout.ChannelsLast : null) : LayoutOfRank(shape.Rank);

    /// <summary>The layer that turns one layout into the other, where there is one: "; put [Tokens] before it".</summary>
    public static string LayoutHint(Layout? from, Layout to) => (from, to) switch
    {
        (Layout.Image, Layout.Tokens) => "; put [Tokens] before it to make each position a token",
        _ => "",
    };

    public static Layout? LayoutOfRank(int rank) => rank switch
    {
        3 => Layout.Image,
        2 => Layout.Tokens,
        1 => Layout.Vector,
        _ => null,
    };

    /// <summary>Names of the input dimensions a block of this layout can use in its expressions.</summary>
    /// <summary>The sizes of a block's skip input ([Block(Skip = ...)]), in layout order: skipChannels, skipHeight, ...</summary>
    public static string[] SkipNames(Layout layout)
    {
        var names = InputNames(layout);
        var result = new string[names.Length];
        for (int i = 0; i < names.Length; i++) result[i] = "skip" + names[i].Substring(2);
        return result;
    }

    public static string[] InputNames(Layout layout) => layout switch
    {
        Layout.Image => new[] { "inChannels", "inHeight", "inWidth" },
        Layout.Tokens => new[] { "inTokens", "inFeatures" },
        Layout.ChannelsLast => new[] { "inHeight", "inWidth", "inChannels" },
        _ => new[] { "inFeatures" },
    };
}
