using System.Collections.Generic;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers;

/// <summary>
/// One layer of a [Slimmable] model at each of its widths: the slimming pass gives the active size of the input's
/// slimmed axis (an image's channels, a vector's features) at each width, and the layer's kind
/// (<see cref="LayerKind.Slim"/>) fills in the active output size, the parameters and MACs used at each width, what the
/// module stores, and the module that runs every width from one set of weights.
/// </summary>
public sealed class SlimLayer
{
    internal SlimLayer(LayerNode node, IReadOnlyList<double> widths, long[] input, bool keepsOutputs)
    {
        Node = node;
        Widths = widths;
        Input = input;
        KeepsOutputs = keepsOutputs;
        Output = input;
        Parameters = new long[widths.Count];
        Macs = new long[widths.Count];
        StoredParameters = node.OwnParameters;
        StoredBuffers = node.OwnBuffers;
    }

    public LayerNode Node { get; }
    /// <summary>The model's width multipliers, ascending.</summary>
    public IReadOnlyList<double> Widths { get; }
    /// <summary>Active size of the input's slimmed axis at each width.</summary>
    public long[] Input { get; }
    /// <summary>The model's last weighted layer: its outputs (the classes) stay the same at every width.</summary>
    public bool KeepsOutputs { get; }

    /// <summary>Active size of the output's slimmed axis at each width (as the input's unless the kind says otherwise).</summary>
    public long[] Output { get; set; }
    /// <summary>Parameters the layer uses at each width.</summary>
    public long[] Parameters { get; }
    /// <summary>MACs per sample at each width.</summary>
    public long[] Macs { get; }
    /// <summary>Parameters and buffers the module stores for all widths together (its numel).</summary>
    public long StoredParameters { get; set; }
    public long StoredBuffers { get; set; }
    /// <summary>Why the layer cannot slim, where the kind says more than its name.</summary>
    public string? Refusal { get; private set; }

    /// <summary>The active size of <paramref name="full"/> channels at width <paramref name="m"/>: int(m·C), as the
    /// slimmable networks' reference code computes it (in double precision, rounded down). A layer left with none is an
    /// error of the declaration, reported at the width.</summary>
    public static long Active(long full, double m) => (long)System.Math.Floor(m * full);

    /// <summary>An output of <paramref name="full"/> channels at each width: all of them for the model's last weighted
    /// layer, otherwise <see cref="Active"/>.</summary>
    public long[] SlimOutputs(long full)
    {
        var o = new long[Widths.Count];
        for (int i = 0; i < o.Length; i++) o[i] = KeepsOutputs ? full : Active(full, Widths[i]);
        return o;
    }

    /// <summary>A layer without weights or MACs that keeps the slimmed axis (activations, pooling, dropout): it runs
    /// on whatever channels reach it, at no cost at any width.</summary>
    public bool PassThrough() =>
        Node.OwnParameters == 0 && Node.OwnBuffers == 0 && Node.OwnMacs == 0 || Refuse($"a {Node.Kind} layer with weights or MACs does not say how it slims");

    internal bool Refuse(string why)
    {
        Refusal = why;
        return false;
    }

    /// <summary>The runtime module that runs every width: <paramref name="runtimeClass"/>, given the first
    /// <paramref name="keepPositional"/> positional arguments of the layer's own recipe, then <paramref name="perWidth"/>,
    /// then the recipe's named arguments (the slimmable modules take nn's names: stride, padding, bias ...).</summary>
    internal void UseModule(string runtimeClass, int keepPositional, params RecipeArg[] perWidth)
    {
        var own = Node.Recipe!;
        var r = ModuleRecipe.Runtime(runtimeClass);
        int positional = 0;
        foreach (var a in own.Args)
            if (a.Name is null && positional++ < keepPositional) r.Add(a);
        foreach (var a in perWidth) r.Add(a);
        foreach (var a in own.Args)
            if (a.Name is not null) r.Add(a);
        Node.Recipe = r;
    }

    /// <summary>A recipe argument listing sizes per width: <c>new long[] { 8, 16, 24, 32 }</c>.</summary>
    internal static RecipeArg Sizes(long[] values, string? name = null)
    {
        var dims = new Dim[values.Length];
        for (int i = 0; i < values.Length; i++) dims[i] = Dim.Of(values[i]);
        return RecipeArg.OfSizes(dims, name);
    }

    /// <summary>A named size of the layer's own recipe, or <paramref name="fallback"/> where it is left at the default.</summary>
    internal long RecipeSize(string name, long fallback)
    {
        foreach (var a in Node.Recipe!.Args)
            if (a.Name == name && a.Kind == RecipeValueKind.Dim) return a.Dim.Value;
        return fallback;
    }

    /// <summary>The recipe's <paramref name="index"/>-th positional size.</summary>
    internal long RecipePositional(int index)
    {
        int i = 0;
        foreach (var a in Node.Recipe!.Args)
            if (a.Name is null && i++ == index) return a.Dim.Value;
        throw new System.InvalidOperationException("recipe has no positional argument " + index);
    }
}
