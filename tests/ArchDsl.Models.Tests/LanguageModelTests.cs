using System;
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Layers;
using ArchDsl.Samples;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

// Small decoders declared for these tests. Blocks are read from the compilation that declares the model, so the
// samples' GPT-2 and Llama blocks are declared again here, as written there.

/// <summary>GPT-2's MLP.</summary>
[Block(Layout.Tokens)]
public partial class TinyGptMlp
{
    [Linear("4 * inFeatures", Activation = Act.GELUTanh)] Linear c_fc;
    [Linear("inFeatures")] Linear c_proj;
}

/// <summary>GPT-2's block.</summary>
[Block(Layout.Tokens)]
public partial class TinyGptBlock
{
    [LayerNorm] LayerNorm ln_1;
    [CausalSelfAttention("heads", Packed = true), Residual(From = nameof(ln_1))] CausalSelfAttention attn;
    [LayerNorm] LayerNorm ln_2;
    [Use(typeof(TinyGptMlp)), Residual(From = nameof(ln_2))] TinyGptMlp mlp;
}

/// <summary>Llama 3's decoder layer.</summary>
[Block(Layout.Tokens)]
public partial class TinyLlamaLayer
{
    [RmsNorm(Eps = 1e-5)] RmsNorm input_layernorm;
    [CausalSelfAttention("heads", Bias = false, Rotary = true, Theta = 500000, With = "kvHeads = kv"), Residual(From = nameof(input_layernorm))] CausalSelfAttention self_attn;
    [RmsNorm(Eps = 1e-5)] RmsNorm post_attention_layernorm;
    [SwiGlu("hidden"), Residual(From = nameof(post_attention_layernorm))] SwiGlu mlp;
}

