using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers.Kinds;

// Decoder-only language models: token ids in (a 1-D input of T positions), T×D through the blocks, T×V logits out.

/// <summary>nn.Embedding: T token ids → T×D, V·D parameters, no MACs (a lookup).</summary>
internal sealed class TokenEmbeddingKind : LayerKind
{
    internal static readonly Layout[] TokenIds = { Layout.Vector };

    public TokenEmbeddingKind() : base("TokenEmbedding", "TorchSharp.Modules.Embedding", TokenIds, new[] { "Vocabulary", "Width" }) { }

    /// <summary>What a tied head checks itself against.</summary>
    public sealed record Spec(Dim Vocabulary, Dim Width);

    public override LayerCategory Category => LayerCategory.Embedding;
    public override bool FreshOutput => true;
    public override bool ReadsTokenIds => true;
    public override string ParameterFormula => "V·D";
    public override string Summary => "token ids (the input's T positions) to T×D vectors (`nn.Embedding`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        // A vocabulary of one token predicts nothing.
        var v = a.Int("Vocabulary", null, 2);
        var d = a.Int("Width", null);
        if (v is null || d is null) return null;
        n.OwnParameters = checked(v.Value.Value * d.Value.Value);
        n.Spec = new Spec(v.Value, d.Value);
        n.Recipe = ModuleRecipe.Nn("Embedding").Add(v.Value).Add(d.Value);
        return new Shape(x[0], d.Value);
    }
}

/// <summary>Learned absolute positions added to T×D tokens (GPT-2's wpe): Context·D parameters.</summary>
internal sealed class LearnedPositionsKind : LayerKind
{
    public LearnedPositionsKind() : base("LearnedPositions", "ArchDsl.Layers.LearnedPositions", LayerCatalog.TokensOnly, null, new[] { "Context" }) { }

    public override LayerCategory Category => LayerCategory.Embedding;
    public override string ParameterFormula => "Context·D";
    public override string Summary => "learned absolute positions added (GPT-2's `wpe`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var c = a.Has("Context") ? a.Int("Context", null) : x[0];
        if (c is null) return null;
        if (c.Value.Value < x[0].Value)
        {
            a.Fail(Rules.BadArgument, c.Value.Origin ?? a.Attr.Span, true, a.Where, $"Context {c.Value.Value} is shorter than the {x[0].Value} positions it is given");
            return null;
        }
        n.OwnParameters = checked(c.Value.Value * x[1].Value);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(c.Value).Add(x[1]);
        return x;
    }
}

/// <summary>RMSNorm over the last axis (Llama): D parameters (a scale, no bias).</summary>
internal sealed class RmsNormKind : LayerKind
{
    public RmsNormKind() : base("RmsNorm", "ArchDsl.Layers.RmsNorm", null, null, new[] { "Eps" }) { }

    public override LayerCategory Category => LayerCategory.Normalization;
    public override bool ActsOnLastAxis => true;
    public override string ParameterFormula => "D";
    public override string Summary => "root-mean-square normalisation of the last axis (Llama's `RMSNorm`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        double eps = a.Real("Eps", 1e-6, 0, 1);
        n.OwnParameters = x.Last.Value;
        n.Recipe = ModuleRecipe.Runtime(Name).Add(x.Last).AddUnless("eps", eps, 1e-6);
        return x;
    }
}

/// <summary>
/// Causal self-attention with H query heads and K key/value heads (grouped-query where K &lt; H), separate or packed
/// projections, optional rotary positions. With head size h = D/H: parameters D·D·2 + 2·D·K·h (+ biases); MACs
/// T·D·(2D + 2K·h) for the projections and 2·T²·D for Q·Kᵀ and A·V, counted in full (see docs/counting.md).
/// </summary>
internal sealed class CausalSelfAttentionKind : LayerKind
{
    public CausalSelfAttentionKind() : base("CausalSelfAttention", "ArchDsl.Layers.CausalSelfAttention", LayerCatalog.TokensOnly,
        new[] { "Heads" }, new[] { "KvHeads", "Bias", "OutBias", "Packed", "Rotary", "Theta", "Dropout" }) { }

    /// <summary>What the judgement reads: heads, key/value heads and head size (the KV cache).</summary>
    public sealed record Spec(Dim Features, Dim Heads, Dim KvHeads);

    public override LayerCategory Category => LayerCategory.Attention;
    public override string ParameterFormula => "2D² + 2·D·K·h (+ D + 2K·h + D biases)";
    public override string MacFormula => "T·D·(2D + 2K·h) + 2·T²·D";
    public override string Summary => "causal self-attention, grouped-query, rotary or not (GPT-2's `c_attn`, Llama's `q_proj`...)";

