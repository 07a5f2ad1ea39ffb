using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

/// <summary>C×H×W → (H·W)×C: each position becomes a token (flatten(2).transpose(1, 2)).</summary>
internal sealed class TokensKind : LayerKind
{
    public TokensKind() : base("Tokens", "ArchDsl.Layers.Tokens", LayerCatalog.ImageOnly) { }

    public override LayerCategory Category => LayerCategory.Reshape;
    public override string Summary => "a C×H×W map as (H·W)×C tokens";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        n.Recipe = ModuleRecipe.Runtime("Tokens");
        return new Shape(x[1] * x[2], x[0]);
    }
}

/// <summary>A learned token prepended to the sequence (ViT's class_token): N×D → (N+1)×D, D parameters.</summary>
internal sealed class ClassTokenKind : LayerKind
{
    public ClassTokenKind() : base("ClassToken", "TorchSharp.Modules.Parameter", LayerCatalog.TokensOnly) { }

    public override LayerCategory Category => LayerCategory.Embedding;
    public override ForwardForm Forward => ForwardForm.PrependToken;
    public override string ParameterFormula => "D";
    public override string Summary => "a learned token prepended (ViT's `class_token`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        n.OwnParameters = x[1].Value;
        n.Recipe = ModuleRecipe.Parameter(ParameterInit.Zeros, 0, Dim.Of(1), Dim.Of(1), x[1]);
        return new Shape(x[0] + 1, x[1]);
    }
}

/// <summary>A learned positional embedding added to the tokens (ViT's pos_embedding): N·D parameters.</summary>
internal sealed class PositionalEmbeddingKind : LayerKind
{
    public PositionalEmbeddingKind() : base("PositionalEmbedding", "TorchSharp.Modules.Parameter", LayerCatalog.TokensOnly, null, new[] { "Std" }) { }

    /// <summary>What the judgement reads: the positions it was made for.</summary>
    public sealed record Spec(Dim Tokens, Dim Features);

    public override LayerCategory Category => LayerCategory.Embedding;
    public override ForwardForm Forward => ForwardForm.AddParameter;
    public override string ParameterFormula => "N·D";
    public override string Summary => "a learned positional embedding added (ViT's `pos_embedding`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double std = a.Real("Std", 0.02, 0, 10);
        n.OwnParameters = checked(x[0].Value * x[1].Value);
        n.Spec = new Spec(x[0], x[1]);
        n.Recipe = ModuleRecipe.Parameter(ParameterInit.Normal, std, Dim.Of(1), x[0], x[1]);
        return x;
    }
}

/// <summary>
/// Multi-head self-attention with PyTorch's packed in_proj names. Parameters 4·D² (+ 4·D); MACs: Q, K, V and output
/// projections, then Q·Kᵀ and A·V (the head count changes neither).
/// </summary>
internal sealed class SelfAttentionKind : LayerKind
{
    public SelfAttentionKind() : base("SelfAttention", "ArchDsl.Layers.SelfAttention", LayerCatalog.TokensOnly, new[] { "Heads" }, new[] { "Dropout", "Bias" }) { }

    public sealed record Spec(Dim Features, Dim Heads);

    public override LayerCategory Category => LayerCategory.Attention;
    public override string ParameterFormula => "4D² + 4D (4D² without bias)";
    public override string MacFormula => "4·N·D² + 2·N²·D";
    public override string Summary => "multi-head self-attention (PyTorch's `in_proj_weight`, `out_proj` names)";