/// <summary>A small GPT: 2 layers, width 64, 4 heads, context 32, vocabulary 16, tied head.</summary>
[Model, Input(32)]
public partial class TinyGpt
{
    [TokenEmbedding(16, 64, Key = "transformer.wte")] Embedding wte;
    [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
    [Stage(typeof(TinyGptBlock), 2, "heads = 4", Key = "transformer.h.{i}")] Sequential h;
    [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
    [TiedHead(nameof(wte))] TiedHead lm_head;
}

/// <summary>A small Llama: rotary θ 500000, 4 query and 2 key/value heads of size 8, SwiGLU 64, untied.</summary>
[Model, Input(16)]
public partial class TinyLlama
{
    [TokenEmbedding(20, 32, Key = "model.embed_tokens")] Embedding embed_tokens;
    [Stage(typeof(TinyLlamaLayer), 2, "heads = 4, kv = 2, hidden = 64", Key = "model.layers.{i}")] Sequential layers;
    [RmsNorm(Eps = 1e-5, Key = "model.norm")] RmsNorm norm;
    [Linear(20, Bias = false)] Linear lm_head;
}

/// <summary>A Mixtral-style layer with 4 experts, top-2.</summary>
[Block(Layout.Tokens)]
public partial class TinyMoeLayer
{
    [RmsNorm(Eps = 1e-5)] RmsNorm input_layernorm;
    [CausalSelfAttention(4, KvHeads = 2, Bias = false, Rotary = true), Residual(From = nameof(input_layernorm))] CausalSelfAttention self_attn;
    [RmsNorm(Eps = 1e-5)] RmsNorm post_attention_layernorm;
    [MixtureOfExperts(4, 2, 48), Residual(From = nameof(post_attention_layernorm))] MixtureOfExperts block_sparse_moe;
}

/// <summary>A small mixture-of-experts decoder: width 32, 2 layers of 4 experts (top-2), vocabulary 24, context 16.</summary>
[Model, Input(16)]
public partial class TinyMoe
{
    [TokenEmbedding(24, 32, Key = "model.embed_tokens")] Embedding embed_tokens;
    [Stage(typeof(TinyMoeLayer), 2, Key = "model.layers.{i}")] Sequential layers;
    [RmsNorm(Eps = 1e-5, Key = "model.norm")] RmsNorm norm;
    [Linear(24, Bias = false)] Linear lm_head;
}

/// <summary>Routed experts with two shared ones (DeepSeekMoE): embedding, mixture, head.</summary>
[Model, Input(8)]
public partial class TinySharedMoe
{
    [TokenEmbedding(24, 16)] Embedding embed_tokens;
    [MixtureOfExperts(4, 2, 24, Shared = 2)] MixtureOfExperts mlp;
    [Linear(24, Bias = false)] Linear lm_head;
}

/// <summary>Decoder-only language models: counts against hand formulas, layouts, and behaviour against references written here.</summary>
public class LanguageModelTests
{
    // GPT-2/GPT-3 with the tied head: per layer 2 LayerNorms (4D), c_attn (3D² + 3D), c_proj (D² + D), c_fc (4D² + 4D),
    // mlp c_proj (4D² + D): 12D² + 13D; plus wte V·D, wpe T·D, ln_f 2D.
    private static long Gpt(long layers, long width, long context, long vocabulary = 50257) =>
        layers * (12 * width * width + 13 * width) + vocabulary * width + context * width + 2 * width;

    // Llama/Mixtral, no biases: per layer q and o (2D²), k and v (2·D·K·h), two RMSNorms (2D), the feed-forward;
    // plus embed_tokens and an untied lm_head (2·V·D) and the final norm (D).
    private static long Decoder(long layers, long width, long heads, long kvHeads, long feedForward, long vocabulary)
    {
        long kvWidth = kvHeads * (width / heads);
        return layers * (2 * width * width + 2 * width * kvWidth + 2 * width + feedForward) + 2 * vocabulary * width + width;
    }

    [Fact]
    public void Gpt2_small_has_124_439_808_parameters()
    {
        Assert.Equal(124_439_808L, Gpt(12, 768, 1024));
        Assert.Equal(124_439_808L, Gpt2Small.ParameterCount);
        Assert.Equal(Gpt2Small.ParameterCount, Gpt2Small.ActiveParameterCount);
    }

    [Fact]
    public void The_gpt3_family_of_table_2_1_counts_exactly()
    {
        var expected = new (long Count, long Formula, long Actual)[]
        {
            (125_226_240L, Gpt(12, 768, 2048), Gpt3Small.ParameterCount),
            (355_871_744L, Gpt(24, 1024, 2048), Gpt3Medium.ParameterCount),
            (760_300_032L, Gpt(24, 1536, 2048), Gpt3Large.ParameterCount),
            (1_315_723_264L, Gpt(24, 2048, 2048), Gpt3XL.ParameterCount),
            (2_651_553_280L, Gpt(32, 2560, 2048), Gpt3_2_7B.ParameterCount),
            (6_658_404_352L, Gpt(32, 4096, 2048), Gpt3_6_7B.ParameterCount),
            (12_853_386_240L, Gpt(40, 5120, 2048), Gpt3_13B.ParameterCount),
            (174_604_259_328L, Gpt(96, 12288, 2048), Gpt3_175B.ParameterCount),
        };
        foreach (var (count, formula, actual) in expected)
        {
            Assert.Equal(count, formula);
            Assert.Equal(count, actual);
        }
        // 6·N·D with the paper's 300 B tokens: within 2 % of its 3.14e23 FLOPs.
        double flop = 6.0 * Gpt3_175B.ActiveParameterCount * 300e9;
        Assert.InRange(flop / 3.14e23, 0.98, 1.02);
    }

    [Fact]
    public void Llama3_8b_has_8_030_261_248_parameters()
    {
        long formula = Decoder(32, 4096, 32, 8, 3L * 4096 * 14336, 128256);
        Assert.Equal(8_030_261_248L, formula);
        Assert.Equal(Llama3_8B.ParameterCount, formula);
        Assert.Equal(Llama3_8B.ActiveParameterCount, formula);
    }

    [Fact]
    public void Mixtral_8x22b_counts_total_and_active_parameters()
    {
        long expert = 3L * 6144 * 16384, router = 6144L * 8;
        long total = Decoder(56, 6144, 48, 8, router + 8 * expert, 32768);
        long active = Decoder(56, 6144, 48, 8, router + 2 * expert, 32768);
        Assert.Equal(140_630_071_296L, total);
        Assert.Equal(39_161_468_928L, active);
        Assert.Equal(Mixtral8x22B.ParameterCount, total);
        Assert.Equal(Mixtral8x22B.ActiveParameterCount, active);
    }

    [Fact]
    public void Macs_count_projections_and_both_attention_matmuls_in_full()
    {
        // TinyGpt at T = 32, D = 64, V = 16: per layer 12·T·D² (projections and MLP) + 2·T²·D (Q·Kᵀ and A·V);
        // the tied head T·D·V.
        const long t = 32, d = 64, v = 16;
        Assert.Equal(TinyGpt.Macs, 2 * (12 * t * d * d + 2 * t * t * d) + t * d * v);
        Assert.Equal(TinyGpt.MacsPerToken, 2 * (12 * d * d + 2 * t * d) + d * v);
        // TinyMoe at T = 16, D = 32, K·h = 16, k = 2 of 4 experts of 48: attention T·D·(2D + 2·16) + 2·T²·D, router
        // T·D·4, the two chosen experts T·2·3·D·48, the head T·D·24.
        const long tm = 16, dm = 32;
        long layer = tm * dm * (2 * dm + 2 * 16) + 2 * tm * tm * dm + tm * dm * 4 + tm * 2 * 3 * dm * 48;
        Assert.Equal(TinyMoe.Macs, 2 * layer + tm * dm * 24);
    }

    [Fact]
    public void Gpt2_state_dict_uses_hugging_face_names_and_the_tied_weight_once()
    {
        using var model = new Gpt2Small();
        var sd = model.state_dict();
        var expected = new Dictionary<string, long[]>
        {
            ["transformer.wte.weight"] = new long[] { 50257, 768 },
            ["transformer.wpe.weight"] = new long[] { 1024, 768 },
            ["transformer.h.0.ln_1.weight"] = new long[] { 768 },
            ["transformer.h.0.attn.c_attn.weight"] = new long[] { 2304, 768 },
            ["transformer.h.0.attn.c_attn.bias"] = new long[] { 2304 },
            ["transformer.h.0.attn.c_proj.weight"] = new long[] { 768, 768 },
            ["transformer.h.11.mlp.c_fc.weight"] = new long[] { 3072, 768 },
            ["transformer.h.11.mlp.c_proj.weight"] = new long[] { 768, 3072 },
            ["transformer.ln_f.bias"] = new long[] { 768 },
        };
        foreach (var kv in expected)
        {
            Assert.True(sd.ContainsKey(kv.Key), $"missing {kv.Key}");
            Assert.Equal(kv.Value, sd[kv.Key].shape);
        }
        // 2 embeddings, 12 per layer (2 LayerNorms, 4 linear layers, each weight and bias), ln_f; no lm_head key.
        Assert.Equal(2 + 12 * 12 + 2, sd.Count);
        Assert.DoesNotContain(sd.Keys, k => k.StartsWith("lm_head", StringComparison.Ordinal));
        Assert.Equal(Gpt2Small.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Llama_and_mixtral_state_dicts_use_hugging_face_names()
    {
        using var llama = new TinyLlama();
        var sd = llama.state_dict();
        foreach (var (key, shape) in new (string, long[])[]
        {
            ("model.embed_tokens.weight", new long[] { 20, 32 }),
            ("model.layers.0.input_layernorm.weight", new long[] { 32 }),
            ("model.layers.0.self_attn.q_proj.weight", new long[] { 32, 32 }),
            ("model.layers.0.self_attn.k_proj.weight", new long[] { 16, 32 }),
            ("model.layers.0.self_attn.v_proj.weight", new long[] { 16, 32 }),
            ("model.layers.0.self_attn.o_proj.weight", new long[] { 32, 32 }),
            ("model.layers.1.post_attention_layernorm.weight", new long[] { 32 }),
            ("model.layers.1.mlp.gate_proj.weight", new long[] { 64, 32 }),
            ("model.layers.1.mlp.up_proj.weight", new long[] { 64, 32 }),
            ("model.layers.1.mlp.down_proj.weight", new long[] { 32, 64 }),
            ("model.norm.weight", new long[] { 32 }),
            ("lm_head.weight", new long[] { 20, 32 }),
        })
            Assert.Equal(shape, sd[key].shape);
        Assert.Equal(1 + 2 * 9 + 2, sd.Count);
        Assert.Equal(TinyLlama.ParameterCount, llama.parameters().Sum(p => p.numel()));

        using var moe = new TinyMoe();
        var msd = moe.state_dict();
        Assert.Equal(new long[] { 4, 32 }, msd["model.layers.0.block_sparse_moe.gate.weight"].shape);
        for (int e = 0; e < 4; e++)
        {
            Assert.Equal(new long[] { 48, 32 }, msd[$"model.layers.1.block_sparse_moe.experts.{e}.w1.weight"].shape);
            Assert.Equal(new long[] { 32, 48 }, msd[$"model.layers.1.block_sparse_moe.experts.{e}.w2.weight"].shape);
            Assert.Equal(new long[] { 48, 32 }, msd[$"model.layers.1.block_sparse_moe.experts.{e}.w3.weight"].shape);
        }
        Assert.Equal(1 + 2 * (2 + 4 + 1 + 4 * 3) + 2, msd.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Mixture_of_experts_equals_a_dense_reference_over_every_expert(bool renormalize)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        const long features = 16, hidden = 24, experts = 4;
        using var moe = new MixtureOfExperts(features, experts, 2, hidden, renormalize);
        var p = moe.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        var x = randn(3, 7, features);
        var output = moe.call(x);

        // Every expert on every token; each token combines its two best experts, weighted by a softmax over their two
        // router logits (which is what Mixtral's softmax-over-all, top-2, renormalise amounts to).
        var logits = matmul(x, p["gate.weight"].t());
        var best = logits.topk(2, -1).indexes;
        var reference = zeros_like(x);
        // Renormalised: a softmax over the two chosen logits; else the chosen experts' probabilities among all four.
        var weights = renormalize ? logits.gather(-1, best).softmax(-1) : logits.softmax(-1).gather(-1, best);
        for (int e = 0; e < experts; e++)
        {
            var h = nn.functional.silu(matmul(x, p[$"experts.{e}.w1.weight"].t())) * matmul(x, p[$"experts.{e}.w3.weight"].t());
            var y = matmul(h, p[$"experts.{e}.w2.weight"].t());
            var weight = (weights * (best == e).to_type(ScalarType.Float32)).sum(-1, keepdim: true);
            reference = reference + weight * y;
        }
        Assert.True(output.allclose(reference, rtol: 0, atol: 1e-5), $"max difference {(output - reference).abs().max().item<float>()}");
        // Every expert was chosen by some token, so the test covers them all.
        for (int e = 0; e < experts; e++) Assert.True((best == e).any().item<bool>(), $"expert {e} never chosen");
    }

    [Fact]
    public void A_small_mixture_of_experts_decoder_runs_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new TinyMoe();
        Assert.Equal(TinyMoe.ParameterCount, model.parameters().Sum(q => q.numel()));
        Assert.True(TinyMoe.ActiveParameterCount < TinyMoe.ParameterCount);
        var tokens = randint(0, 24, new long[] { 4, 16 }, ScalarType.Int64);
        var logits = model.call(tokens);
        Assert.Equal(new long[] { 4, 16, 24 }, logits.shape);
        var loss = nn.functional.cross_entropy(logits.reshape(-1, 24), tokens.reshape(-1));
        loss.backward();
        foreach (var (name, q) in model.named_parameters())
            Assert.True(q.grad is not null && q.grad.abs().sum().item<float>() > 0, $"{name} got no gradient");
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("llama")]
    [InlineData("moe")]
    public void Outputs_do_not_depend_on_later_tokens(string which)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using nn.Module<Tensor, Tensor> model = which switch { "gpt" => new TinyGpt(), "llama" => new TinyLlama(), _ => new TinyMoe() };
        model.eval();
        long vocabulary = which switch { "gpt" => 16, "llama" => 20, _ => 24 };
        var tokens = randint(0, vocabulary, new long[] { 2, 12 }, ScalarType.Int64);
        using var noGrad = no_grad();
        var before = model.call(tokens);
        for (int t = 0; t < 11; t++)
        {
            var changed = tokens.clone();
            changed[.., (t + 1)..] = (changed[.., (t + 1)..] + 1) % vocabulary;
            var after = model.call(changed);
            Assert.True(after[.., ..(t + 1)].allclose(before[.., ..(t + 1)], rtol: 0, atol: 1e-5), $"position ≤ {t} changed");
            Assert.False(after[.., (t + 1)..].allclose(before[.., (t + 1)..], rtol: 0, atol: 1e-5), $"positions after {t} did not change");
        }
    }

    [Fact]
    public void Grouped_query_attention_equals_multi_head_attention_with_repeated_key_value_weights()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        const long width = 32, heads = 4, kvHeads = 2, size = 8;
        using var grouped = new CausalSelfAttention(width, heads, kvHeads, bias: true, rotary: true);
        using var full = new CausalSelfAttention(width, heads, heads, bias: true, rotary: true);
        var g = grouped.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        var f = full.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        using (no_grad())
        {
            foreach (var name in new[] { "q_proj", "o_proj" })
            {
                f[name + ".weight"].copy_(g[name + ".weight"]);
                f[name + ".bias"].copy_(g[name + ".bias"]);
            }
            // Key/value head j serves query heads 2j and 2j + 1: its rows appear twice, in place.
            foreach (var name in new[] { "k_proj", "v_proj" })
            {
                f[name + ".weight"].copy_(g[name + ".weight"].view(kvHeads, size, width).repeat_interleave(heads / kvHeads, 0).reshape(heads * size, width));
                f[name + ".bias"].copy_(g[name + ".bias"].view(kvHeads, size).repeat_interleave(heads / kvHeads, 0).reshape(heads * size));
            }
        }
        var x = randn(2, 9, width);
        var a = grouped.call(x);
        var b = full.call(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 1e-5), $"max difference {(a - b).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Rotary_attention_equals_a_hand_written_reference(bool rotary)
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        const int width = 16, heads = 2, size = 8, tokens = 6;
        const double theta = 500000;
        using var attention = new CausalSelfAttention(width, heads, heads, bias: false, rotary: rotary, theta: theta);
        attention.to(ScalarType.Float64);
        var p = attention.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        var x = randn(1, tokens, width, ScalarType.Float64);
        var output = attention.call(x)[0];

        double[,] Project(string name)
        {
            var y = matmul(x[0], p[name].t());
            var r = new double[tokens, width];
            for (int t = 0; t < tokens; t++) for (int i = 0; i < width; i++) r[t, i] = y[t, i].item<double>();
            return r;
        }
        var q = Project("q_proj.weight");
        var k = Project("k_proj.weight");
        var v = Project("v_proj.weight");
        // Rotate each head's feature i with feature i + size/2 by the angle t·θ^(-2i/size) (Hugging Face's Llama).
        void Rotate(double[,] m)
        {
            for (int t = 0; t < tokens; t++)
                for (int hd = 0; hd < heads; hd++)
                    for (int i = 0; i < size / 2; i++)
                    {
                        double angle = t * Math.Pow(theta, -2.0 * i / size);
                        int a = hd * size + i, b = a + size / 2;
                        double x1 = m[t, a], x2 = m[t, b];
                        m[t, a] = x1 * Math.Cos(angle) - x2 * Math.Sin(angle);
                        m[t, b] = x2 * Math.Cos(angle) + x1 * Math.Sin(angle);
                    }
        }
        if (rotary)
        {
            Rotate(q);
            Rotate(k);
        }
        var merged = new double[tokens * width];
        for (int hd = 0; hd < heads; hd++)
            for (int t = 0; t < tokens; t++)
            {
                // Softmax over positions 0..t of q·k/√size.
                var scores = new double[t + 1];
                for (int s = 0; s <= t; s++)
                {
                    double dot = 0;
                    for (int i = 0; i < size; i++) dot += q[t, hd * size + i] * k[s, hd * size + i];
                    scores[s] = dot / Math.Sqrt(size);
                }
                double max = scores.Max(), sum = scores.Sum(s => Math.Exp(s - max));
                for (int i = 0; i < size; i++)
                {
                    double acc = 0;
                    for (int s = 0; s <= t; s++) acc += Math.Exp(scores[s] - max) / sum * v[s, hd * size + i];
                    merged[t * width + hd * size + i] = acc;
                }
            }
        var reference = matmul(tensor(merged, new long[] { tokens, width }), p["o_proj.weight"].t());
        Assert.True(output.allclose(reference, rtol: 0, atol: 1e-9), $"max difference {(output - reference).abs().max().item<double>()}");
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("llama")]
    [InlineData("moe")]
    public void Greedy_generation_with_the_kv_cache_equals_recomputing_the_sequence(string which)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using nn.Module<Tensor, Tensor> model = which switch { "gpt" => new TinyGpt(), "llama" => new TinyLlama(), _ => new TinyMoe() };
        model.eval();
        long vocabulary = which switch { "gpt" => 16, "llama" => 20, _ => 24 };
        var prompt = randint(0, vocabulary, new long[] { 3, 4 }, ScalarType.Int64);
        var cached = Generation.Generate(model, prompt, 12, useCache: true);
        var recomputed = Generation.Generate(model, prompt, 12, useCache: false);
        Assert.Equal(new long[] { 3, 16 }, cached.shape);
        Assert.True(cached.eq(recomputed).all().item<bool>(), $"{cached.str()} vs {recomputed.str()}");
        Assert.True(cached[.., ..4].eq(prompt).all().item<bool>());
        // Top-1 sampling is greedy, at any temperature; samples from the top 3 are among the 3 likeliest tokens.
        var top1 = Generation.Generate(model, prompt, 12, temperature: 0.7, topK: 1);
        Assert.True(top1.eq(cached).all().item<bool>());
        var sampled = Generation.Generate(model, prompt, 1, temperature: 1.0, topK: 3, generator: new Generator(1));
        using (no_grad())
        {
            var likeliest = model.call(prompt).select(1, 3).topk(3, -1).indexes;
            Assert.True((likeliest == sampled[.., 4..5]).any(-1).all().item<bool>());
        }
    }

    [Fact]
    public void A_small_gpt_learns_a_sequence_and_generates_it()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        // A cycle through all 16 tokens in a fixed shuffled order: each token determines the next.
        long[] cycle = { 3, 11, 7, 0, 14, 5, 9, 1, 12, 6, 15, 2, 8, 13, 4, 10 };
        var stream = Enumerable.Range(0, 200).Select(i => cycle[i % 16]).ToArray();
        using var model = new TinyGpt();
        using var optimizer = optim.Adam(model.parameters(), 3e-3);
        var random = new Random(2);
        float first = 0, last = 0;
        for (int step = 0; step < 150; step++)
        {
            using var stepScope = NewDisposeScope();
            var rows = Enumerable.Range(0, 8).Select(_ => random.Next(0, 200 - 33)).ToArray();
            var batch = tensor(rows.SelectMany(r => stream.Skip(r).Take(33)).ToArray(), new long[] { 8, 33 });
            var logits = model.call(batch[.., ..32]);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, 16), batch[.., 1..].reshape(-1));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first / 20, $"loss {first} → {last}");
        model.eval();
        var prompt = tensor(new long[] { 6, 15, 2 }, new long[] { 1, 3 });
        var generated = Generation.Generate(model, prompt, 29);
        var expected = Enumerable.Range(9, 32).Select(i => cycle[i % 16]).ToArray();
        Assert.Equal(expected, generated[0].data<long>().ToArray());
    }

    [Fact]
    public void Shared_experts_count_for_every_token_and_add_to_the_routed_output()
    {
        // By hand: embedding 24·16, router 16·4, four routed and two shared SwiGLU experts of 3·16·24 each, head 16·24;
        // a token uses the router, its top 2 and both shared experts.
        const long expert = 3 * 16 * 24;
        long total = TinySharedMoe.ParameterCount, active = TinySharedMoe.ActiveParameterCount;
        Assert.Equal(24 * 16 + 16 * 4 + (4 + 2) * expert + 16 * 24, total);
        Assert.Equal(24 * 16 + 16 * 4 + (2 + 2) * expert + 16 * 24, active);
        using (var model = new TinySharedMoe()) Assert.Equal(total, model.parameters().Sum(q => q.numel()));

        using var scope = NewDisposeScope();
        manual_seed(9);
        using var moe = new MixtureOfExperts(16, 4, 2, 24, shared: 2);
        var p = moe.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
        Assert.Equal(new long[] { 48, 16 }, p["shared_experts.gate_proj.weight"].shape);   // one SwiGLU of 2 × 24
        var x = randn(2, 5, 16);
        using var routedOnly = new MixtureOfExperts(16, 4, 2, 24);
        routedOnly.load_state_dict(moe.state_dict().Where(kv => !kv.Key.StartsWith("shared_experts.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        var shared = matmul(nn.functional.silu(matmul(x, p["shared_experts.gate_proj.weight"].t())) * matmul(x, p["shared_experts.up_proj.weight"].t()),
            p["shared_experts.down_proj.weight"].t());
        var expected = routedOnly.call(x) + shared;
        var actual = moe.call(x);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5), $"max difference {(actual - expected).abs().max().item<float>()}");
    }
}
