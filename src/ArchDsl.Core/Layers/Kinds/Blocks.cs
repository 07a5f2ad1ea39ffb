using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>A block repeated into a Sequential (its instances are the node's children).</summary>
internal sealed class StageKind : LayerKind
{
    public StageKind() : base(LayerCatalog.Stage, "TorchSharp.Modules.Sequential", null, new[] { "Block", "Count", "Bindings" }, new[] { "Names", "Key" }) { }

    public override LayerCategory Category => LayerCategory.Composite;
    public override bool TakesCommonArguments => false;
    public override string Summary => "a block repeated into a `Sequential`; a `stride` binding applies to the first only; in a model's stage, bindings may read the block index `i`";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x) => Evaluator.EvaluateStage(a, n, x);
}

/// <summary>One block instance, a member of the block's own type.</summary>
internal sealed class UseKind : LayerKind
{
    public UseKind() : base(LayerCatalog.Use, "", null, new[] { "Block", "Bindings" }, new[] { "Key", "Skip" }) { }

    public override LayerCategory Category => LayerCategory.Composite;
    public override bool TakesCommonArguments => false;
    public override string Summary => "one instance of a block; `Skip` passes a member's input to a block that takes a skip";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x) => Evaluator.EvaluateUse(a, n, x);
}
