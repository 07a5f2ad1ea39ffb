using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>nn.BatchNorm2d: 2·C parameters, 2·C running statistics and one counter as buffers.</summary>
internal sealed class BatchNorm2dKind : LayerKind
{
    public BatchNorm2dKind() : base("BatchNorm2d", "TorchSharp.Modules.BatchNorm2d", LayerCatalog.ImageOnly, null,
        new[] { "Eps", "Momentum", "InChannels" }) { }

    public override LayerCategory Category => LayerCategory.Normalization;
    public override bool FreshOutput => true;
    public override string ParameterFormula => "2C (+ 2C + 1 buffers)";
    public override string Summary => "batch normalisation over channels (`nn.BatchNorm2d`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        ShapeRules.CheckExplicitSize(a, "InChannels", x[0], "channels");
        double eps = a.Real("Eps", 1e-5, 0, 1), momentum = a.Real("Momentum", 0.1, 0, 1);
        n.OwnParameters = checked(2 * x[0].Value);
        n.OwnBuffers = checked(2 * x[0].Value + 1);
        n.Recipe = ModuleRecipe.Nn("BatchNorm2d").Add(x[0]).AddUnless("eps", eps, 1e-5).AddUnless("momentum", momentum, 0.1);
        return x;
    }

    public override string? SlimModuleType => "ArchDsl.Layers.SwitchableBatchNorm2d";

    /// <summary>Switchable batch norm: one private BatchNorm2d of the active channels per width, so the module stores
    /// Σ 2·C_m parameters and Σ (2·C_m + 1) buffers, and uses 2·C_m at width m.</summary>
    internal override bool Slim(SlimLayer l)
    {
        long p = 0, b = 0;
        for (int i = 0; i < l.Input.Length; i++)
        {
            l.Parameters[i] = checked(2 * l.Input[i]);
            p = checked(p + 2 * l.Input[i]);
            b = checked(b + 2 * l.Input[i] + 1);
        }
        l.StoredParameters = p;
        l.StoredBuffers = b;
        l.UseModule("SwitchableBatchNorm2d", 0, SlimLayer.Sizes(l.Input));
        return true;
    }
}
