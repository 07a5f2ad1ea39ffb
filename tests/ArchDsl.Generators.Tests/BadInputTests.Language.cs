using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Language-model declarations that cannot be built: each diagnostic at the argument that is wrong.</summary>
public partial class BadInputTests
{
    private const string Decoder = """
        /// <summary>A Llama-style layer.</summary>
        [Block(Layout.Tokens)]
        public partial class Layer
        {
            [RmsNorm] RmsNorm norm;
            [CausalSelfAttention("heads", Bias = false, Rotary = true, With = "kvHeads = kv"), Residual(From = nameof(norm))] CausalSelfAttention attn;
        }

        """;

    [Fact]
    public void Heads_not_dividing_the_width_ADSL0007() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 48)] Embedding wte;
            [CausalSelfAttention(5)] CausalSelfAttention attn;
        }
        """, "ADSL0007", "5", new[] { "48", "5 heads", "for example 6" });

    [Fact]
    public void Key_value_heads_not_dividing_the_query_heads_ADSL0002() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 48)] Embedding wte;
            [CausalSelfAttention(6, KvHeads = 4)] CausalSelfAttention attn;
        }
        """, "ADSL0002", "KvHeads = 4", new[] { "KvHeads 4", "6 query heads" });

    [Fact]
    public void Key_value_heads_bound_in_a_stage_not_dividing_the_query_heads_ADSL0002() => Expect(Decoder + """
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 64)] Embedding wte;
            [Stage(typeof(Layer), 2, "heads = 8, kv = 3")] Sequential layers;
        }
        """, "ADSL0002", "\"heads = 8, kv = 3\"", new[] { "KvHeads 3", "8 query heads" });

    [Fact]
    public void Top_k_above_the_experts_ADSL0002() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 16)] Embedding wte;
            [MixtureOfExperts(4, 5, 32)] MixtureOfExperts moe;
        }
        """, "ADSL0002", "5", new[] { "TopK 5", "4 experts" });

    [Fact]
    public void Top_k_below_one_ADSL0002() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 16)] Embedding wte;
            [MixtureOfExperts(4, 0, 32)] MixtureOfExperts moe;
        }
        """, "ADSL0002", "0", new[] { "TopK", "at least 1", "got 0" });

    [Fact]
    public void Vocabulary_below_two_ADSL0002() => Expect("""
        [Model, Input(8)]
        public partial class Net { [TokenEmbedding(1, 16)] Embedding wte; }
        """, "ADSL0002", "1", new[] { "Vocabulary", "at least 2", "got 1" });

    [Fact]
    public void Rotary_positions_with_an_odd_head_size_ADSL0002() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 36)] Embedding wte;
            [CausalSelfAttention(4, Rotary = true)] CausalSelfAttention attn;
        }
        """, "ADSL0002", "Rotary = true", new[] { "36/4 = 9", "odd" });

    [Fact]
    public void A_tied_head_whose_width_differs_from_the_embedding_ADSL0002() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 16)] Embedding wte;
            [Linear(12)] Linear fc;
            [TiedHead(nameof(wte))] TiedHead head;
        }
        """, "ADSL0002", "nameof(wte)", new[] { "12 features", "10×16" });

    [Fact]
    public void A_tied_head_on_something_other_than_an_embedding_ADSL0002() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 16)] Embedding wte;
            [Linear(16)] Linear fc;
            [TiedHead(nameof(fc))] TiedHead head;
        }
        """, "ADSL0002", "nameof(fc)", new[] { "'fc' is a [Linear]" });

    [Fact]
    public void Positions_fewer_than_the_context_ADSL0002() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [TokenEmbedding(10, 16)] Embedding wte;
            [LearnedPositions(Context = 4)] LearnedPositions wpe;
        }
        """, "ADSL0002", "Context = 4", new[] { "Context 4", "8 positions" });

    [Fact]
    public void Token_ids_into_a_layer_that_needs_tokens_ADSL0008() => Expect("""
        [Model, Input(8)]
        public partial class Net { [CausalSelfAttention(2)] CausalSelfAttention attn; }
        """, "ADSL0008", "CausalSelfAttention(2)", new[] { "tokens (N×D)" });

    [Fact]
    public void A_context_shorter_than_one()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(0)]
            public partial class Net { [TokenEmbedding(10, 16)] Embedding wte; }
            """);
        r.AssertNoGeneratorException();
        var d = Assert.Single(r.GeneratorDiagnostics, x => x.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        // The context is the input's one dimension: the finding is on [Input], as for any other input size.
        Assert.Equal("Input(0)", GeneratorResult.LocatedText(r.Input, d));
        Assert.Contains("dimension 1 is 0", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(r.HasModule("Tests.Net.g.cs"));
    }

    [Fact]
    public void Counts_that_overflow_64_bits_ADSL0014()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(2000000000)]
            public partial class Net
            {
                [TokenEmbedding(1000, 4096)] Embedding wte;
                [CausalSelfAttention(32)] CausalSelfAttention attn;
            }
            """);
        r.AssertNoGeneratorException();
        Assert.Contains(r.GeneratorDiagnostics, d => d.Id == "ADSL0014");
        Assert.DoesNotContain(r.GeneratorDiagnostics, d => d.Id == "ADSL0099");
        Assert.False(r.HasModule("Tests.Net.g.cs"));
    }
}
