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
    public override string Summary => "layer normalisation over the last axis (`nn.LayerNorm`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double eps = a.Real("Eps", 1e-5, 0, 1);
        n.OwnParameters = checked(2 * x.Last.Value);
        n.Recipe = ModuleRecipe.Nn(Name).Add(x.Last).AddUnless("eps", eps, 1e-5);
        return x;
    }
}