    public override double ExtraActivationElements(LayerNode n) =>
        n.Spec is Spec s && n.Input.Rank == 2 ? (double)s.Heads.Value * n.Input[0].Value * n.Input[0].Value : 0;

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var heads = a.Int("Heads", null);
        if (heads is null) return null;
        var kv = a.Has("KvHeads") ? a.Int("KvHeads", null) : heads;
        if (kv is null) return null;
        var dim = x[1];
        long d = dim.Value, h = heads.Value.Value, k = kv.Value.Value, t = x[0].Value;
        // A block checked on its own has placeholder sizes: what depends on them is checked in each instance.
        bool placeholders = a.Session.Symbolic && !(dim.Expr.IsConst && heads.Value.Expr.IsConst && kv.Value.Expr.IsConst);
        if (!placeholders && d % h != 0)
        {
            long suggestion = 1;
            for (long c = 1; c <= System.Math.Min(d, 128); c++)
                if (d % c == 0 && System.Math.Abs(c - h) <= System.Math.Abs(suggestion - h)) suggestion = c;
            a.Fail(Rules.HeadsMismatch, heads.Value.Origin ?? a.Attr.Span, true, a.Where, d, h, suggestion);
            return null;
        }
        if (!placeholders && h % k != 0)
        {
            a.Fail(Rules.BadArgument, kv.Value.Origin ?? a.Attr.Span, true, a.Where,
                $"KvHeads {k} does not divide the {h} query heads; each key/value head serves an equal group of query heads");
            return null;
        }
        bool rotary = a.Bool("Rotary", false);
        long headSize = System.Math.Max(1, d / h);
        if (!placeholders && rotary && headSize % 2 != 0)
        {
            a.Fail(Rules.BadArgument, a.Raw("Rotary")?.Span ?? a.Attr.Span, true, a.Where,
                $"rotary positions turn pairs of a head's features, and the head size {d}/{h} = {headSize} is odd");
            return null;
        }
        double theta = a.Real("Theta", 10000.0, 1, 1e12);
        bool bias = a.Bool("Bias", true);
        bool outBias = a.Bool("OutBias", bias);
        bool packed = a.Bool("Packed", false);
        double dropout = a.Real("Dropout", 0.0, 0, 1);
        long kvWidth = checked(k * headSize);
        n.OwnParameters = checked(2 * d * d + 2 * d * kvWidth + (bias ? d + 2 * kvWidth : 0) + (outBias ? d : 0));
        n.OwnMacs = checked(t * d * (2 * d + 2 * kvWidth) + 2 * t * t * d);
        n.Spec = new Spec(dim, heads.Value, kv.Value);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(dim).Add(heads.Value).Add(RecipeArg.Of(kv.Value, "kvHeads"))
            .AddUnless("bias", bias, true).AddUnless("outBias", outBias, bias).AddUnless("packed", packed, false)
            .AddUnless("rotary", rotary, false).AddUnless("theta", rotary ? theta : 10000.0, 10000.0).AddUnless("dropout", dropout, 0.0);
        return x;
    }
}

/// <summary>SwiGLU feed-forward (Llama's MLP): down(silu(gate(x)) · up(x)), 3·D·F parameters without biases.</summary>
internal sealed class SwiGluKind : LayerKind
{
    public SwiGluKind() : base("SwiGlu", "ArchDsl.Layers.SwiGlu", null, new[] { "Hidden" }, new[] { "Bias" }) { }

    public override LayerCategory Category => LayerCategory.Dense;
    public override bool ActsOnLastAxis => true;
    public override string ParameterFormula => "3·D·F (+ 2F + D)";
    public override string MacFormula => "R·3·D·F over R rows";
    public override string Summary => "gated SiLU feed-forward (Llama's `gate_proj`, `up_proj`, `down_proj`)";

    /// <summary>gate_proj and up_proj D→F, down_proj F→D: also each expert of a mixture (and its shared experts).</summary>
    internal static long Parameters(long d, long f, bool bias) => checked(3 * d * f + (bias ? 2 * f + d : 0));

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var f = a.Int("Hidden", null);
        if (f is null) return null;
        bool bias = a.Bool("Bias", false);
        long d = x.Last.Value, fv = f.Value.Value;
        n.OwnParameters = Parameters(d, fv, bias);
        n.OwnMacs = checked(ShapeRules.Rows(x) * 3 * d * fv);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(x.Last).Add(f.Value).AddUnless("bias", bias, false);
        return x;
    }
}

