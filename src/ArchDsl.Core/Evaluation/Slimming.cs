using System.Collections.Generic;
using System.Globalization;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Layers;

namespace ArchDsl.Core.Evaluation;

/// <summary>A [Slimmable] model's widths and what it uses at each: parameters (the active slices of the weights and
/// that width's private batch norms) and MACs per sample.</summary>
public sealed record SlimPlan(IReadOnlyList<double> Widths, IReadOnlyList<long> Parameters, IReadOnlyList<long> Macs);

/// <summary>
/// Slimmable networks (Yu et al., ICLR 2019): one set of weights runs at several width multipliers m; at width m a
/// layer of C channels uses its first int(m·C). The image input's channels and the last weighted layer's outputs (the
/// classes) stay. Each layer's kind says how it slims (<see cref="LayerKind.Slim"/>); this pass threads the active
/// channels through the model, checks the widths and the residual sums at each width, and sums the counts.
/// </summary>
internal static class Slimming
{
    private const string Supported = "a [Slimmable] model slims Conv2d (plain or depthwise), BatchNorm2d and Linear layers and residuals on maps (projected ones too), and passes activations, pooling, Flatten and Dropout through";

    /// <summary>The widths as written, each with its argument's span; null after reporting what is wrong.</summary>
    public static List<(double Value, SourceSpan Span)>? ReadWidths(Session s, string model, AttributeDecl attr)
    {
        var widths = new List<(double, SourceSpan)>();
        bool ok = true;
        foreach (var p in attr.Positional)
        {
            if (p.Kind == ArgKind.IntArray && p.Ints.Count == 0) continue;   // [Slimmable] with no widths: an empty params array
            double m = p.Kind switch { ArgKind.Double => p.Double, ArgKind.Int => p.Int, _ => double.NaN };
            if (double.IsNaN(m) || m <= 0 || m > 1)
            {
                s.Report(Rules.BadArgument, p.Span, false, model, $"the width multiplier {p.Describe()} must be in (0, 1]: it scales the declared channels down");
                ok = false;
            }
            else if (widths.Count > 0 && m <= widths[widths.Count - 1].Item1)
            {
                s.Report(Rules.BadArgument, p.Span, false, model,
                    $"the width multipliers must ascend without repeats: {Number(m)} follows {Number(widths[widths.Count - 1].Item1)}");
                ok = false;
            }
            widths.Add((m, p.Span));
        }
        if (widths.Count == 0)
        {
            s.Report(Rules.BadArgument, attr.Span, false, model, "give the width multipliers, ascending: [Slimmable(0.25, 0.5, 0.75, 1.0)]");
            return null;
        }
        return ok ? widths : null;
    }

