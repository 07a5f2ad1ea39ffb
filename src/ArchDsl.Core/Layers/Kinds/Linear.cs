using System.Linq;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>nn.Linear on the last axis: in·out (+ out) parameters, rows·in·out MACs.</summary>
internal sealed class LinearKind : LayerKind
{
    public LinearKind() : base("Linear", "TorchSharp.Modules.Linear", null, new[] { "OutFeatures" }, new[] { "Bias", "InFeatures" }) { }

    public override LayerCategory Category => LayerCategory.Dense;
    public override bool FreshOutput => true;
    public override bool ActsOnLastAxis => true;
    public override string ParameterFormula => "in·out (+ out)";
    public override string MacFormula => "R·in·out over R rows";
    public override string Summary => "fully connected on the last axis (`nn.Linear`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var o = a.Int("OutFeatures", null);
        if (o is null) return null;
        bool bias = a.Bool("Bias", true);
        ShapeRules.CheckExplicitSize(a, "InFeatures", x.Last, "features");
        n.OwnParameters = checked(x.Last.Value * o.Value.Value + (bias ? o.Value.Value : 0));
        n.OwnMacs = checked(ShapeRules.Rows(x) * x.Last.Value * o.Value.Value);
        n.Recipe = ModuleRecipe.Nn(Name).Add(x.Last).Add(o.Value).AddUnless("hasBias", bias, true);
        return x.WithLast(o.Value);
    }

    public override string? SlimModuleType => "ArchDsl.Layers.SlimmableLinear";

    /// <summary>At width m the first int(m·out) outputs (all of them for the classifier) over the active inputs; on a
    /// vector only, where the slimmed axis is the one it reads.</summary>
    internal override bool Slim(SlimLayer l)
    {
        var n = l.Node;
        if (n.Input.Rank != 1) return l.Refuse($"a Linear on {n.Input} cannot slim; only one on a vector (after [Flatten]) does");
        var outs = l.SlimOutputs(n.Output[0].Value);
        bool bias = n.Recipe!.Args.All(a => a.Name != "hasBias");
        for (int i = 0; i < outs.Length; i++)
        {
            l.Parameters[i] = checked(l.Input[i] * outs[i] + (bias ? outs[i] : 0));
            l.Macs[i] = checked(l.Input[i] * outs[i]);
        }
        l.Output = outs;
        l.UseModule("SlimmableLinear", 2, SlimLayer.Sizes(l.Input), SlimLayer.Sizes(outs));
        return true;
    }
}

/// <summary>nn.Flatten: everything but the batch dimension into one.</summary>
internal sealed class FlattenKind : LayerKind
{
    public FlattenKind() : base("Flatten", "TorchSharp.Modules.Flatten", null) { }

    public override LayerCategory Category => LayerCategory.Reshape;
    public override string Summary => "flattens all but the batch dimension (`nn.Flatten`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var d = x[0];
        for (int i = 1; i < x.Rank; i++) d = d * x[i];
        n.Recipe = ModuleRecipe.Nn(Name);
        return new Shape(d);
    }

    /// <summary>C×H×W becomes C·H·W features: the active channels times the map.</summary>
    internal override bool Slim(SlimLayer l)
    {
        var x = l.Node.Input;
        if (x.ChannelsLast) return l.Refuse("a Flatten of a channels-last map interleaves the channels, so it cannot slim");
        long area = 1;
        for (int i = 1; i < x.Rank; i++) area = checked(area * x[i].Value);
        var outs = new long[l.Input.Length];
        for (int i = 0; i < outs.Length; i++) outs[i] = checked(l.Input[i] * area);
        l.Output = outs;
        return true;
    }
}

/// <summary>nn.Dropout: no parameters; identity in eval.</summary>
internal sealed class DropoutKind : LayerKind
{
    public DropoutKind() : base("Dropout", "TorchSharp.Modules.Dropout", null, new[] { "P" }) { }

    public override LayerCategory Category => LayerCategory.Regularization;
    public override string Summary => "dropout (`nn.Dropout`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        n.Recipe = ModuleRecipe.Nn(Name).Add(RecipeArg.Of(a.Real("P", 0.5, 0, 1)));
        return x;
    }

    internal override bool Slim(SlimLayer l) => l.PassThrough();
}

/// <summary>A parameter-free module that keeps the shape: an activation as a layer, or Identity.</summary>
internal sealed class ElementwiseKind : LayerKind
{
    private readonly string _summary;

    public ElementwiseKind(string name, string summary) : base(name, "TorchSharp.Modules." + name, null) => _summary = summary;

    public override LayerCategory Category => Name == "Identity" ? LayerCategory.Other : LayerCategory.Activation;
    public override string Summary => _summary;

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        n.Recipe = ModuleRecipe.Nn(Name);
        return x;
    }

    internal override bool Slim(SlimLayer l) => l.PassThrough();
}