    /// <summary>The attention probabilities, heads × L × L, kept for the backward pass.</summary>
    public override double ExtraActivationElements(LayerNode n) =>
        n.Spec is Spec s && n.Input.Rank == 2 ? (double)s.Heads.Value * n.Input[0].Value * n.Input[0].Value : 0;

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var heads = a.Int("Heads", null);
        if (heads is null) return null;
        var dim = x[1];
        if (dim.Value % heads.Value.Value != 0)
        {
            long suggestion = 1;
            for (long h = 1; h <= System.Math.Min(dim.Value, 64); h++)
                if (dim.Value % h == 0 && System.Math.Abs(h - heads.Value.Value) <= System.Math.Abs(suggestion - heads.Value.Value)) suggestion = h;
            a.Fail(Rules.HeadsMismatch, heads.Value.Origin ?? a.Attr.Span, true, a.Where, dim.Value, heads.Value.Value, suggestion);
            return null;
        }
        bool bias = a.Bool("Bias", true);
        double dropout = a.Real("Dropout", 0.0, 0, 1);
        long d = dim.Value, l = x[0].Value;
        n.OwnParameters = checked(4 * d * d + (bias ? 4 * d : 0));
        n.OwnMacs = checked(l * d * 3 * d + 2 * l * l * d + l * d * d);
        n.Spec = new Spec(dim, heads.Value);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(dim).Add(heads.Value).AddUnless("dropout", dropout, 0.0).AddUnless("bias", bias, true);
        return x;
    }
}

/// <summary>Transformer MLP as torchvision's MLPBlock: 0 Linear, 1 activation, 2 Dropout, 3 Linear, 4 Dropout.</summary>
internal sealed class MlpKind : LayerKind
{
    public MlpKind() : base("Mlp", "TorchSharp.Modules.Sequential", null, new[] { "Hidden" }, new[] { "Out", "Inner", "Dropout", "InFeatures" }) { }

    public override LayerCategory Category => LayerCategory.Dense;
    public override bool ActsOnLastAxis => true;
    public override string ParameterFormula => "D·h + h + h·D' + D'";
    public override string MacFormula => "R·(D·h + h·D') over R rows";
    public override string Summary => "two linear layers with an activation between (torchvision's `MLPBlock`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var h = a.Int("Hidden", null);
        if (h is null) return null;
        var o = !a.Has("Out") ? x.Last : a.Int("Out", null);
        if (o is null) return null;
        ShapeRules.CheckExplicitSize(a, "InFeatures", x.Last, "features");
        double dropout = a.Real("Dropout", 0.0, 0, 1);
        // GELU when not written (torchvision's MLP block); an explicit Act.None keeps the position, activation-free.
        string inner = a.Raw("Inner") is null ? "GELU" : a.Enum("Inner") ?? "None";
        long d = x.Last.Value, hv = h.Value.Value, ov = o.Value.Value;
        n.OwnParameters = checked(d * hv + hv + hv * ov + ov);
        n.OwnMacs = checked(ShapeRules.Rows(x) * (d * hv + hv * ov));
        n.Recipe = ModuleRecipe.Nn("Sequential")
            .Add(RecipeArg.Of(ModuleRecipe.Nn("Linear").Add(x.Last).Add(h.Value)))
            .Add(RecipeArg.Of(Activations.Module(inner)))
            .Add(RecipeArg.Of(ModuleRecipe.Nn("Dropout").Add(RecipeArg.Of(dropout))))
            .Add(RecipeArg.Of(ModuleRecipe.Nn("Linear").Add(h.Value).Add(o.Value)))
            .Add(RecipeArg.Of(ModuleRecipe.Nn("Dropout").Add(RecipeArg.Of(dropout))));
        return x.WithLast(o.Value);
    }
}

/// <summary>Takes one token of an N×D sequence (ViT's x[:, 0]): N×D → D.</summary>
internal sealed class SelectTokenKind : LayerKind
{
    public SelectTokenKind() : base("SelectToken", "ArchDsl.Layers.SelectToken", LayerCatalog.TokensOnly, new[] { "Index" }) { }

    public override LayerCategory Category => LayerCategory.Reshape;
    public override string Summary => "one token of a sequence (ViT's `x[:, 0]`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var i = a.Int("Index", 0, 0);
        if (i is null) return null;
        if (i.Value.Value >= x[0].Value)
        {
            a.Fail(Rules.ImpossibleShape, i.Value.Origin ?? a.Attr.Span, true, a.Where, $"token {i.Value.Value} does not exist in {x[0].Value} tokens");
            return null;
        }
        n.Recipe = ModuleRecipe.Runtime(Name).Add(i.Value);
        return new Shape(x[1]);
    }
}
