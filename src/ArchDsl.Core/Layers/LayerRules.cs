using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers;

/// <summary>
/// Shape, parameter and MAC rules of each layer (conventions in docs/counting.md: one fused
/// multiply-add = 1 MAC, batch 1; bias adds, norms, activations and pooling count no MACs).
/// </summary>
internal static class LayerRules
{
    public static Shape? Apply(LayerArgs a, LayerNode n, Shape x)
    {
        switch (a.Kind.Name)
        {
            case "Conv2d": return Conv2d(a, n, x);
            case "BatchNorm2d":
                CheckExplicitSize(a, "InChannels", x[0], "channels");
                n.Dims["num_features"] = x[0];
                n.Reals["eps"] = a.Real("Eps", 1e-5, 0, 1);
                n.Reals["momentum"] = a.Real("Momentum", 0.1, 0, 1);
                n.OwnParameters = checked(2 * x[0].Value);
                n.OwnBuffers = checked(2 * x[0].Value + 1);
                return x;
            case "MaxPool2d":
            case "AvgPool2d": return Pool(a, n, x);
            case "AdaptiveAvgPool2d":
            {
                var h = a.Int("Height", 1);
                var w = !a.Has("Width") ? h : a.Int("Width", 1);
                if (h is null || w is null) return null;
                n.Dims["height"] = h.Value;
                n.Dims["width"] = w.Value;
                return new Shape(x[0], h.Value, w.Value);
            }
            case "PixelShuffle":
            {
                var r = a.Int("Factor", null);
                if (r is null) return null;
                var r2 = r.Value * r.Value;
                n.Dims["factor"] = r.Value;
                if (x[0].Value % r2.Value != 0)
                {
                    a.Fail(Rules.PixelShuffleChannels, r.Value.Origin ?? a.Attr.Span, true, a.Where, x[0].Value, r.Value.Value, r2.Value);
                    return null;
                }
                return new Shape(x[0] / r2, x[1] * r.Value, x[2] * r.Value);
            }
            case "Flatten":
            {
                var d = x[0];
                for (int i = 1; i < x.Rank; i++) d = d * x[i];
                return new Shape(d);
            }
            case "Linear":
            {
                var o = a.Int("OutFeatures", null);
                if (o is null) return null;
                bool bias = a.Bool("Bias", true);
                CheckExplicitSize(a, "InFeatures", x.Last, "features");
                n.Dims["in_features"] = x.Last;
                n.Dims["out_features"] = o.Value;
                n.Flags["bias"] = bias;
                n.OwnParameters = checked(x.Last.Value * o.Value.Value + (bias ? o.Value.Value : 0));
                n.OwnMacs = checked(Rows(x) * x.Last.Value * o.Value.Value);
                return x.WithLast(o.Value);
            }
            case "LayerNorm":
                n.Dims["normalized_shape"] = x.Last;
                n.Reals["eps"] = a.Real("Eps", 1e-5, 0, 1);
                n.OwnParameters = checked(2 * x.Last.Value);
                return x;
            case "Dropout":
                n.Reals["p"] = a.Real("P", 0.5, 0, 1);
                return x;
            case "ReLU":
            case "GELU":
            case "SiLU":
            case "Sigmoid":
            case "Tanh":
            case "Identity":
                return x;
            case "Tokens":
                // C×H×W → (H·W)×C: each spatial position becomes a token (flatten(2).transpose(1, 2)).
                return new Shape(x[1] * x[2], x[0]);
            case "ClassToken":
                n.Dims["features"] = x[1];
                n.OwnParameters = x[1].Value;
                return new Shape(x[0] + 1, x[1]);
            case "PositionalEmbedding":
                n.Dims["tokens"] = x[0];
                n.Dims["features"] = x[1];
                n.Reals["std"] = a.Real("Std", 0.02, 0, 10);
                n.OwnParameters = checked(x[0].Value * x[1].Value);
                return x;
            case "SelfAttention": return SelfAttention(a, n, x);
            case "Mlp":
            {
                var h = a.Int("Hidden", null);
                if (h is null) return null;
                var o = !a.Has("Out") ? x.Last : a.Int("Out", null);
                if (o is null) return null;
                CheckExplicitSize(a, "InFeatures", x.Last, "features");
                n.Dims["in_features"] = x.Last;
                n.Dims["hidden"] = h.Value;
                n.Dims["out_features"] = o.Value;
                n.Reals["dropout"] = a.Real("Dropout", 0.0, 0, 1);
                // GELU when not written (torchvision's MLP block); an explicit Act.None keeps the position, activation-free.
                n.Texts["inner"] = a.Raw("Inner") is null ? "GELU" : a.Enum("Inner") ?? "None";
                long d = x.Last.Value, hv = h.Value.Value, ov = o.Value.Value;
                n.OwnParameters = checked(d * hv + hv + hv * ov + ov);
                n.OwnMacs = checked(Rows(x) * (d * hv + hv * ov));
                return x.WithLast(o.Value);
            }
            case "SelectToken":
            {
                var i = a.Int("Index", 0, 0);
                if (i is null) return null;
                if (i.Value.Value >= x[0].Value)
                {
                    a.Fail(Rules.ImpossibleShape, i.Value.Origin ?? a.Attr.Span, true, a.Where, $"token {i.Value.Value} does not exist in {x[0].Value} tokens");
                    return null;
                }
                n.Dims["index"] = i.Value;
                return new Shape(x[1]);
            }
        }
        return null;
    }

