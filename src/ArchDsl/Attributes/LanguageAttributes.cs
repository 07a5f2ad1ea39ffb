namespace ArchDsl;

// Decoder-only language models. The model's input is its context, [Input(T)]: T token ids per sequence, given to the
// generated forward as a Long tensor B×T; a [TokenEmbedding] first layer turns them into T×D tokens.

/// <summary>How a mixture-of-experts router weights the experts it picks.</summary>
public enum ExpertRouting
{
    /// <summary>Softmax over all experts, the top k kept and renormalised to sum to 1 (Mixtral; the same as a softmax over the top k logits).</summary>
    SoftmaxOfTopK,
    /// <summary>Softmax over all experts, the top k kept as they are (Qwen-MoE, DeepSeek without normalisation).</summary>
    TopKOfSoftmax,
}

/// <summary>Token ids to vectors (nn.Embedding, <c>weight</c> V×D): the first layer of a language model, V·D parameters.</summary>
public sealed class TokenEmbeddingAttribute : LayerAttribute
{
    /// <param name="vocabulary">Number of token ids V (at least 2).</param>
    /// <param name="width">Width D of the vectors.</param>
    public TokenEmbeddingAttribute(int vocabulary, int width)
    {
        Vocabulary = vocabulary;
        Width = width;
    }
    /// <summary>Number of token ids.</summary>
    public int Vocabulary { get; }
    /// <summary>Width of the vectors.</summary>
    public int Width { get; }
}

/// <summary>Learned absolute positions added to the tokens (GPT-2's wpe, <c>weight</c> Context×D).</summary>
public sealed class LearnedPositionsAttribute : LayerAttribute
{
    /// <summary>Positions it has weights for (default: the declared context).</summary>
    public int Context { get; set; }
}

/// <summary>RMSNorm over the last axis (Llama): x / sqrt(mean(x²) + eps) · weight, D parameters.</summary>
public sealed class RmsNormAttribute : LayerAttribute
{
    /// <summary>Added to the mean square (default 1e-6; Llama 3 and Mixtral use 1e-5).</summary>
    public double Eps { get; set; }
}

/// <summary>
/// Causal self-attention through scaled_dot_product_attention: each position attends to itself and earlier ones.
/// Separate projections q_proj, k_proj, v_proj, o_proj (Llama), or packed c_attn and c_proj (GPT-2, <see cref="Packed"/>).
/// </summary>
public sealed class CausalSelfAttentionAttribute : LayerAttribute
{
    /// <param name="heads">Query heads; must divide the width.</param>
    public CausalSelfAttentionAttribute(int heads) => Heads = heads;
    /// <param name="heads">Query heads as an expression over block parameters.</param>
    public CausalSelfAttentionAttribute(string heads) => HeadsExpression = heads;
    /// <summary>Query heads.</summary>
    public int Heads { get; }
    /// <summary>Query heads as an expression.</summary>
    public string? HeadsExpression { get; }
    /// <summary>Key/value heads (default: as many as query heads); fewer is grouped-query attention, and they must divide the query heads.</summary>
    public int KvHeads { get; set; }
    /// <summary>Biases on the query, key and value projections (default true).</summary>
    public bool Bias { get; set; }
    /// <summary>Bias on the output projection (default: as <see cref="Bias"/>).</summary>
    public bool OutBias { get; set; }
    /// <summary>One packed projection c_attn (q, k, v in that order) and c_proj, as GPT-2 names them (default false).</summary>
    public bool Packed { get; set; }
    /// <summary>Rotary positions on queries and keys (default false); the head size must be even.</summary>
    public bool Rotary { get; set; }
    /// <summary>Rotary base θ (default 10000; Llama 3 uses 500000).</summary>
    public double Theta { get; set; }
    /// <summary>Attention dropout while training (default 0).</summary>
    public double Dropout { get; set; }
}

/// <summary>SwiGLU feed-forward (Llama's MLP): down_proj(silu(gate_proj(x)) · up_proj(x)), 3·D·F parameters.</summary>
public sealed class SwiGluAttribute : LayerAttribute
{
    /// <param name="hidden">Hidden width F.</param>
    public SwiGluAttribute(int hidden) => Hidden = hidden;
    /// <param name="hidden">Hidden width as an expression over block parameters.</param>
    public SwiGluAttribute(string hidden) => HiddenExpression = hidden;
    /// <summary>Hidden width.</summary>
    public int Hidden { get; }
    /// <summary>Hidden width as an expression.</summary>
    public string? HiddenExpression { get; }
    /// <summary>Biases on the three projections (default false).</summary>
    public bool Bias { get; set; }
}

/// <summary>
/// Mixture-of-experts feed-forward (Mixtral's block_sparse_moe): a router <c>gate</c> (D→E, no bias) picks the top k
/// of E SwiGLU experts <c>experts.E.w1</c> (gate), <c>w3</c> (up), <c>w2</c> (down) for each token.
/// </summary>
public sealed class MixtureOfExpertsAttribute : LayerAttribute
{
    /// <param name="experts">Number of experts E.</param>
    /// <param name="topK">Experts per token k, 1 ≤ k ≤ E.</param>
    /// <param name="hidden">Hidden width F of each expert.</param>
    public MixtureOfExpertsAttribute(int experts, int topK, int hidden)
    {
        Experts = experts;
        TopK = topK;
        Hidden = hidden;
    }
    /// <summary>Number of experts.</summary>
    public int Experts { get; }
    /// <summary>Experts per token.</summary>
    public int TopK { get; }
    /// <summary>Hidden width of each expert.</summary>
    public int Hidden { get; }
    /// <summary>How the chosen experts are weighted (default <see cref="ExpertRouting.SoftmaxOfTopK"/>, Mixtral's).</summary>
    public ExpertRouting Router { get; set; }
    /// <summary>
    /// Shared experts every token uses besides the routed ones (DeepSeekMoE's): one SwiGLU of <c>Shared · hidden</c>
    /// named <c>shared_experts</c> (gate_proj, up_proj, down_proj), added to the routed output. Default 0.
    /// </summary>
    public int Shared { get; set; }
}

/// <summary>An output head that shares a [TokenEmbedding]'s weight (logits = x·Wᵀ): no parameters of its own.</summary>
public sealed class TiedHeadAttribute : LayerAttribute
{
    /// <param name="embedding">The embedding field, declared earlier in the same class: nameof(wte).</param>
    public TiedHeadAttribute(string embedding) => Embedding = embedding;
    /// <summary>The embedding field's name.</summary>
    public string Embedding { get; }
}
