using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>
/// Shifted-window multi-head self-attention with a relative position bias on an H×W×C map (torchvision's
/// ShiftedWindowAttention: qkv, proj, relative_position_bias_table, relative_position_index). With T = H·W positions
/// and N = w² per window: parameters 4C² + 4C + (2w−1)²·heads, buffers N² (the int64 index); MACs T·C·3C for qkv,
/// T·N·C each for Q·Kᵀ and A·V, T·C² for proj. The window must divide the map (torchvision would pad it; padded
/// positions would cost MACs that do nothing, so a declaration is held to windows that tile the map).
/// </summary>
internal sealed class ShiftedWindowAttentionKind : LayerKind
{
    public ShiftedWindowAttentionKind() : base("ShiftedWindowAttention", "ArchDsl.Layers.ShiftedWindowAttention", LayerCatalog.ChannelsLastOnly,
        new[] { "Heads" }, new[] { "Window", "Shift", "Dropout", "AttentionDropout" }) { }

    public sealed record Spec(Dim Features, Dim Heads, Dim Window);

    public override LayerCategory Category => LayerCategory.Attention;
    public override string ParameterFormula => "4C² + 4C + (2w−1)²·heads (+ w⁴ index buffer)";
    public override string MacFormula => "4·T·C² + 2·T·w²·C";
    public override string Summary => "shifted-window self-attention with relative position bias on an H×W×C map (torchvision's Swin `attn`)";

    /// <summary>The attention probabilities, heads × w² per position, kept for the backward pass.</summary>
    public override double ExtraActivationElements(LayerNode n) =>
        n.Spec is Spec s ? (double)s.Heads.Value * n.Input[0].Value * n.Input[1].Value * s.Window.Value * s.Window.Value : 0;

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var heads = a.Int("Heads", null);
        var window = a.Int("Window", 7);
        var shift = a.Int("Shift", 0, 0);
        double dropout = a.Real("Dropout", 0.0, 0, 1), attentionDropout = a.Real("AttentionDropout", 0.0, 0, 1);
        if (heads is null || window is null || shift is null) return null;
        Dim h = x[0], w = x[1], c = x[2];
        // A block checked on its own has placeholder sizes: its instances are checked with theirs.
        bool placeholders = a.Session.Symbolic;
        if (!placeholders && c.Value % heads.Value.Value != 0)
        {
            long suggestion = 1;
            for (long k = 1; k <= System.Math.Min(c.Value, 64); k++)
                if (c.Value % k == 0 && System.Math.Abs(k - heads.Value.Value) <= System.Math.Abs(suggestion - heads.Value.Value)) suggestion = k;
            a.Fail(Rules.HeadsMismatch, heads.Value.Origin ?? a.Attr.Span, true, a.Where, c.Value, heads.Value.Value, suggestion);
            return null;
        }
        long ws = window.Value.Value;
        if (!placeholders && (h.Value % ws != 0 || w.Value % ws != 0))
        {
            a.Fail(Rules.ImpossibleShape, window.Value.Origin ?? a.Attr.Span, true, a.Where,
                $"windows of {ws}×{ws} do not divide the {h.Value}×{w.Value} map (torchvision would pad it to {Up(h.Value, ws)}×{Up(w.Value, ws)}); choose a window that divides both sides");
            return null;
        }
        if (!placeholders && shift.Value.Value >= ws)
        {
            a.Fail(Rules.BadArgument, shift.Value.Origin ?? a.Attr.Span, !shift.Value.Expr.IsConst || !window.Value.Expr.IsConst, a.Where,
                $"Shift {shift.Value.Value} must be smaller than the window {ws} (Swin shifts by half a window)");
            return null;
        }
        long cv = c.Value, t = checked(h.Value * w.Value), nTok = checked(ws * ws), table = checked((2 * ws - 1) * (2 * ws - 1));
        n.OwnParameters = checked(4 * cv * cv + 4 * cv + table * heads.Value.Value);
        n.OwnBuffers = checked(nTok * nTok);
        n.OwnMacs = checked(t * cv * 3 * cv + 2 * t * nTok * cv + t * cv * cv);
        n.Spec = new Spec(c, heads.Value, window.Value);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(c).Add(heads.Value).Add(window.Value).Add(shift.Value)
            .AddUnless("dropout", dropout, 0.0).AddUnless("attentionDropout", attentionDropout, 0.0);
        return x;
    }

    private static long Up(long size, long window) => (size + window - 1) / window * window;
}

/// <summary>
/// Swin's patch merging on an H×W×C map (torchvision's PatchMerging: reduction, norm): each 2×2 neighbourhood's
/// channels concatenated (odd sides padded with zeros, as torchvision does), LayerNorm over 4C, then a Linear 4C→2C
/// without bias. Output ⌈H/2⌉×⌈W/2⌉×2C; parameters 8C² + 8C; MACs ⌈H/2⌉·⌈W/2⌉·8C².
/// </summary>
internal sealed class PatchMergingKind : LayerKind
{
    public PatchMergingKind() : base("PatchMerging", "ArchDsl.Layers.PatchMerging", LayerCatalog.ChannelsLastOnly, null, new[] { "Eps" }) { }

    public override LayerCategory Category => LayerCategory.Dense;
    public override string ParameterFormula => "8C² + 8C";
    public override string MacFormula => "⌈H/2⌉·⌈W/2⌉·8C²";
    public override string Summary => "Swin's patch merging of 2×2 neighbourhoods on an H×W×C map (`reduction`, `norm`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double eps = a.Real("Eps", 1e-5, 0, 1);
        var h = (x[0] + 1) / 2;
        var w = (x[1] + 1) / 2;
        long c = x[2].Value;
        n.OwnParameters = checked(8 * c * c + 8 * c);
        n.OwnMacs = checked(h.Value * w.Value * 8 * c * c);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(x[2]).AddUnless("eps", eps, 1e-5);
        return new Shape(h, w, x[2] * 2) { ChannelsLast = true };
    }
}