/// <summary>
/// Mixture-of-experts feed-forward (Mixtral's block_sparse_moe): a router (gate, D·E) picks the top k of E SwiGLU
/// experts per token. Parameters D·E + E·3·D·F, of which D·E + k·3·D·F are active per token; MACs per row likewise.
/// </summary>
internal sealed class MixtureOfExpertsKind : LayerKind
{
    public MixtureOfExpertsKind() : base("MixtureOfExperts", "ArchDsl.Layers.MixtureOfExperts", null,
        new[] { "Experts", "TopK", "Hidden" }, new[] { "Router", "Shared" }) { }

    public sealed record Spec(Dim Experts, Dim TopK);

    public override LayerCategory Category => LayerCategory.Dense;
    public override bool ActsOnLastAxis => true;
    public override string ParameterFormula => "D·E + (E + S)·3·D·F (active: D·E + (k + S)·3·D·F), S shared";
    public override string MacFormula => "R·(D·E + (k + S)·3·D·F) over R rows";
    public override string Summary => "top-k routed SwiGLU experts (Mixtral's `block_sparse_moe`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var e = a.Int("Experts", null);
        var k = a.Int("TopK", null);
        var f = a.Int("Hidden", null);
        if (e is null || k is null || f is null) return null;
        if (k.Value.Value > e.Value.Value)
        {
            a.Fail(Rules.BadArgument, k.Value.Origin ?? a.Attr.Span, !(k.Value.Expr.IsConst && e.Value.Expr.IsConst), a.Where,
                $"TopK {k.Value.Value} is more than the {e.Value.Value} experts to choose from");
            return null;
        }
        // Mixtral's router: softmax over all experts, top k, weights renormalised (the same as a softmax over the top
        // k's logits); TopKOfSoftmax keeps the top k probabilities as they are.
        string router = a.Enum("Router") ?? "SoftmaxOfTopK";
        var shared = a.Int("Shared", 0, 0);
        if (shared is null) return null;
        long d = x.Last.Value, ev = e.Value.Value, kv = k.Value.Value, fv = f.Value.Value, sv = shared.Value.Value;
        long expert = SwiGluKind.Parameters(d, fv, bias: false);
        // Shared experts are one SwiGLU of S·F: the same parameters as S experts, used by every token.
        n.OwnParameters = checked(d * ev + (ev + sv) * expert);
        n.OwnActiveParameters = checked(d * ev + (kv + sv) * expert);
        n.OwnMacs = checked(ShapeRules.Rows(x) * (d * ev + (kv + sv) * expert));
        n.Spec = new Spec(e.Value, k.Value);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(x.Last).Add(e.Value).Add(k.Value).Add(f.Value)
            .AddUnless("renormalize", router == "SoftmaxOfTopK", true).AddUnless("shared", shared.Value, 0);
        return x;
    }
}

/// <summary>An output head tied to a token embedding: logits x·Wᵀ with the embedding's weight, no parameters of its own.</summary>
internal sealed class TiedHeadKind : LayerKind
{
    public TiedHeadKind() : base("TiedHead", "ArchDsl.Layers.TiedHead", LayerCatalog.TokensOnly, new[] { "Embedding" }) { }

    public override LayerCategory Category => LayerCategory.Dense;
    public override string MacFormula => "T·D·V";
    public override string Summary => "output head sharing a [TokenEmbedding]'s weight (counted once, as PyTorch's `parameters()`)";

    internal override Shape? Infer(LayerArgs a, LayerNode n, Shape x)
    {
        var name = a.Text("Embedding");
        var span = a.Raw("Embedding")?.Span ?? a.Attr.Span;
        if (name is null)
        {
            if (a.Raw("Embedding") is null) a.Fail(Rules.BadArgument, span, false, a.Where, "[TiedHead] needs the embedding it shares, e.g. nameof(wte)");
            return null;
        }
        LayerNode? target = null;
        foreach (var sibling in a.Earlier)
            if (sibling.Name == name) target = sibling;
        if (target is null || target.Spec is not TokenEmbeddingKind.Spec spec)
        {
            a.Fail(Rules.BadArgument, span, false, a.Where, target is null
                ? $"'{name}' is no layer declared before the head"
                : $"'{name}' is a [{target.Kind}], not a [TokenEmbedding] whose weight the head can share");
            return null;
        }
        if (spec.Width.Value != x.Last.Value)
        {
            a.Fail(Rules.BadArgument, span, true, a.Where,
                $"the head gets {x.Last.Value} features but '{name}' embeds into {spec.Width.Value}: a tied head needs the embedding's shape {spec.Vocabulary.Value}×{spec.Width.Value}");
            return null;
        }
        n.OwnMacs = checked(ShapeRules.Rows(x) * x.Last.Value * spec.Vocabulary.Value);
        n.Recipe = ModuleRecipe.Runtime(Name).Add(RecipeArg.OfMember(name));
        return x.WithLast(spec.Vocabulary);
    }
}
