using System.Collections.Generic;
using System.Globalization;
using ArchDsl.Core.Declarations;

namespace ArchDsl.Core.Diagnostics;

/// <summary>A diagnostic found by the core: rule id, place and message arguments, all plain data.</summary>
public sealed record Finding(string Id, SourceSpan Span, EquatableArray<string> Args)
{
    public static Finding Of(Rule rule, SourceSpan span, params object[] args)
    {
        var text = new string[args.Length];
        for (int i = 0; i < args.Length; i++)
            text[i] = args[i] switch
            {
                long l => l.ToString("N0", CultureInfo.InvariantCulture),
                int n => n.ToString(CultureInfo.InvariantCulture),
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                _ => args[i]?.ToString() ?? "",
            };
        return new Finding(rule.Id, span, new EquatableArray<string>(text));
    }

    public Rule Rule => Rules.ById(Id)!;

    /// <summary>On ADSL1012: "Image" when the head receives a C×H×W map (the pooling fix applies), else "Tokens".</summary>
    public const string InputLayoutProperty = "InputLayout";

    /// <summary>
    /// On ADSL1013: the single-layer heads of the model's own members that the "own head block" fix moves,
    /// as "member:Layout;member:Layout" (Layout of the head's input: Image, Tokens or Vector). Absent when a
    /// conflicting head is a single layer inside a block, which that fix cannot reach.
    /// </summary>
    public const string HeadsProperty = "Heads";

    /// <summary>On ADSL0019: the size that reaches the layer, and the argument that states another.</summary>
    public const string InferredProperty = "Inferred";
    public const string ArgumentProperty = "Argument";

    /// <summary>Values for code fixes that the message does not carry, as name, value, name, value...</summary>
    public EquatableArray<string> Data { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Names of the message arguments that code fixes read, per rule; hosts pass them on as
    /// diagnostic properties (name → argument). Derived from Id and Args, so equality is unchanged.</summary>
    private static readonly Dictionary<string, string[]> PropertyNames = new()
    {
        [Rules.ExplicitInputSize.Id] = new[] { "Layer", ArgumentProperty, "Written", InferredProperty, "Unit" },
    };

    /// <summary>Named message arguments for code fixes (empty for most rules).</summary>
    public IEnumerable<KeyValuePair<string, string>> Properties()
    {
        for (int i = 0; i + 1 < Data.Count; i += 2)
            yield return new KeyValuePair<string, string>(Data[i], Data[i + 1]);
        if (!PropertyNames.TryGetValue(Id, out var names)) yield break;
        for (int i = 0; i < names.Length && i < Args.Count; i++)
            yield return new KeyValuePair<string, string>(names[i], Args[i]);
    }

    public string Message => string.Format(CultureInfo.InvariantCulture, Rule.MessageFormat, Args.ToArray());
}
