using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>nn.LayerNorm over the last axis: 2·D parameters.</summary>
internal sealed class LayerNormKind : LayerKind
{
    public LayerNormKind() : base("LayerNorm", "TorchSharp.Modules.LayerNorm", null, null, new[] { "Eps" }) { }

    public override LayerCategory Category => LayerCategory.Normalization;
    public override bool FreshOutput => true;
    public override bool ActsOnLastAxis => true;
    public override string ParameterFormula => "2D";
    public override string Summary => "layer normalisation over the last axis (`nn.LayerNorm`)";

    public override string LastAxisAdvice(Shape input) =>
        $"write [LayerNorm2d] to normalise the {input[0].Value} channels of each position (torchvision's LayerNorm2d, 2·C parameters), or put [Permute(0, 2, 3, 1)] before it";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double eps = a.Real("Eps", 1e-5, 0, 1);
        n.OwnParameters = checked(2 * x.Last.Value);
        n.Recipe = ModuleRecipe.Nn(Name).Add(x.Last).AddUnless("eps", eps, 1e-5);
        return x;
    }
}

/// <summary>Layer normalisation of each position's channels of a C×H×W map (torchvision's LayerNorm2d): 2·C parameters.</summary>
internal sealed class LayerNorm2dKind : LayerKind
{
    public LayerNorm2dKind() : base("LayerNorm2d", "ArchDsl.Layers.LayerNorm2d", LayerCatalog.ImageOnly, null, new[] { "Eps" }) { }

    public override LayerCategory Category => LayerCategory.Normalization;
    public override bool FreshOutput => true;
    public override string ParameterFormula => "2C";
    public override string Summary => "layer normalisation of each position's channels of a map (torchvision's `LayerNorm2d`, ConvNeXt's)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double eps = a.Real("Eps", 1e-5, 0, 1);
        n.OwnParameters = checked(2 * x[0].Value);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(x[0]).AddUnless("eps", eps, 1e-5);
        return x;
    }
}
