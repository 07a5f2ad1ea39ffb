using System.Collections.Generic;
using System.Globalization;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>
/// nn.ConvTranspose2d. Output per axis (in−1)·stride − 2·padding + dilation·(k−1) + outputPadding + 1. Parameters
/// C_in·(C_out/groups)·k² (+ C_out); MACs H_in·W_in·C_in·(C_out/groups)·k², as PyTorch's FlopCounterMode counts it.
/// </summary>
internal sealed class ConvTranspose2dKind : LayerKind
{
    public ConvTranspose2dKind() : base("ConvTranspose2d", "TorchSharp.Modules.ConvTranspose2d", LayerCatalog.ImageOnly, new[] { "OutChannels" },
        new[] { "Kernel", "Stride", "Padding", "OutputPadding", "Dilation", "Groups", "Bias" }) { }

    public override LayerCategory Category => LayerCategory.Convolution;
    public override bool FreshOutput => true;
    public override string ParameterFormula => "C_in·(C_out/g)·k² (+ C_out bias)";
    public override string MacFormula => "H_in·W_in·C_in·(C_out/g)·k²";
    public override string Summary => "transposed 2-D convolution (`nn.ConvTranspose2d`), for upsampling";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var o = a.Int("OutChannels", null);
        var k = a.Int("Kernel", null);
        var s = a.Int("Stride", 1);
        var p = a.Int("Padding", 0, 0);
        var op = a.Int("OutputPadding", 0, 0);
        var d = a.Int("Dilation", 1);
        var g = a.Int("Groups", 1);
        bool bias = a.Bool("Bias", true);
        if (o is null || k is null || s is null || p is null || op is null || d is null || g is null) return null;
        var c = x[0];
        if (!ShapeRules.GroupsDivide(a, c, o.Value, g.Value)) return null;
        if (op.Value.Value >= System.Math.Max(s.Value.Value, d.Value.Value))
        {
            a.Fail(Rules.BadArgument, op.Value.Origin ?? a.Attr.Span, !op.Value.Expr.IsConst, a.Where,
                $"OutputPadding {op.Value.Value} must be smaller than the stride ({s.Value.Value}) or the dilation ({d.Value.Value})");
            return null;
        }
        var size = new Dim[2];
        for (int axis = 0; axis < 2; axis++)
        {
            var outSize = (x[axis + 1] - 1) * s.Value - p.Value * 2 + d.Value * (k.Value - 1) + op.Value + 1;
            if (outSize.Value < 1)
            {
                a.Fail(Rules.ImpossibleShape, p.Value.Origin ?? a.Attr.Span, true, a.Where,
                    $"the {(axis == 0 ? "height" : "width")} {x[axis + 1].Value} becomes {outSize.Value}: the padding {p.Value.Value} removes more than the kernel adds");
                return null;
            }
            size[axis] = outSize;
        }
        long perIn = checked(o.Value.Value / g.Value.Value * k.Value.Value * k.Value.Value);
        n.OwnParameters = checked(c.Value * perIn + (bias ? o.Value.Value : 0));
        n.OwnMacs = checked(x[1].Value * x[2].Value * c.Value * perIn);
        n.Recipe = ModuleRecipe.Nn(Name).Add(c).Add(o.Value).Add(k.Value)
            .AddUnless("stride", s.Value, 1).AddUnless("padding", p.Value, 0).AddUnless("output_padding", op.Value, 0)
            .AddUnless("dilation", d.Value, 1).AddUnless("groups", g.Value, 1).AddUnless("bias", bias, true);
        return new Shape(o.Value, size[0], size[1]);
    }
}

/// <summary>nn.Upsample by a scale factor: a whole number (2, 3) or one over a whole number (0.5); no parameters, no MACs.</summary>
internal sealed class UpsampleKind : LayerKind
{
    public UpsampleKind() : base("Upsample", "TorchSharp.Modules.Upsample", LayerCatalog.ImageOnly, new[] { "Scale" }, new[] { "Mode", "AlignCorners" }) { }

