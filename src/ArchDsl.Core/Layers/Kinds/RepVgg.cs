using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>
/// RepVGG's block (rbr_dense: 3×3 conv + BN, rbr_1x1: 1×1 conv + BN, rbr_identity: BN where the shape is kept, summed)
/// in its training form, with its deploy form (rbr_reparam: one 3×3 convolution with bias) counted too. Training
/// parameters 10·C_in·C_out + 4·C_out (+ 2·C_in identity), buffers 2·(2·C_out + 1) (+ 2·C_in + 1); MACs
/// H_out·W_out·C_in·C_out·10. Deploy: 9·C_in·C_out + C_out parameters, no buffers, H_out·W_out·C_in·C_out·9 MACs.
/// </summary>
internal sealed class RepVggKind : LayerKind
{
    public RepVggKind() : base("RepVgg", "ArchDsl.Layers.RepVgg", LayerCatalog.ImageOnly, new[] { "OutChannels" }, new[] { "Stride" }) { }

    public override LayerCategory Category => LayerCategory.Convolution;
    public override bool FreshOutput => true;
    public override string ParameterFormula => "10·C_in·C_out + 4·C_out (+ 2·C_in identity BN); deploy 9·C_in·C_out + C_out";
    public override string MacFormula => "H_out·W_out·C_in·C_out·10; deploy ·9";
    public override string Summary => "RepVGG block: 3×3 conv + BN, 1×1 conv + BN and identity BN summed; deploys as one 3×3 convolution";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var o = a.Int("OutChannels", null);
        var s = a.Int("Stride", 1);
        if (o is null || s is null) return null;
        long cin = x[0].Value, cout = o.Value.Value;
        var h = (x[1] - 1) / s.Value + 1;
        var w = (x[2] - 1) / s.Value + 1;
        bool identity = cin == cout && s.Value.Value == 1;
        long positions = checked(h.Value * w.Value);
        n.OwnParameters = checked(10 * cin * cout + 4 * cout + (identity ? 2 * cin : 0));
        n.OwnBuffers = checked(2 * (2 * cout + 1) + (identity ? 2 * cin + 1 : 0));
        n.OwnMacs = checked(positions * cin * cout * 10);
        n.OwnDeploy = new DeployCounts(checked(9 * cin * cout + cout), 0, checked(positions * cin * cout * 9));
        n.Stride = s.Value;
        n.Recipe = ModuleRecipe.Runtime(Name).Add(x[0]).Add(o.Value).AddUnless("stride", s.Value, 1);
        return new Shape(o.Value, h, w);
    }
}
