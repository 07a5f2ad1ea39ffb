using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace ArchDsl.Cli;

/// <summary>One row of a generated ArchitectureJson: a layer, block or stage at some depth. <see cref="Head"/> is the
/// task of a member marked [Head], as the generator writes it ("Classification").</summary>
internal sealed record LayerRow(string Path, string Kind, int Depth, long[] Output, long Parameters, long Macs, int Count,
    string? ResidualFrom, bool Projected, string? Head)
{
    public string Name => Path.Substring(Path.LastIndexOf('.') + 1);
}

/// <summary>A model as the generator described it (the ArchitectureJson constant).</summary>
internal sealed record Architecture(string Name, string Namespace, long[] Input, long[] Output, long Parameters, long Buffers,
    long Macs, long Flops, IReadOnlyList<LayerRow> Layers)
{
    public string FullName => string.IsNullOrEmpty(Namespace) ? Name : Namespace + "." + Name;

    public static Architecture Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var layers = new List<LayerRow>();
        foreach (var l in root.GetProperty("layers").EnumerateArray())
        {
            layers.Add(new LayerRow(
                l.GetProperty("path").GetString() ?? "",
                l.GetProperty("kind").GetString() ?? "",
                l.GetProperty("depth").GetInt32(),
                Dims(l.GetProperty("output")),
                l.GetProperty("parameters").GetInt64(),
                l.GetProperty("macs").GetInt64(),
                l.TryGetProperty("count", out var c) ? c.GetInt32() : 1,
                l.TryGetProperty("residualFrom", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null,
                l.TryGetProperty("projected", out var p) && p.ValueKind == JsonValueKind.True,
                l.TryGetProperty("head", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null));
        }
        return new Architecture(
            root.GetProperty("name").GetString() ?? "",
            root.TryGetProperty("namespace", out var ns) ? ns.GetString() ?? "" : "",
            Dims(root.GetProperty("input")), Dims(root.GetProperty("output")),
            root.GetProperty("parameters").GetInt64(), root.GetProperty("buffers").GetInt64(),
            root.GetProperty("macs").GetInt64(), root.GetProperty("flops").GetInt64(), layers);
    }

    static long[] Dims(JsonElement e) => e.EnumerateArray().Select(d => d.GetInt64()).ToArray();

    /// <summary>Direct children of a row (or the top level when <paramref name="parent"/> is null).</summary>
    public IEnumerable<LayerRow> ChildrenOf(LayerRow? parent)
    {
        if (parent is null) return Layers.Where(l => l.Depth == 0);
        string prefix = parent.Path + ".";
        return Layers.Where(l => l.Depth == parent.Depth + 1 && l.Path.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>"64×56×56", as every report writes a shape.</summary>
    public static string Shape(long[] dims) => ArchDsl.Core.Shapes.Shape.Format(dims);
}