    public override LayerCategory Category => LayerCategory.Reshape;
    public override string Summary => "upsampling by a scale factor (`nn.Upsample`), nearest or bilinear";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double scale = a.Real("Scale", 0, 0, 1e6);
        if (a.Failed) return null;
        var span = a.Raw("Scale")?.Span ?? a.Attr.Span;
        string mode = a.Enum("Mode") ?? "Nearest";
        bool align = a.Bool("AlignCorners", false);
        if (align && mode != "Bilinear")
        {
            a.Fail(Rules.BadArgument, a.Raw("AlignCorners")!.Span, false, a.Where, "AlignCorners applies to bilinear upsampling only");
            return null;
        }
        var dims = new Dim[2];
        for (int axis = 0; axis < 2; axis++)
        {
            var size = x[axis + 1];
            double exact = size.Value * scale;
            long whole = (long)System.Math.Round(exact);
            if (whole < 1 || System.Math.Abs(exact - whole) > 1e-9 * System.Math.Max(1, exact))
            {
                a.Fail(Rules.ImpossibleShape, span, true, a.Where,
                    $"Upsample by {scale.ToString("R", CultureInfo.InvariantCulture)} makes the {(axis == 0 ? "height" : "width")} {size.Value} into {exact.ToString("0.###", CultureInfo.InvariantCulture)}, not a whole number of positions");
                return null;
            }
            long up = (long)System.Math.Round(scale), down = (long)System.Math.Round(1 / scale);
            if (scale >= 1 && System.Math.Abs(scale - up) < 1e-12) dims[axis] = size * up;
            else if (scale < 1 && System.Math.Abs(1 / scale - down) < 1e-9) dims[axis] = size / down;
            else
            {
                a.Fail(Rules.BadArgument, span, false, a.Where,
                    $"Scale {scale.ToString("R", CultureInfo.InvariantCulture)} must be a whole number (2) or one over a whole number (0.5)");
                return null;
            }
        }
        var r = ModuleRecipe.Nn(Name).Add(RecipeArg.OfReals(new[] { scale, scale }, "scale_factor"));
        if (mode != "Nearest") r.Add(RecipeArg.OfSymbol("TorchSharp.torch.UpsampleMode." + mode, "mode"));
        if (align) r.Add(RecipeArg.Of(true, "align_corners"));
        n.Recipe = r;
        return new Shape(x[0], dims[0], dims[1]);
    }
}

/// <summary>torch.permute as a module; (0, 2, 3, 1) turns a map channels-last and (0, 3, 1, 2) back.</summary>
internal sealed class PermuteKind : LayerKind
{
    public PermuteKind() : base("Permute", "ArchDsl.Layers.Permute", null, new[] { "Dims" }) { }

    public override LayerCategory Category => LayerCategory.Reshape;
    public override string Summary => "reorders the axes, batch first as PyTorch writes it: `(0, 2, 3, 1)` turns a map channels-last";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var dims = a.Ints("Dims");
        if (dims is null) return null;
        var span = a.Raw("Dims")?.Span ?? a.Attr.Span;
        var seen = new bool[x.Rank + 1];
        bool valid = dims.Length == x.Rank + 1 && dims[0] == 0;
        foreach (var d in dims)
        {
            if (d < 0 || d > x.Rank || seen[d]) { valid = false; break; }
            seen[d] = true;
        }
        if (!valid)
        {
            a.Fail(Rules.BadArgument, span, !a.Session.Symbolic, a.Where,
                $"Dims ({string.Join(", ", dims)}) must order all {x.Rank + 1} axes of the batched {x} input, batch axis 0 first");
            return null;
        }
        var output = new Dim[x.Rank];
        for (int i = 0; i < x.Rank; i++) output[i] = x[(int)dims[i + 1] - 1];
        bool toLast = x.Rank == 3 && !x.ChannelsLast && dims[1] == 2 && dims[2] == 3 && dims[3] == 1;
        n.Recipe = ModuleRecipe.Runtime(Name);
        foreach (var d in dims) n.Recipe.Add(Dim.Of(d));
        return new Shape(output) { ChannelsLast = toLast };
    }
}

