using System.Globalization;
using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>The judgement of language models: training compute from the active parameters, sizes from the total.</summary>
public class LanguageModelJudgementTests
{
    private const string Blocks = """
        /// <summary>GPT-2's MLP.</summary>
        [Block(Layout.Tokens)]
        public partial class Mlp
        {
            [Linear("4 * inFeatures", Activation = Act.GELUTanh)] Linear c_fc;
            [Linear("inFeatures")] Linear c_proj;
        }

        /// <summary>GPT-2's block.</summary>
        [Block(Layout.Tokens)]
        public partial class Layer
        {
            [LayerNorm] LayerNorm ln_1;
            [CausalSelfAttention("heads", Packed = true), Residual(From = nameof(ln_1))] CausalSelfAttention attn;
            [LayerNorm] LayerNorm ln_2;
            [Use(typeof(Mlp)), Residual(From = nameof(ln_2))] Mlp mlp;
        }

        /// <summary>A Mixtral layer.</summary>
        [Block(Layout.Tokens)]
        public partial class MoeLayer
        {
            [RmsNorm(Eps = 1e-5)] RmsNorm input_layernorm;
            [CausalSelfAttention(48, KvHeads = 8, Bias = false, Rotary = true), Residual(From = nameof(input_layernorm))] CausalSelfAttention self_attn;
            [RmsNorm(Eps = 1e-5)] RmsNorm post_attention_layernorm;
            [MixtureOfExperts(8, 2, 16384), Residual(From = nameof(post_attention_layernorm))] MixtureOfExperts block_sparse_moe;
        }

        """;

    private static string Message(Microsoft.CodeAnalysis.Diagnostic d) => d.GetMessage(CultureInfo.InvariantCulture);

    [Fact]
    public void Gpt3_175b_on_300b_tokens_needs_about_3_14e23_flop_below_the_eu_line()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + Blocks + """
            [Model, Input(2048), TrainingPlan(Tokens = 300e9)]
            public partial class Gpt3
            {
                [TokenEmbedding(50257, 12288, Key = "transformer.wte")] Embedding wte;
                [LearnedPositions(Key = "transformer.wpe")] LearnedPositions wpe;
                [Stage(typeof(Layer), 96, "heads = 96", Key = "transformer.h.{i}")] Sequential h;
                [LayerNorm(Key = "transformer.ln_f")] LayerNorm ln_f;
                [TiedHead(nameof(wte))] TiedHead lm_head;
            }
            """);
        r.AssertNoGeneratorException();
        Assert.True(r.HasModule("Tests.Gpt3.g.cs"), GeneratorResult.Describe(r.GeneratorDiagnostics));
        // The large-model warning carries the training estimate: 6 · 174,604,259,328 · 3e11 = 3.1429e23, the paper's
        // 3.14e23; below 1e25, so no ADSL1004 (nor ADSL1005).
        var large = Assert.Single(r.GeneratorDiagnostics, d => d.Id == "ADSL1001");
        Assert.Contains("174,604,259,328", Message(large));
        Assert.Contains("needs about 3.14e23 FLOP", Message(large));
        Assert.DoesNotContain(r.GeneratorDiagnostics, d => d.Id is "ADSL1004" or "ADSL1005");
    }

    [Fact]
    public void A_mixture_of_experts_is_judged_large_by_its_total_and_trained_at_its_active_count()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + Blocks + """
            [Model, Input(4096), TrainingPlan(Tokens = 1e12)]
            public partial class Mixtral
            {
                [TokenEmbedding(32768, 6144, Key = "model.embed_tokens")] Embedding embed_tokens;
                [Stage(typeof(MoeLayer), 56, Key = "model.layers.{i}")] Sequential layers;
                [RmsNorm(Eps = 1e-5, Key = "model.norm")] RmsNorm norm;
                [Linear(32768, Bias = false)] Linear lm_head;
            }
            """);
        r.AssertNoGeneratorException();
        var source = r.Source("Tests.Mixtral.g.cs");
        Assert.Contains("public const long ParameterCount = 140630071296L;", source);
        Assert.Contains("public const long ActiveParameterCount = 39161468928L;", source);
        // 6 · 39,161,468,928 · 1e12 = 2.35e23, not 6 · 140.6e9 · 1e12 = 8.44e23.
        var large = Assert.Single(r.GeneratorDiagnostics, d => d.Id == "ADSL1001");
        Assert.Contains("140,630,071,296 trainable parameters", Message(large));
        Assert.Contains("39.161 G are active per token", Message(large));
        Assert.Contains("N = 39.161 G active of 140.63 G total parameters", Message(large));
        Assert.Contains("needs about 2.35e23 FLOP", Message(large));
    }
    [Fact]
    public void Inference_memory_includes_the_kv_cache_at_the_declared_context()
    {
        // 2 layers, context 1024, 2 key/value heads of size 16: 2 · 2 · 1024 · 2 · 16 = 131,072 elements, 256 KiB at
        // 2 bytes, times batch 4 = 1 MiB.
        var r = GeneratorHarness.Run(TestModels.Usings + Blocks + """
            /// <summary>A GQA layer.</summary>
            [Block(Layout.Tokens)]
            public partial class GqaLayer
            {
                [RmsNorm] RmsNorm norm;
                [CausalSelfAttention(4, KvHeads = 2, Bias = false), Residual(From = nameof(norm))] CausalSelfAttention attn;
            }

            [Model, Input(1024), MemoryBudget("64KiB", BatchSize = 4)]
            public partial class Small
            {
                [TokenEmbedding(16, 64)] Embedding wte;
                [Stage(typeof(GqaLayer), 2)] Sequential layers;
                [Linear(16, Bias = false)] Linear head;
            }
            """);
        r.AssertNoGeneratorException();
        var memory = Assert.Single(r.GeneratorDiagnostics, d => d.Id == "ADSL1007");
        Assert.Contains("1 MiB KV cache at the declared context", Message(memory));
    }
    [Fact]
    public void The_router_and_output_bias_choices_reach_the_generated_module()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(8)]
            public partial class Net
            {
                [TokenEmbedding(10, 16)] Embedding wte;
                [CausalSelfAttention(2, Bias = false, OutBias = true)] CausalSelfAttention attn;
                [MixtureOfExperts(4, 2, 8, Router = ExpertRouting.TopKOfSoftmax)] MixtureOfExperts moe;
                [TiedHead(nameof(wte))] TiedHead head;
            }
            """);
        r.AssertNoGeneratorException();
        var source = r.Source("Tests.Net.g.cs")!;
        Assert.Contains("new global::ArchDsl.Layers.CausalSelfAttention(16, 2, kvHeads: 2, bias: false, outBias: true)", source);
        Assert.Contains("new global::ArchDsl.Layers.MixtureOfExperts(16, 4, 2, 8, renormalize: false)", source);
        Assert.Contains("new global::ArchDsl.Layers.TiedHead(this.wte)", source);
        // attention 2·16² + 2·16·16 (no q/k/v biases) + 16 (output bias); router 16·4 + experts 4·3·16·8; head 0.
        Assert.Contains("public const long ParameterCount = " + (10 * 16 + 4 * 16 * 16 + 16 + 16 * 4 + 4 * 3 * 16 * 8) + "L;", source);
        Assert.Contains("public const long ActiveParameterCount = " + (10 * 16 + 4 * 16 * 16 + 16 + 16 * 4 + 2 * 3 * 16 * 8) + "L;", source);
    }
}
