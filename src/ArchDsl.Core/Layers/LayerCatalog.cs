using System.Collections.Generic;
using ArchDsl.Core.Evaluation;

namespace ArchDsl.Core.Layers;

/// <summary>What the core knows about each layer attribute before evaluating it.</summary>
public sealed class LayerKind
{
    public LayerKind(string name, string moduleType, Layout[]? accepts, params string[] positional)
    {
        Name = name;
        ModuleType = moduleType;
        Accepts = accepts;
        Positional = positional;
    }

    /// <summary>Attribute name without the suffix: "Conv2d".</summary>
    public string Name { get; }
    /// <summary>Full name of the member type the generated code assigns: "TorchSharp.Modules.Conv2d".</summary>
    public string ModuleType { get; }
    /// <summary>Input layouts the layer takes; null for any.</summary>
    public Layout[]? Accepts { get; }
    /// <summary>Hyperparameter names of the attribute's positional arguments, in order.</summary>
    public string[] Positional { get; }
}

public static class LayerCatalog
{
    private static readonly Layout[] Image = { Layout.Image };
    private static readonly Layout[] Tokens = { Layout.Tokens };

    public const string Stage = "Stage";
    public const string Use = "Use";

    public static readonly IReadOnlyDictionary<string, LayerKind> Kinds = Build(
        new LayerKind("Conv2d", "TorchSharp.Modules.Conv2d", Image, "OutChannels"),
        new LayerKind("BatchNorm2d", "TorchSharp.Modules.BatchNorm2d", Image),
        new LayerKind("MaxPool2d", "TorchSharp.Modules.MaxPool2d", Image, "Kernel"),
        new LayerKind("AvgPool2d", "TorchSharp.Modules.AvgPool2d", Image, "Kernel"),
        new LayerKind("AdaptiveAvgPool2d", "TorchSharp.Modules.AdaptiveAvgPool2d", Image, "Height", "Width"),
        new LayerKind("PixelShuffle", "TorchSharp.Modules.PixelShuffle", Image, "Factor"),
        new LayerKind("Flatten", "TorchSharp.Modules.Flatten", null),
        new LayerKind("Linear", "TorchSharp.Modules.Linear", null, "OutFeatures"),
        new LayerKind("LayerNorm", "TorchSharp.Modules.LayerNorm", null),
        new LayerKind("Dropout", "TorchSharp.Modules.Dropout", null, "P"),
        new LayerKind("ReLU", "TorchSharp.Modules.ReLU", null),
        new LayerKind("GELU", "TorchSharp.Modules.GELU", null),
        new LayerKind("SiLU", "TorchSharp.Modules.SiLU", null),
        new LayerKind("Sigmoid", "TorchSharp.Modules.Sigmoid", null),
        new LayerKind("Tanh", "TorchSharp.Modules.Tanh", null),
        new LayerKind("Identity", "TorchSharp.Modules.Identity", null),
        new LayerKind("Tokens", "ArchDsl.Layers.Tokens", Image),
        new LayerKind("ClassToken", "TorchSharp.Modules.Parameter", Tokens),
        new LayerKind("PositionalEmbedding", "TorchSharp.Modules.Parameter", Tokens),
        new LayerKind("SelfAttention", "ArchDsl.Layers.SelfAttention", Tokens, "Heads"),
        new LayerKind("Mlp", "TorchSharp.Modules.Sequential", null, "Hidden"),
        new LayerKind("SelectToken", "ArchDsl.Layers.SelectToken", Tokens, "Index"),
        new LayerKind(Stage, "TorchSharp.Modules.Sequential", null, "Block", "Count", "Bindings"),
        new LayerKind(Use, "", null, "Block", "Bindings"));

    private static IReadOnlyDictionary<string, LayerKind> Build(params LayerKind[] kinds)
    {
        var d = new Dictionary<string, LayerKind>();
        foreach (var k in kinds) d.Add(k.Name, k);
        return d;
    }

    /// <summary>Names the generated class already uses: its counts and tables, and TorchSharp Module's members.</summary>
    public static readonly HashSet<string> GeneratedMembers = new()
    {
        "ParameterCount", "BufferCount", "Macs", "Flops", "InputShape", "OutputShape", "Layers", "Summary", "ArchitectureJson",
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
        _ => "a vector (D)",
    };

    public static Layout? LayoutOfRank(int rank) => rank switch
    {
        3 => Layout.Image,
        2 => Layout.Tokens,
        1 => Layout.Vector,
        _ => null,
    };

    /// <summary>Names of the input dimensions a block of this layout can use in its expressions.</summary>
    public static string[] InputNames(Layout layout) => layout switch
    {
        Layout.Image => new[] { "inChannels", "inHeight", "inWidth" },
        Layout.Tokens => new[] { "inTokens", "inFeatures" },
        _ => new[] { "inFeatures" },
    };
}