    /// <summary>Slims every layer of an evaluated model: replaces each module by the one that runs every width, sets
    /// what it stores, and returns the counts per width; null after reporting why the model cannot slim.</summary>
    public static SlimPlan? Apply(Session s, ModelPlan plan, List<(double Value, SourceSpan Span)> widths)
    {
        var ms = new double[widths.Count];
        for (int i = 0; i < ms.Length; i++) ms[i] = widths[i].Value;
        var parameters = new long[ms.Length];
        var macs = new long[ms.Length];

        // The classifier: the last layer with weights that sets the channels keeps its outputs at every width.
        int head = -1;
        for (int i = 0; i < plan.Layers.Count; i++)
            if (plan.Layers[i].KindInfo is { Category: LayerCategory.Convolution or LayerCategory.Dense }) head = i;

        var current = Fill(ms.Length, plan.Input.Rank > 0 ? plan.Input[0].Value : 0);   // the input's channels stay
        var inputs = new Dictionary<string, long[]>(System.StringComparer.Ordinal);
        bool ok = true;
        var emptied = new bool[ms.Length];
        for (int index = 0; index < plan.Layers.Count; index++)
        {
            var n = plan.Layers[index];
            inputs[n.Name] = current;
            var at = n.Attribute?.Span ?? n.Member?.Span ?? SourceSpan.None;
            var l = new SlimLayer(n, ms, current, index == head);
            string? refusal = null;
            if (n.Join != null) refusal = "a Concat or Multiply join cannot slim";
            else if (n.Residual is { Projects: true, ToShape.Rank: not 3 }) refusal = "a residual projected by a Linear cannot slim";
            else if (n.KindInfo is not { } kind || !kind.Slim(l)) refusal = l.Refusal ?? $"a {n.KindInfo?.Name ?? n.Kind} layer cannot slim";
            if (refusal != null)
            {
                s.Report(Rules.BadArgument, at, false, n.Path, $"{refusal}; {Supported}");
                ok = false;
                break;   // the channels after it are unknown
            }

            // The first layer a width empties is reported; the ones after it are empty because of it.
            for (int i = 0; i < ms.Length; i++)
                if (l.Output[i] == 0 && !emptied[i])
                {
                    emptied[i] = true;
                    long full = n.Output.Rank > 0 ? n.Output[0].Value : 0;
                    s.Report(Rules.BadArgument, widths[i].Span, false, plan.Name,
                        $"width {Number(ms[i])} leaves '{n.Path}' with no channels (int({Number(ms[i])} × {full}) = 0); widen the layer or drop the width");
                    ok = false;
                }

            if (n.Residual is { Projects: true } projected && inputs.TryGetValue(projected.From, out var source))
                SlimProjection(projected, source, l);
            else if (n.Residual is { } r && !(r.Optional && r.Differs) && inputs.TryGetValue(r.From, out var from))
                for (int i = 0; i < ms.Length; i++)
                    if (from[i] != l.Output[i])
                    {
                        var residual = FindAttribute(n, "Residual");
                        s.Report(Rules.BadResidual, residual?.Get("From")?.Span ?? at, false, n.Path,
                            $"at width {Number(ms[i])} the shortcut from '{r.From}' has {from[i]} channels but the layer gives {l.Output[i]}; a residual adds equal shapes at every width (the input's channels do not slim)");
                        ok = false;
                        break;
                    }

            n.OwnParameters = l.StoredParameters;
            n.OwnBuffers = l.StoredBuffers;
            for (int i = 0; i < ms.Length; i++)
            {
                parameters[i] = checked(parameters[i] + l.Parameters[i]);
                macs[i] = checked(macs[i] + l.Macs[i]);
            }
            current = l.Output;
        }
        return ok ? new SlimPlan(ms, parameters, macs) : null;
    }

    /// <summary>
    /// A projected shortcut (torchvision's downsample: 1×1 convolution with the stride, then batch norm) slims as its
    /// two layers do: at width m from the active channels of its source to the layer's, with a batch norm per width.
    /// Its parameters and MACs at each width join the layer's.
    /// </summary>
    private static void SlimProjection(ResidualNode r, long[] source, SlimLayer l)
    {
        long cin = r.FromShape[0].Value, cout = r.ToShape[0].Value, area = r.ToShape[1].Value * r.ToShape[2].Value;
        long stored = 0, buffers = 0;
        for (int i = 0; i < source.Length; i++)
        {
            long o = l.Output[i];
            l.Parameters[i] = checked(l.Parameters[i] + source[i] * o + 2 * o);
            l.Macs[i] = checked(l.Macs[i] + area * o * source[i]);
            stored = checked(stored + 2 * o);
            buffers = checked(buffers + 2 * o + 1);
        }
        r.Parameters = checked(cin * cout + stored);
        r.Buffers = buffers;
        var conv = ModuleRecipe.Runtime("SlimmableConv2d").Add(r.FromShape[0]).Add(r.ToShape[0]).Add(Shapes.Dim.Of(1))
            .Add(SlimLayer.Sizes(source)).Add(SlimLayer.Sizes(l.Output)).AddUnless("stride", r.Stride, 1).Add(RecipeArg.Of(false, "bias"));
        var norm = ModuleRecipe.Runtime("SwitchableBatchNorm2d").Add(SlimLayer.Sizes(l.Output));
        r.SlimProjection = ModuleRecipe.Nn("Sequential").Add(RecipeArg.Of(conv)).Add(RecipeArg.Of(norm));
    }

    private static AttributeDecl? FindAttribute(LayerNode n, string name)
    {
        if (n.Member is null) return null;
        foreach (var a in n.Member.Attributes)
            if (a.Name == name) return a;
        return null;
    }

    private static long[] Fill(int count, long value)
    {
        var a = new long[count];
        for (int i = 0; i < count; i++) a[i] = value;
        return a;
    }

    private static string Number(double m) => m.ToString("R", CultureInfo.InvariantCulture);
}
