using System;
using System.Collections.Generic;

namespace ArchDsl.Cli.Export;

/// <summary>How one TorchSharp factory is written in torch.nn.</summary>
/// <param name="Name">The torch.nn class.</param>
/// <param name="Renamed">TorchSharp argument names that torch.nn spells differently (by name, or "#0" for the first positional
/// argument where PyTorch takes it by keyword).</param>
/// <param name="MakesTensors">It creates parameters or buffers, so it takes <c>device</c> and <c>dtype</c>.</param>
internal sealed record TorchFactory(string Name, IReadOnlyDictionary<string, string> Renamed, bool MakesTensors);

/// <summary>
/// The one table from TorchSharp's <c>nn</c> factories (as module recipes name them) and enum symbols to torch.nn.
/// A factory or symbol missing here cannot be exported: the exporter says so, naming the layer kind and the model.
/// </summary>
internal static class TorchNn
{
    static readonly IReadOnlyDictionary<string, string> Same = new Dictionary<string, string>();

    static TorchFactory Plain(string name, bool makesTensors = false) => new(name, Same, makesTensors);

    public static readonly IReadOnlyDictionary<string, TorchFactory> Factories = new Dictionary<string, TorchFactory>(StringComparer.Ordinal)
    {
        ["Conv2d"] = Plain("Conv2d", true),
        ["ConvTranspose2d"] = Plain("ConvTranspose2d", true),
        ["BatchNorm2d"] = Plain("BatchNorm2d", true),
        ["LayerNorm"] = Plain("LayerNorm", true),
        ["Embedding"] = Plain("Embedding", true),
        // TorchSharp names Linear's bias flag hasBias.
        ["Linear"] = new("Linear", new Dictionary<string, string> { ["hasBias"] = "bias" }, true),
        ["MaxPool2d"] = Plain("MaxPool2d"),
        ["AvgPool2d"] = Plain("AvgPool2d"),
        ["AdaptiveAvgPool2d"] = Plain("AdaptiveAvgPool2d"),
        ["PixelShuffle"] = Plain("PixelShuffle"),
        ["Upsample"] = Plain("Upsample"),
        ["Flatten"] = Plain("Flatten"),
        ["Dropout"] = Plain("Dropout"),
        ["Identity"] = Plain("Identity"),
        ["Sequential"] = Plain("Sequential"),
        ["ReLU"] = Plain("ReLU"),
        ["ReLU6"] = Plain("ReLU6"),
        // TorchSharp takes the approximation positionally, PyTorch by keyword.
        ["GELU"] = new("GELU", new Dictionary<string, string> { ["#0"] = "approximate" }, false),
        ["SiLU"] = Plain("SiLU"),
        ["Hardswish"] = Plain("Hardswish"),
        ["Hardsigmoid"] = Plain("Hardsigmoid"),
        ["Sigmoid"] = Plain("Sigmoid"),
        ["Tanh"] = Plain("Tanh"),
    };

    /// <summary>TorchSharp enum types whose members torch.nn takes as lower-case strings.</summary>
    static readonly string[] StringEnums =
    {
        "TorchSharp.torch.UpsampleMode.",
        "TorchSharp.Modules.GELU.Approximate.",
    };

    /// <summary>A TorchSharp enum member as PyTorch's string ("bilinear", "tanh"); null when unknown.</summary>
    public static string? Symbol(string fullName)
    {
        foreach (var prefix in StringEnums)
            if (fullName.StartsWith(prefix, StringComparison.Ordinal))
                return "\"" + fullName.Substring(prefix.Length).ToLowerInvariant() + "\"";
        return null;
    }
}
