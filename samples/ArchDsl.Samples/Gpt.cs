using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// GPT-2 and GPT-3 as Hugging Face's GPT2LMHeadModel names them: transformer.wte, transformer.wpe,
// transformer.h.N.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj}, transformer.ln_f, and a head tied to wte.
// Hugging Face stores c_attn, c_proj and c_fc as Conv1D (weight in×out); these are nn.Linear (out×in): transpose
// those four weights when loading a Hugging Face checkpoint. The tied head registers nothing: wte's weight is counted
// and saved once, as in the published GPT-2 checkpoint. GPT-3's alternating locally banded sparse attention changes
// no count and is not modelled (every layer attends densely).

/// <summary>GPT-2's MLP: c_fc to four times the width, GELU with the tanh approximation, c_proj back.</summary>
[Block(Layout.Tokens)]
public partial class GptMlp
{
    [Linear("4 * inFeatures", Activation = Act.GELUTanh)] Linear c_fc;
    [Linear("inFeatures")] Linear c_proj;
}

/// <summary>A pre-norm GPT-2 block: attention and MLP, each with a residual.</summary>
[Block(Layout.Tokens)]
public partial class GptBlock
{
    [LayerNorm] LayerNorm ln_1;
    [CausalSelfAttention("heads", Packed = true), Residual(From = nameof(ln_1))] CausalSelfAttention attn;
    [LayerNorm] LayerNorm ln_2;
    [Use(typeof(GptMlp)), Residual(From = nameof(ln_2))] GptMlp mlp;
}

/// <summary>GPT-2 small: 12 layers, width 768, 12 heads, context 1024, vocabulary 50257, tied head.</summary>
[Model, Input(1024)]
public partial class Gpt2Small
{
    [TokenEmbedding(50257, 768, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 12, "heads = 12", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}
