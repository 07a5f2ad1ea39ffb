using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>nn.PixelShuffle: C×H×W → (C/r²)×(H·r)×(W·r).</summary>
internal sealed class PixelShuffleKind : LayerKind
{
    public PixelShuffleKind() : base("PixelShuffle", "TorchSharp.Modules.PixelShuffle", LayerCatalog.ImageOnly, new[] { "Factor" }) { }

    public override LayerCategory Category => LayerCategory.Reshape;
    public override string Summary => "sub-pixel upsampling (`nn.PixelShuffle`): C×H×W → C/r²×rH×rW";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var r = a.Int("Factor", null);
        if (r is null) return null;
        var r2 = r.Value * r.Value;
        if (x[0].Value % r2.Value != 0)
        {
            a.Fail(Rules.PixelShuffleChannels, r.Value.Origin ?? a.Attr.Span, true, a.Where, x[0].Value, r.Value.Value, r2.Value);
            return null;
        }
        n.Recipe = ModuleRecipe.Nn(Name).Add(r.Value);
        return new Shape(x[0] / r2, x[1] * r.Value, x[2] * r.Value);
    }
}
