using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// Llama 3 and Mixtral as Hugging Face's LlamaForCausalLM and MixtralForCausalLM name them: model.embed_tokens,
// model.layers.N.{input_layernorm, self_attn.{q,k,v,o}_proj, post_attention_layernorm, mlp.{gate,up,down}_proj or
// block_sparse_moe.{gate, experts.E.w1, w2, w3}}, model.norm, lm_head (untied). Rotary positions rotate the two halves
// of each head as Hugging Face's checkpoints expect (Meta's original ones interleave pairs; the conversion permutes
// q_proj and k_proj).

/// <summary>A Llama 3 decoder layer: RMSNorm, grouped-query attention with rotary θ 500000, RMSNorm, SwiGLU.</summary>
[Block(Layout.Tokens)]
public partial class Llama3DecoderLayer
{
    [RmsNorm(Eps = 1e-5)] RmsNorm input_layernorm;
    [CausalSelfAttention("heads", Bias = false, Rotary = true, Theta = 500000, With = "kvHeads = kv"), Residual(From = nameof(input_layernorm))] CausalSelfAttention self_attn;
    [RmsNorm(Eps = 1e-5)] RmsNorm post_attention_layernorm;
    [SwiGlu("hidden"), Residual(From = nameof(post_attention_layernorm))] SwiGlu mlp;
}

/// <summary>Llama-3-8B: vocabulary 128256, width 4096, 32 layers, 32 query and 8 key/value heads, SwiGLU 14336, context 8192.</summary>
[Model, Input(8192)]
[TrainingPlan(Tokens = 15e12)]
public partial class Llama3_8B
{
    [TokenEmbedding(128256, 4096, Key = "model.embed_tokens")] Embedding embed_tokens;
    [Stage(typeof(Llama3DecoderLayer), 32, "heads = 32, kv = 8, hidden = 14336", Key = "model.layers.{i}")] Sequential layers;
    [RmsNorm(Eps = 1e-5, Key = "model.norm")] RmsNorm norm;
    [Linear(128256, Bias = false)] Linear lm_head;
}

/// <summary>A Mixtral decoder layer: RMSNorm, grouped-query attention with rotary θ 1000000, RMSNorm, 8 experts top-2.</summary>
[Block(Layout.Tokens)]
public partial class MixtralDecoderLayer
{
    [RmsNorm(Eps = 1e-5)] RmsNorm input_layernorm;
    [CausalSelfAttention("heads", Bias = false, Rotary = true, Theta = 1000000, With = "kvHeads = kv"), Residual(From = nameof(input_layernorm))] CausalSelfAttention self_attn;
    [RmsNorm(Eps = 1e-5)] RmsNorm post_attention_layernorm;
    [MixtureOfExperts(8, 2, 16384), Residual(From = nameof(post_attention_layernorm))] MixtureOfExperts block_sparse_moe;
}

/// <summary>Mixtral-8x22B: vocabulary 32768, width 6144, 56 layers, 48 query and 8 key/value heads, 8 experts of
/// hidden 16384 with 2 per token, context 65536.</summary>
[Model, Input(65536)]
public partial class Mixtral8x22B
{
    [TokenEmbedding(32768, 6144, Key = "model.embed_tokens")] Embedding embed_tokens;
    [Stage(typeof(MixtralDecoderLayer), 56, "heads = 48, kv = 8", Key = "model.layers.{i}")] Sequential layers;
    [RmsNorm(Eps = 1e-5, Key = "model.norm")] RmsNorm norm;
    [Linear(32768, Bias = false)] Linear lm_head;
}
