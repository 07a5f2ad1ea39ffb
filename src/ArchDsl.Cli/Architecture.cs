using System;
using System.Collections.Generic;
using System.Linq;

namespace ArchDsl.Cli;

/// <summary>A model as the generator described it (the ArchitectureJson constant).</summary>
internal sealed record Architecture(string Name, string Namespace, long[] Input, long[] Output, long Parameters, long Buffers,
    long Macs, long Flops, IReadOnlyList<ArchitectureRow> Layers)
{
    public string FullName => string.IsNullOrEmpty(Namespace) ? Name : Namespace + "." + Name;

    /// <summary>Read with the runtime library's reader (linked in), so the tool and a model's <c>Layers</c> and
    /// <c>Summary</c> accept the same texts.</summary>
    public static Architecture Parse(string json)
    {
        var a = ArchitectureDocument.Parse(json);
        return new Architecture(a.Name, a.Namespace, a.Input, a.Output, a.Parameters, a.Buffers, a.Macs, a.Flops, a.Rows);
    }

    /// <summary>Direct children of a row (or the top level when <paramref name="parent"/> is null).</summary>
    public IEnumerable<ArchitectureRow> ChildrenOf(ArchitectureRow? parent)
    {
        if (parent is null) return Layers.Where(l => l.Depth == 0);
        string prefix = parent.Path + ".";
        return Layers.Where(l => l.Depth == parent.Depth + 1 && l.Path.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>"64×56×56", as every report writes a shape.</summary>
    public static string Shape(long[] dims) => ArchDsl.Core.Shapes.Shape.Format(dims);
}
