using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// The GPT-3 family of Brown et al. (2020), Table 2.1: context 2048, vocabulary 50257, learned positions, tied head,
// the GPT-2 block (GptBlock). The 13B row has width 5120: the table's 5140 is not divisible by its 40 heads. XL has
// 16 heads of the table's head size 128: its 24 heads do not divide the width 2048 (the head count changes no count).

/// <summary>GPT-3 Small: 12 layers, width 768, 12 heads.</summary>
[Model, Input(2048)]
public partial class Gpt3Small
{
    [TokenEmbedding(50257, 768, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 12, "heads = 12", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}

/// <summary>GPT-3 Medium: 24 layers, width 1024, 16 heads.</summary>
[Model, Input(2048)]
public partial class Gpt3Medium
{
    [TokenEmbedding(50257, 1024, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 24, "heads = 16", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}

/// <summary>GPT-3 Large: 24 layers, width 1536, 16 heads.</summary>
[Model, Input(2048)]
public partial class Gpt3Large
{
    [TokenEmbedding(50257, 1536, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 24, "heads = 16", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}

/// <summary>GPT-3 XL: 24 layers, width 2048, 16 heads.</summary>
[Model, Input(2048)]
public partial class Gpt3XL
{
    [TokenEmbedding(50257, 2048, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 24, "heads = 16", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}

/// <summary>GPT-3 2.7B: 32 layers, width 2560, 32 heads.</summary>
[Model, Input(2048)]
public partial class Gpt3_2_7B
{
    [TokenEmbedding(50257, 2560, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 32, "heads = 32", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}

/// <summary>GPT-3 6.7B: 32 layers, width 4096, 32 heads.</summary>
[Model, Input(2048)]
public partial class Gpt3_6_7B
{
    [TokenEmbedding(50257, 4096, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 32, "heads = 32", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}

/// <summary>GPT-3 13B: 40 layers, width 5120, 40 heads.</summary>
[Model, Input(2048)]
public partial class Gpt3_13B
{
    [TokenEmbedding(50257, 5120, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 40, "heads = 40", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}

/// <summary>GPT-3 175B: 96 layers, width 12288, 96 heads, trained on 300 B tokens.</summary>
[Model, Input(2048)]
[TrainingPlan(Tokens = 300e9)]
public partial class Gpt3_175B
{
    [TokenEmbedding(50257, 12288, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(GptBlock), 96, "heads = 96", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}
