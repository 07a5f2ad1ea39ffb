using System.Collections.Generic;
using System.Linq;
using ArchDsl.Samples;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// ViT-B/16 against a reference written by hand from TorchSharp's own layers (nn.MultiheadAttention,
/// not scaled_dot_product_attention), laid out with torchvision's vit_b_16 names.
/// </summary>
public class VitParityTests
{
    [Fact]
    public void State_dict_keys_follow_torchvision_vit_b_16()
    {
        using var model = new VitB16();
        var sd = model.state_dict();
        var expected = new Dictionary<string, long[]>
        {
            ["conv_proj.weight"] = new long[] { 768, 3, 16, 16 },
            ["conv_proj.bias"] = new long[] { 768 },
            ["class_token"] = new long[] { 1, 1, 768 },
            ["encoder.pos_embedding"] = new long[] { 1, 197, 768 },
            ["encoder.layers.encoder_layer_0.ln_1.weight"] = new long[] { 768 },
            ["encoder.layers.encoder_layer_0.self_attention.in_proj_weight"] = new long[] { 2304, 768 },
            ["encoder.layers.encoder_layer_0.self_attention.in_proj_bias"] = new long[] { 2304 },
            ["encoder.layers.encoder_layer_0.self_attention.out_proj.weight"] = new long[] { 768, 768 },
            ["encoder.layers.encoder_layer_11.ln_2.bias"] = new long[] { 768 },
            ["encoder.layers.encoder_layer_11.mlp.0.weight"] = new long[] { 3072, 768 },
            ["encoder.layers.encoder_layer_11.mlp.3.weight"] = new long[] { 768, 3072 },
            ["encoder.ln.weight"] = new long[] { 768 },
            ["heads.head.weight"] = new long[] { 1000, 768 },
            ["heads.head.bias"] = new long[] { 1000 },
        };
        foreach (var kv in expected)
        {
            Assert.True(sd.ContainsKey(kv.Key), $"missing {kv.Key}");
            Assert.Equal(kv.Value, sd[kv.Key].shape);
        }
        // torchvision's vit_b_16 has 152 tensors: 4 top-level, pos_embedding, 12 × 12 per layer, encoder.ln (2) + head (2) - ...
        Assert.Equal(2 + 1 + 1 + 12 * 12 + 2 + 2, sd.Count);
        Assert.Equal(VitB16.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Output_matches_a_hand_built_reference_with_the_same_weights()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(11);
        using var ours = new VitB16();
        using var reference = new ReferenceVit(layers: 12, width: 768, heads: 12, mlp: 3072, classes: 1000);
        // Same names, so strict loading also proves the layout; non-zero class token to exercise it.
        using (no_grad())
        {
            foreach (var (name, p) in ours.named_parameters())
                if (name == "class_token") p.normal_(0, 0.02);
        }
        reference.load_state_dict(ours.state_dict(), strict: true);
        ours.eval();
        reference.eval();
        var x = randn(2, 3, 224, 224);
        using var _ = no_grad();
        var expected = reference.call(x);
        var actual = ours.call(x);
        Assert.Equal(new long[] { 2, 1000 }, actual.shape);
        double maxAbs = (expected - actual).abs().max().item<float>();
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    private sealed class ReferenceLayer : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm ln_1, ln_2;
        private readonly MultiheadAttention self_attention;
        private readonly Sequential mlp;

        public ReferenceLayer(long width, long heads, long hidden) : base("ReferenceLayer")
        {
            ln_1 = nn.LayerNorm(width, eps: 1e-6);
            self_attention = nn.MultiheadAttention(width, heads);
            ln_2 = nn.LayerNorm(width, eps: 1e-6);
            mlp = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Dropout(0.0), nn.Linear(hidden, width), nn.Dropout(0.0));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = ln_1.call(x).transpose(0, 1); // MultiheadAttention takes sequence-first input.
            var attended = self_attention.call(y, y, y, null, false, null).Item1;
            x = x + attended.transpose(0, 1);
            return x + mlp.call(ln_2.call(x));
        }
    }

    private sealed class ReferenceEncoder : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter pos_embedding;
        private readonly Sequential layers;
        private readonly LayerNorm ln;

        public ReferenceEncoder(int count, long width, long heads, long hidden) : base("ReferenceEncoder")
        {
            pos_embedding = new Parameter(zeros(1, 197, width));
            layers = nn.Sequential(Enumerable.Range(0, count)
                .Select(i => ($"encoder_layer_{i}", (nn.Module<Tensor, Tensor>)new ReferenceLayer(width, heads, hidden))).ToArray());
            ln = nn.LayerNorm(width, eps: 1e-6);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => ln.call(layers.call(x + pos_embedding));
    }

    private sealed class ReferenceHeads : nn.Module<Tensor, Tensor>
    {
        private readonly Linear head;
        public ReferenceHeads(long width, long classes) : base("ReferenceHeads")
        {
            head = nn.Linear(width, classes);
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => head.call(x);
    }

    private sealed class ReferenceVit : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv_proj;
        private readonly Parameter class_token;
        private readonly ReferenceEncoder encoder;
        private readonly ReferenceHeads heads;

        public ReferenceVit(int layers, long width, long heads, long mlp, long classes) : base("ReferenceVit")
        {
            conv_proj = nn.Conv2d(3, width, 16, stride: 16);
            class_token = new Parameter(zeros(1, 1, width));
            encoder = new ReferenceEncoder(layers, width, heads, mlp);
            this.heads = new ReferenceHeads(width, classes);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var n = x.shape[0];
            x = conv_proj.call(x);
            x = x.reshape(n, x.shape[1], -1).permute(0, 2, 1);
            x = cat(new[] { class_token.expand(n, -1, -1), x }, 1);
            x = encoder.call(x);
            return heads.call(x[.., 0]);
        }
    }
}