/// <summary>A learned per-channel scale (ConvNeXt's layer_scale): C×1×1 on a map, D otherwise; C parameters.</summary>
internal sealed class LayerScaleKind : LayerKind
{
    public LayerScaleKind() : base("LayerScale", "TorchSharp.Modules.Parameter", null, new[] { "Init" }) { }

    public override LayerCategory Category => LayerCategory.Other;
    public override ForwardForm Forward => ForwardForm.MulParameter;
    public override string ParameterFormula => "C (D on tokens)";
    public override string Summary => "a learned per-channel scale (ConvNeXt's `layer_scale`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double init = a.Real("Init", 1e-6, -1e6, 1e6);
        bool map = x.Rank == 3 && !x.ChannelsLast;
        var channels = map ? x[0] : x.Last;
        n.OwnParameters = channels.Value;
        n.Recipe = map ? ModuleRecipe.Parameter(ParameterInit.Fill, init, channels, Dim.Of(1), Dim.Of(1))
                       : ModuleRecipe.Parameter(ParameterInit.Fill, init, channels);
        return x;
    }
}

/// <summary>Stochastic depth: drops the branch while training; no parameters, the identity in eval.</summary>
internal sealed class StochasticDepthKind : LayerKind
{
    public StochasticDepthKind() : base("StochasticDepth", "ArchDsl.Layers.StochasticDepth", null, new[] { "P" }, new[] { "Mode" }) { }

    public override LayerCategory Category => LayerCategory.Regularization;
    public override bool DropsResidualBranch => true;
    public override string Summary => "stochastic depth (`torchvision.ops.StochasticDepth`), per sample or per batch";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double p = a.Real("P", 0, 0, 1);   // 0 where the model's [StochasticDepthRamp] sets it
        bool row = (a.Enum("Mode") ?? "Row") == "Row";
        n.Recipe = ModuleRecipe.Runtime(Name).Add(RecipeArg.Of(p)).AddUnless("row", row, true);
        return x;
    }
}

/// <summary>
/// Squeeze-and-excitation (torchvision's SqueezeExcitation): fc1 C→S and fc2 S→C, 1×1 convolutions with bias on the
/// pooled map. Parameters 2·C·S + S + C; MACs 2·C·S.
/// </summary>
internal sealed class SqueezeExcitationKind : LayerKind
{
    public SqueezeExcitationKind() : base("SqueezeExcitation", "ArchDsl.Layers.SqueezeExcitation", LayerCatalog.ImageOnly, new[] { "Squeeze" }, new[] { "Inner", "Gate" }) { }

    public override LayerCategory Category => LayerCategory.Convolution;
    public override string ParameterFormula => "2·C·S + S + C";
    public override string MacFormula => "2·C·S";
    public override string Summary => "squeeze-and-excitation gate (torchvision's `SqueezeExcitation`: `fc1`, `fc2`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var sq = a.Int("Squeeze", null);
        if (sq is null) return null;
        string inner = a.Raw("Inner") is null ? "ReLU" : a.Enum("Inner") ?? "None";
        string gate = a.Raw("Gate") is null ? "Sigmoid" : a.Enum("Gate") ?? "None";
        long c = x[0].Value, s = sq.Value.Value;
        n.OwnParameters = checked(2 * c * s + s + c);
        n.OwnMacs = checked(2 * c * s);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(x[0]).Add(sq.Value)
            .Add(RecipeArg.Of(Activations.Module(inner))).Add(RecipeArg.Of(Activations.Module(gate)));
        return x;
    }
}
