using System.Linq;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>nn.Conv2d. Parameters C_out·(C_in/groups)·k² (+ C_out bias); MACs H_out·W_out·C_out·(C_in/groups)·k².</summary>
internal sealed class Conv2dKind : LayerKind
{
    public Conv2dKind() : base("Conv2d", "TorchSharp.Modules.Conv2d", LayerCatalog.ImageOnly, new[] { "OutChannels" },
        new[] { "Kernel", "Stride", "Padding", "Dilation", "Groups", "Bias", "InChannels" }) { }

    public override LayerCategory Category => LayerCategory.Convolution;
    public override bool FreshOutput => true;
    public override string ParameterFormula => "C_out·(C_in/g)·k² (+ C_out bias)";
    public override string MacFormula => "H_out·W_out·C_out·(C_in/g)·k²";
    public override string Summary => "2-D convolution (`nn.Conv2d`); `Groups` for grouped and depthwise";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
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
        ShapeRules.CheckExplicitSize(a, "InChannels", c, "channels");
        if (!ShapeRules.GroupsDivide(a, c, o.Value, g.Value)) return null;
        var h = ShapeRules.OutSize(a, x[1], k.Value, s.Value, p.Value, d.Value, "height");
        if (h is null) return null;
        var w = ShapeRules.OutSize(a, x[2], k.Value, s.Value, p.Value, d.Value, "width");
        if (w is null) return null;
        long perOut = checked(c.Value / g.Value.Value * k.Value.Value * k.Value.Value);
        n.OwnParameters = checked(o.Value.Value * perOut + (bias ? o.Value.Value : 0));
        n.OwnMacs = checked(h.Value.Value * w.Value.Value * o.Value.Value * perOut);
        n.Stride = s.Value;
        n.Recipe = ModuleRecipe.Nn("Conv2d").Add(c).Add(o.Value).Add(k.Value)
            .AddUnless("stride", s.Value, 1).AddUnless("padding", p.Value, 0).AddUnless("dilation", d.Value, 1)
            .AddUnless("groups", g.Value, 1).AddUnless("bias", bias, true);
        return new Shape(o.Value, h.Value, w.Value);
    }

    public override string? SlimModuleType => "ArchDsl.Layers.SlimmableConv2d";

    /// <summary>At width m the first int(m·C) filters over the first active input channels; a depthwise convolution
    /// slims its groups with its channels. Other grouped convolutions would regroup their filters, so they do not slim.</summary>
    internal override bool Slim(SlimLayer l)
    {
        var n = l.Node;
        long cin = n.Input[0].Value, cout = n.Output[0].Value, k = l.RecipePositional(2), g = l.RecipeSize("groups", 1);
        bool depthwise = g > 1 && g == cin && cout == cin;
        if (g > 1 && !depthwise)
            return l.Refuse($"a grouped convolution ({g} groups of {cin} channels) cannot slim; only depthwise ones (Groups = {cin}, {cin} outputs) do");
        var outs = depthwise ? l.Input : l.SlimOutputs(cout);
        bool bias = n.Recipe!.Args.All(a => a.Name != "bias");
        long area = n.Output[1].Value * n.Output[2].Value;
        for (int i = 0; i < outs.Length; i++)
        {
            long perOut = checked((depthwise ? 1 : l.Input[i]) * k * k);
            l.Parameters[i] = checked(outs[i] * perOut + (bias ? outs[i] : 0));
            l.Macs[i] = checked(area * outs[i] * perOut);
        }
        l.Output = outs;
        l.UseModule("SlimmableConv2d", 3, SlimLayer.Sizes(l.Input), SlimLayer.Sizes(outs));
        return true;
    }
}
