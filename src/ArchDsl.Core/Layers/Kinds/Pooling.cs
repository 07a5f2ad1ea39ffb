using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>nn.MaxPool2d and nn.AvgPool2d: a window slid over the map; stride defaults to the window. No parameters, no MACs.</summary>
internal sealed class Pool2dKind : LayerKind
{
    private readonly bool _max;

    public Pool2dKind(bool max) : base(max ? "MaxPool2d" : "AvgPool2d", max ? "TorchSharp.Modules.MaxPool2d" : "TorchSharp.Modules.AvgPool2d",
        LayerCatalog.ImageOnly, new[] { "Kernel" }, max ? new[] { "Stride", "Padding", "Dilation" } : new[] { "Stride", "Padding" })
        => _max = max;

    public override LayerCategory Category => LayerCategory.Pooling;
    public override string Summary => _max ? "max pooling (`nn.MaxPool2d`); stride defaults to the window" : "average pooling (`nn.AvgPool2d`); stride defaults to the window";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var k = a.Int("Kernel", null);
        if (k is null) return null;
        var s = !a.Has("Stride") ? k : a.Int("Stride", 1);
        var p = a.Int("Padding", 0, 0);
        var d = _max ? a.Int("Dilation", 1) : Dim.Of(1);
        if (s is null || p is null || d is null) return null;
        if (p.Value.Value * 2 > k.Value.Value)
        {
            a.Fail(Rules.BadArgument, p.Value.Origin ?? a.Attr.Span, !p.Value.Expr.IsConst, a.Where, $"Padding {p.Value.Value} must be at most half the kernel {k.Value.Value}");
            return null;
        }
        var h = ShapeRules.OutSize(a, x[1], k.Value, s.Value, p.Value, d.Value, "height");
        if (h is null) return null;
        var w = ShapeRules.OutSize(a, x[2], k.Value, s.Value, p.Value, d.Value, "width");
        if (w is null) return null;
        n.Stride = s.Value;
        var r = ModuleRecipe.Nn(Name).Add(k.Value).Add(RecipeArg.Of(s.Value, "stride")).AddUnless("padding", p.Value, 0);
        if (_max) r.AddUnless("dilation", d.Value, 1);
        n.Recipe = r;
        return new Shape(x[0], h.Value, w.Value);
    }

    internal override bool Slim(SlimLayer l) => l.PassThrough();
}

/// <summary>nn.AdaptiveAvgPool2d: averages to a fixed output size.</summary>
internal sealed class AdaptiveAvgPool2dKind : LayerKind
{
    public AdaptiveAvgPool2dKind() : base("AdaptiveAvgPool2d", "TorchSharp.Modules.AdaptiveAvgPool2d", LayerCatalog.ImageOnly, new[] { "Height", "Width" }) { }

    public override LayerCategory Category => LayerCategory.Pooling;
    public override string Summary => "adaptive average pooling to a fixed size (`nn.AdaptiveAvgPool2d`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var h = a.Int("Height", 1);
        var w = !a.Has("Width") ? h : a.Int("Width", 1);
        if (h is null || w is null) return null;
        n.Recipe = h.Value.Expr.Equals(w.Value.Expr)
            ? ModuleRecipe.Nn(Name).Add(h.Value)
            : ModuleRecipe.Nn(Name).Add(RecipeArg.OfPair(h.Value, w.Value));
        return new Shape(x[0], h.Value, w.Value);
    }

    internal override bool Slim(SlimLayer l) => l.PassThrough();
}
