using System.Collections.Generic;
using System.Text.Json;

namespace ArchDsl;

/// <summary>One row of a generated model's per-layer table.</summary>
/// <param name="Path">State-dict style path: "layer1.0.conv1".</param>
/// <param name="Kind">Layer kind: "Conv2d", or the block's name for block instances.</param>
/// <param name="Depth">Nesting depth, 0 for the model's own members.</param>
/// <param name="OutputShape">Output shape without the batch dimension.</param>
/// <param name="Parameters">Trainable parameters, children included.</param>
/// <param name="Macs">Multiply-accumulates at batch 1, children included.</param>
public sealed record LayerInfo(string Path, string Kind, int Depth, long[] OutputShape, long Parameters, long Macs)
{
    /// <summary>
    /// The rows of a generated <c>ArchitectureJson</c>'s <c>layers</c> array, in order. Generated models build their
    /// <c>Layers</c> table with this, once, on first use: the table then costs the compiler one string constant per
    /// model rather than thousands of object creations to parse, bind and emit.
    /// </summary>
    public static IReadOnlyList<LayerInfo> FromArchitectureJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var layers = doc.RootElement.GetProperty("layers");
        var rows = new LayerInfo[layers.GetArrayLength()];
        int i = 0;
        foreach (var l in layers.EnumerateArray())
        {
            var output = l.GetProperty("output");
            var shape = new long[output.GetArrayLength()];
            int d = 0;
            foreach (var dim in output.EnumerateArray()) shape[d++] = dim.GetInt64();
            rows[i++] = new LayerInfo(l.GetProperty("path").GetString()!, l.GetProperty("kind").GetString()!,
                l.GetProperty("depth").GetInt32(), shape, l.GetProperty("parameters").GetInt64(), l.GetProperty("macs").GetInt64());
        }
        return rows;
    }
}