    /// <summary>
    /// An optional explicit input size (InFeatures, InChannels) must equal the inferred one. Only a written
    /// argument is checked; the layer is still built from the inferred size, the finding is an error.
    /// </summary>
    private static void CheckExplicitSize(LayerArgs a, string name, Dim inferred, string unit)
    {
        var written = a.Int(name, 0);
        if (written is not { } w || w.Value == 0 || w.Value == inferred.Value) return;
        a.Fail(Rules.ExplicitInputSize, a.Raw(name)?.Span ?? w.Origin ?? a.Attr.Span, true, a.Where, name,
            w.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), inferred.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), unit);
    }

    private static long Rows(Shape x)
    {
        long rows = 1;
        for (int i = 0; i < x.Rank - 1; i++) rows = checked(rows * x[i].Value);
        return rows;
    }

    private static Shape? Conv2d(LayerArgs a, LayerNode n, Shape x)
    {
        var o = a.Int("OutChannels", null);
        var k = a.Int("Kernel", null);
        var s = a.Int("Stride", 1);
        var p = a.Int("Padding", 0, 0);
        var d = a.Int("Dilation", 1);
        var g = a.Int("Groups", 1);
        bool bias = a.Bool("Bias", true);
        if (o is null || k is null || s is null || p is null || d is null || g is null) return null;
        var c = x[0];
        CheckExplicitSize(a, "InChannels", c, "channels");
        if (c.Value % g.Value.Value != 0 || o.Value.Value % g.Value.Value != 0)
        {
            a.Fail(Rules.GroupsMismatch, g.Value.Origin ?? a.Attr.Span, true, a.Where,
                $"{c.Value} input and {o.Value.Value} output channels must both be divisible by Groups = {g.Value.Value}");
            return null;
        }
        var h = OutSize(a, x[1], k.Value, s.Value, p.Value, d.Value, "height");
        if (h is null) return null;
        var w = OutSize(a, x[2], k.Value, s.Value, p.Value, d.Value, "width");
        if (w is null) return null;
        n.ReserveDims(7);
        n.Dims["in_channels"] = c;
        n.Dims["out_channels"] = o.Value;
        n.Dims["kernel"] = k.Value;
        n.Dims["stride"] = s.Value;
        n.Dims["padding"] = p.Value;
        n.Dims["dilation"] = d.Value;
        n.Dims["groups"] = g.Value;
        n.Flags["bias"] = bias;
        long perOut = checked(c.Value / g.Value.Value * k.Value.Value * k.Value.Value);
        n.OwnParameters = checked(o.Value.Value * perOut + (bias ? o.Value.Value : 0));
        n.OwnMacs = checked(h.Value.Value * w.Value.Value * o.Value.Value * perOut);
        return new Shape(o.Value, h.Value, w.Value);
    }

    private static Shape? Pool(LayerArgs a, LayerNode n, Shape x)
    {
        var k = a.Int("Kernel", null);
        if (k is null) return null;
        var s = !a.Has("Stride") ? k : a.Int("Stride", 1);
        var p = a.Int("Padding", 0, 0);
        var d = a.Kind.Name == "MaxPool2d" ? a.Int("Dilation", 1) : Dim.Of(1);
        if (s is null || p is null || d is null) return null;
        if (p.Value.Value * 2 > k.Value.Value)
        {
            a.Fail(Rules.BadArgument, p.Value.Origin ?? a.Attr.Span, !p.Value.Expr.IsConst, a.Where, $"Padding {p.Value.Value} must be at most half the kernel {k.Value.Value}");
            return null;
        }
        var h = OutSize(a, x[1], k.Value, s.Value, p.Value, d.Value, "height");
        if (h is null) return null;
        var w = OutSize(a, x[2], k.Value, s.Value, p.Value, d.Value, "width");
        if (w is null) return null;
        n.ReserveDims(4);
        n.Dims["kernel"] = k.Value;
        n.Dims["stride"] = s.Value;
        n.Dims["padding"] = p.Value;
        n.Dims["dilation"] = d.Value;
        return new Shape(x[0], h.Value, w.Value);
    }

    /// <summary>floor((in + 2·pad − dilation·(k − 1) − 1) / stride) + 1, with a finding when it is not positive.</summary>
    private static Dim? OutSize(LayerArgs a, Dim size, Dim k, Dim s, Dim p, Dim d, string axis)
    {
        var span = d * (k - 1) + 1;
        var room = size + p * 2 - span;
        if (room.Value < 0)
        {
            string dilated = d.Value == 1 ? "" : $" (dilated to {span.Value})";
            a.Fail(Rules.ImpossibleShape, k.Origin ?? a.Attr.Span, true, a.Where,
                $"kernel {k.Value}{dilated} is larger than the padded input {axis} {size.Value + 2 * p.Value} ({size.Value} + 2×{p.Value}); use a smaller kernel or more padding");
            return null;
        }
        return room / s + 1;
    }

    private static Shape? SelfAttention(LayerArgs a, LayerNode n, Shape x)
    {
        var heads = a.Int("Heads", null);
        if (heads is null) return null;
        var dim = x[1];
        if (dim.Value % heads.Value.Value != 0)
        {
            long suggestion = 1;
            for (long h = 1; h <= System.Math.Min(dim.Value, 64); h++)
                if (dim.Value % h == 0 && System.Math.Abs(h - heads.Value.Value) <= System.Math.Abs(suggestion - heads.Value.Value)) suggestion = h;
            a.Fail(Rules.HeadsMismatch, heads.Value.Origin ?? a.Attr.Span, true, a.Where, dim.Value, heads.Value.Value, suggestion);
            return null;
        }
        bool bias = a.Bool("Bias", true);
        n.Dims["features"] = dim;
        n.Dims["heads"] = heads.Value;
        n.Flags["bias"] = bias;
        n.Reals["dropout"] = a.Real("Dropout", 0.0, 0, 1);
        long d = dim.Value, l = x[0].Value;
        n.OwnParameters = checked(4 * d * d + (bias ? 4 * d : 0));
        // Q, K, V and output projections, then Q·Kᵀ and A·V (head count changes neither).
        n.OwnMacs = checked(l * d * 3 * d + 2 * l * l * d + l * d * d);
        return x;
    }
}
