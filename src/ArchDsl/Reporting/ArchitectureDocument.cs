using System;
using System.Collections.Generic;
using System.Text.Json;

// The one reader of the ArchitectureJson schema the core writes (ArchDsl.Core/Reporting/Report.cs; documented in
// docs/dsl.md). Compiled into the runtime library and, as a linked file, into the report tool (src/ArchDsl.Cli), so
// Layers, Summary and `archdsl report` accept and reject the same texts. Internal in both.
namespace ArchDsl;

/// <summary>One element of the <c>layers</c> array.</summary>
internal sealed record ArchitectureRow(string Path, string Kind, int Depth, long[] Output, long Parameters, long Macs, long Count,
    string? ResidualFrom, bool Projected, string? Head)
{
    /// <summary>The last segment of the path: the member's name, or a stage child's index.</summary>
    public string Name => Path.Substring(Path.LastIndexOf('.') + 1);
}

/// <summary>One element of the <c>paths</c> array (models with [Task] or [Exit] only): a path that runs part of the model.</summary>
internal sealed record ArchitecturePath(string Label, long[] Output, long Parameters, long Macs);

/// <summary>A generated model's <c>ArchitectureJson</c>, read.</summary>
internal sealed record ArchitectureDocument(string Name, string Namespace, long[] Input, long[] Output, long Parameters, long Buffers,
    long Macs, long Flops, IReadOnlyList<ArchitectureRow> Rows)
{
    /// <summary>The task paths or exits, with their counts; empty for a model with neither.</summary>
    public IReadOnlyList<ArchitecturePath> Paths { get; init; } = Array.Empty<ArchitecturePath>();

    /// <summary>
    /// Reads the whole description. Every key the generator always writes is required; <c>residualFrom</c>,
    /// <c>projected</c> and <c>head</c> are written only where they apply.
    /// </summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    /// <exception cref="KeyNotFoundException">A property the generator always writes is missing.</exception>
    /// <exception cref="InvalidOperationException">A property has another JSON type than the generator writes.</exception>
    /// <exception cref="FormatException">A count does not fit its type.</exception>
    public static ArchitectureDocument Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var layers = root.GetProperty("layers");
        var rows = new ArchitectureRow[layers.GetArrayLength()];
        int i = 0;
        foreach (var l in layers.EnumerateArray())
            rows[i++] = new ArchitectureRow(
                String(l, "path"), String(l, "kind"), l.GetProperty("depth").GetInt32(), Longs(l.GetProperty("output")),
                l.GetProperty("parameters").GetInt64(), l.GetProperty("macs").GetInt64(), l.GetProperty("count").GetInt64(),
                l.TryGetProperty("residualFrom", out _) ? String(l, "residualFrom") : null,
                l.TryGetProperty("projected", out var p) && p.GetBoolean(),
                l.TryGetProperty("head", out _) ? String(l, "head") : null);
        return new ArchitectureDocument(
            String(root, "name"), String(root, "namespace"), Longs(root.GetProperty("input")), Longs(root.GetProperty("output")),
            root.GetProperty("parameters").GetInt64(), root.GetProperty("buffers").GetInt64(),
            root.GetProperty("macs").GetInt64(), root.GetProperty("flops").GetInt64(), rows) { Paths = ReadPaths(root) };
    }

    private static ArchitecturePath[] ReadPaths(JsonElement root)
    {
        if (!root.TryGetProperty("paths", out var paths)) return Array.Empty<ArchitecturePath>();
        var result = new ArchitecturePath[paths.GetArrayLength()];
        int i = 0;
        foreach (var p in paths.EnumerateArray())
            result[i++] = new ArchitecturePath(String(p, "label"), Longs(p.GetProperty("output")), p.GetProperty("parameters").GetInt64(), p.GetProperty("macs").GetInt64());
        return result;
    }

    /// <summary>A string property; JSON null is not one (the generator never writes it).</summary>
    private static string String(JsonElement owner, string key)
    {
        var e = owner.GetProperty(key);
        return e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw new InvalidOperationException($"'{key}' is {e.ValueKind}, where ArchDsl writes a string.");
    }

    /// <summary>A JSON array of integers (a shape).</summary>
    private static long[] Longs(JsonElement array)
    {
        var values = new long[array.GetArrayLength()];
        int d = 0;
        foreach (var v in array.EnumerateArray()) values[d++] = v.GetInt64();
        return values;
    }
}
