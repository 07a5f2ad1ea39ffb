using System.Linq;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Evaluation;
using Xunit;
using static ArchDsl.Core.Tests.Decl;

namespace ArchDsl.Core.Tests;

/// <summary>
/// Evaluation of hand-built declarations. Every expected figure is computed here from the formulas of
/// counting.md (conv output floor((in + 2p − d(k − 1) − 1) / s) + 1, conv parameters, Linear, attention, BN).
/// </summary>
public class EvaluatorTests
{
    private static long ConvOut(long size, long k, long s = 1, long p = 0, long d = 1) => (size + 2 * p - d * (k - 1) - 1) / s + 1;
    private static long ConvParams(long cin, long cout, long k, long groups = 1, bool bias = true) => cout * (cin / groups) * k * k + (bias ? cout : 0);
    private static long ConvMacs(long hOut, long wOut, long cin, long cout, long k, long groups = 1) => hOut * wOut * cout * (cin / groups) * k * k;

    private static ModelPlan Ok(ModuleDecl model, params ModuleDecl[] blocks)
    {
        var plan = Evaluator.EvaluateModel(model, blocks);
        Assert.True(plan.Findings.Count == 0, string.Join("\n", plan.Findings.Select(f => f.Id + " " + f.Message)));
        Assert.False(plan.HasErrors);
        return plan;
    }

    private static Diagnostics.Finding Bad(string id, ModuleDecl model, params ModuleDecl[] blocks)
    {
        var plan = Evaluator.EvaluateModel(model, blocks);
        Assert.True(plan.HasErrors);
        var f = plan.Findings.FirstOrDefault(x => x.Id == id);
        Assert.True(f != null, $"expected {id}, got: " + string.Join("\n", plan.Findings.Select(x => x.Id + " " + x.Message)));
        return f!;
    }

    [Fact]
    public void Conv2d_with_stride_padding_and_dilation()
    {
        var plan = Ok(Model("Net", new long[] { 3, 32, 30 },
            M("conv", A("Conv2d", 16, N("Kernel", 5), N("Stride", 2), N("Padding", 1), N("Dilation", 2)))));
        long h = ConvOut(32, 5, 2, 1, 2), w = ConvOut(30, 5, 2, 1, 2);
        Assert.Equal(13, h); // floor((32 + 2 − 8 − 1) / 2) + 1
        Assert.Equal(12, w);
        Assert.Equal(new long[] { 16, h, w }, plan.Output.Values());
        Assert.Equal(ConvParams(3, 16, 5), plan.Parameters);
        Assert.Equal(ConvMacs(h, w, 3, 16, 5), plan.Macs);
        Assert.Equal(2 * plan.Macs, plan.Flops);
        Assert.Equal(0, plan.Buffers);
    }

    [Fact]
    public void Grouped_and_depthwise_convolutions_without_bias()
    {
        var plan = Ok(Model("Net", new long[] { 8, 10, 10 },
            M("grouped", A("Conv2d", 16, N("Kernel", 3), N("Groups", 4), N("Bias", false))),
            M("depthwise", A("Conv2d", 16, N("Kernel", 3), N("Padding", 1), N("Groups", 16)))));
        Assert.Equal(new long[] { 16, 8, 8 }, plan.Output.Values());
        Assert.Equal(ConvParams(8, 16, 3, 4, false) + ConvParams(16, 16, 3, 16), plan.Parameters);
        Assert.Equal(ConvMacs(8, 8, 8, 16, 3, 4) + ConvMacs(8, 8, 16, 16, 3, 16), plan.Macs);
    }

    [Fact]
    public void BatchNorm_has_2C_parameters_and_2C_plus_1_buffers_and_no_MACs()
    {
        var plan = Ok(Model("Net", new long[] { 3, 8, 8 },
            M("conv", A("Conv2d", 32, N("Kernel", 1), N("Bias", false))),
            M("bn", A("BatchNorm2d", N("Activation", E("ReLU", 1))))));
        Assert.Equal(32 * 3 + 2 * 32, plan.Parameters);
        Assert.Equal(2 * 32 + 1, plan.Buffers);
        Assert.Equal(8 * 8 * 32 * 3, plan.Macs);
    }

    [Fact]
    public void Pooling_follows_the_conv_size_formula_and_counts_nothing()
    {
        var plan = Ok(Model("Net", new long[] { 4, 112, 112 },
            M("maxpool", A("MaxPool2d", 3, N("Stride", 2), N("Padding", 1))),
            M("avgpool", A("AvgPool2d", 2)),
            M("gap", A("AdaptiveAvgPool2d", 1)),
            M("flatten", A("Flatten"))));
        long afterMax = ConvOut(112, 3, 2, 1);
        Assert.Equal(56, afterMax);
        Assert.Equal(28, ConvOut(afterMax, 2, 2));
        Assert.Equal(new long[] { 4 }, plan.Output.Values());
        Assert.Equal(new long[] { 4, 28, 28 }, plan.Layers[1].Output.Values());
        Assert.Equal(0, plan.Parameters);
        Assert.Equal(0, plan.Macs);
    }

    [Fact]
    public void Linear_on_vectors_and_on_token_rows()
    {
        var vec = Ok(Model("Net", new long[] { 20 }, M("fc", A("Linear", 10))));
        Assert.Equal(20 * 10 + 10, vec.Parameters);
        Assert.Equal(20 * 10, vec.Macs);

        var tok = Ok(Model("Net", new long[] { 5, 20 }, M("fc", A("Linear", 10, N("Bias", false)))));
        Assert.Equal(20 * 10, tok.Parameters);
        Assert.Equal(5 * 20 * 10, tok.Macs);
        Assert.Equal(new long[] { 5, 10 }, tok.Output.Values());
    }

    [Fact]
    public void Self_attention_counts_4ND2_plus_2N2D_whatever_the_heads()
    {
        const long n = 10, d = 64;
        foreach (int heads in new[] { 1, 8, 16 })
        {
            var plan = Ok(Model("Net", new long[] { n, d }, M("attn", A("SelfAttention", heads))));
            Assert.Equal(4 * n * d * d + 2 * n * n * d, plan.Macs);
            Assert.Equal(3 * d * d + 3 * d + d * d + d, plan.Parameters); // in_proj + out_proj
        }
    }

    [Fact]
    public void Mlp_LayerNorm_and_tokens()
    {
        const long n = 7, d = 24, hidden = 96;
        var plan = Ok(Model("Net", new long[] { n, d },
            M("ln", A("LayerNorm", N("Eps", 1e-6))),
            M("mlp", A("Mlp", (int)hidden))));
        Assert.Equal(2 * d + (d * hidden + hidden) + (hidden * d + d), plan.Parameters);
        Assert.Equal(n * d * hidden + n * hidden * d, plan.Macs);
    }

    [Fact]
    public void Tiny_vit_from_patches_to_head()
    {
        // 3×32×32, 8×8 patches of width 48: 16 tokens, plus a class token.
        const long d = 48, tokens = 16, mlp = 96, heads = 4, classes = 10;
        var layer = Block("Layer", "Tokens", new (string, long)[0],
            M("ln_1", A("LayerNorm")),
            M("self_attention", A("SelfAttention", "heads")),
            M("ln_2", A("LayerNorm"), A("Residual", N("From", "ln_1"))),
            M("mlp", A("Mlp", "mlp_dim"), A("Residual", N("From", "ln_2"))));
        var model = Model("Vit", new long[] { 3, 32, 32 },
            M("conv_proj", A("Conv2d", (int)d, N("Kernel", 8), N("Stride", 8))),
            M("patches", A("Tokens")),
            M("class_token", A("ClassToken")),
            M("pos", A("PositionalEmbedding")),
            M("layers", A("Stage", T("Tests.Layer"), 2, $"heads = {heads}, mlp_dim = {mlp}")),
            M("cls", A("SelectToken")),
            M("head", A("Linear", (int)classes)));
        var plan = Ok(model, layer);
        long n = tokens + 1;
        long perLayerParams = 2 * d + (4 * d * d + 4 * d) + 2 * d + (d * mlp + mlp + mlp * d + d);
        long perLayerMacs = 4 * n * d * d + 2 * n * n * d + n * d * mlp * 2;
        Assert.Equal(ConvParams(3, d, 8) + d + n * d + 2 * perLayerParams + d * classes + classes, plan.Parameters);
        Assert.Equal(ConvMacs(4, 4, 3, d, 8) + 2 * perLayerMacs + d * classes, plan.Macs);
        Assert.Equal(new long[] { classes }, plan.Output.Values());
    }

    [Fact]
    public void Residual_stage_with_projection_counts_the_downsample()
    {
        // BasicBlock-like: conv(width, 3, stride) bn conv(width, 3) bn + shortcut from conv1.
        var block = Block("Basic", "Image", new[] { ("stride", 1L) },
            M("conv1", A("Conv2d", "width", N("Kernel", 3), N("Padding", 1), N("Bias", false), N("With", "stride = stride"))),
            M("bn1", A("BatchNorm2d")),
            M("conv2", A("Conv2d", "width", N("Kernel", 3), N("Padding", 1), N("Bias", false))),
            M("bn2", A("BatchNorm2d"), A("Residual", N("From", "conv1"))));
        var plan = Ok(Model("Net", new long[] { 8, 16, 16 },
            M("layer", A("Stage", T("Tests.Basic"), 2, "width = 16, stride = 2"))), block);
        const long cin = 8, c = 16, h = 8;
        long first = ConvParams(cin, c, 3, bias: false) + 2 * c + ConvParams(c, c, 3, bias: false) + 2 * c
                     + (cin * c + 2 * c); // downsample: 1×1 conv without bias, then BN
        long second = 2 * (ConvParams(c, c, 3, bias: false) + 2 * c);
        Assert.Equal(first + second, plan.Parameters);
        Assert.Equal(5 * (2 * c + 1), plan.Buffers); // four BNs plus the downsample's
        long macs = ConvMacs(h, h, cin, c, 3) + ConvMacs(h, h, c, c, 3) + ConvMacs(h, h, cin, c, 1) + 2 * ConvMacs(h, h, c, c, 3);
        Assert.Equal(macs, plan.Macs);
        Assert.Equal(new long[] { c, h, h }, plan.Output.Values());
    }

    [Fact]
    public void PixelShuffle_moves_channels_into_space()
    {
        var plan = Ok(Model("Net", new long[] { 16, 8, 8 }, M("up", A("PixelShuffle", 2))));
        Assert.Equal(new long[] { 4, 16, 16 }, plan.Output.Values());
        Assert.Equal(0, plan.Parameters);
    }

    [Fact]
    public void Kernel_larger_than_padded_input_is_ADSL0005_at_the_kernel()
    {
        var kernel = N("Kernel", 9);
        var f = Bad("ADSL0005", Model("Net", new long[] { 3, 6, 6 }, M("conv", A("Conv2d", 4, kernel, N("Padding", 1)))));
        Assert.Equal(kernel.Value.Span, f.Span);
        Assert.Contains("kernel 9", f.Message);
        Assert.Contains("8", f.Message); // padded input 6 + 2×1
    }

    [Fact]
    public void Groups_not_dividing_channels_is_ADSL0006_at_groups()
    {
        var groups = N("Groups", 4);
        var f = Bad("ADSL0006", Model("Net", new long[] { 6, 8, 8 }, M("conv", A("Conv2d", 8, N("Kernel", 3), groups))));
        Assert.Equal(groups.Value.Span, f.Span);
        Assert.Contains("6 input", f.Message);
        Assert.Contains("Groups = 4", f.Message);
    }

    [Fact]
    public void Heads_not_dividing_width_is_ADSL0007_with_a_suggestion()
    {
        var heads = I(7);
        var f = Bad("ADSL0007", Model("Net", new long[] { 4, 64 }, M("attn", A("SelfAttention", heads))));
        Assert.Equal(heads.Span, f.Span);
        Assert.Contains("64", f.Message);
        Assert.Contains("7 heads", f.Message);
        Assert.Contains("for example 8", f.Message); // the divisor of 64 nearest to 7 (ties to the larger)
    }

    [Fact]
    public void Missing_block_parameter_is_ADSL0004_at_the_bindings()
    {
        var block = Block("B", "Image", new (string, long)[0], M("conv", A("Conv2d", "width", N("Kernel", 1))));
        var bindings = S("");
        var f = Bad("ADSL0004", Model("Net", new long[] { 3, 8, 8 }, M("stage", A("Stage", T("Tests.B"), 1, bindings))), block);
        Assert.Equal(bindings.Span, f.Span);
        Assert.Contains("'width'", f.Message);
    }

    [Fact]
    public void Counts_beyond_64_bits_are_ADSL0014()
    {
        // 2^31−1 features through three Linear layers: 2^62 weights each, the sum overflows.
        var plan = Evaluator.EvaluateModel(Model("Net", new long[] { int.MaxValue },
            M("a", A("Linear", int.MaxValue)), M("b", A("Linear", int.MaxValue)), M("c", A("Linear", int.MaxValue))), new ModuleDecl[0]);
        Assert.True(plan.HasErrors);
        Assert.Contains(plan.Findings, f => f.Id == "ADSL0014");
    }

    [Fact]
    public void Stage_inside_a_block_must_keep_the_shape_ADSL0016()
    {
        // A block that always halves the size cannot be repeated by a block's stage, whose generated loop builds every
        // repetition with one set of sizes.
        var down = Block("Down", "Image", new (string, long)[0], M("conv", A("Conv2d", 4, N("Kernel", 2), N("Stride", 2))));
        var body = Block("Body", "Image", new (string, long)[0], M("stage", A("Stage", T("Tests.Down"), 2)));
        Bad("ADSL0016", Model("Net", new long[] { 4, 16, 16 }, M("body", A("Use", T("Tests.Body")))), down, body);
    }

    [Fact]
    public void Same_shape_skip_across_a_downsample_and_an_upsample_is_a_plain_add()
    {
        // 16×64×64 → stride-2 conv → 16×32×32 → transposed conv ×2 → 16×64×64: the input of conv has the output's shape,
        // so the residual adds it as it is. Hand count: conv 16·16·9 + 16, transposed conv 16·16·4 + 16, no projection.
        var plan = Ok(Model("Net", new long[] { 16, 64, 64 },
            M("down", A("Conv2d", 16, N("Kernel", 3), N("Stride", 2), N("Padding", 1))),
            M("up", A("ConvTranspose2d", 16, N("Kernel", 2), N("Stride", 2)), A("Residual", N("From", "down")))));
        Assert.Equal(new long[] { 16, 64, 64 }, plan.Output.Values());
        Assert.Equal(16 * 16 * 9 + 16 + 16 * 16 * 4 + 16, plan.Parameters);
        Assert.False(plan.Layers[1].Residual!.Projects);
        // MACs: the conv at 32×32 outputs, the transposed conv at its 32×32 inputs.
        Assert.Equal(32 * 32 * 16 * 16 * 9 + 32 * 32 * 16 * 16 * 4, plan.Macs);
    }

    [Fact]
    public void Stage_of_a_model_may_change_the_shape_block_by_block()
    {
        // DenseNet's dense layers: each adds its growth to the channels it receives. A model's stage writes every block
        // with its own sizes. Hand count: conv 3×3 without bias from c to 4 channels is c·4·9, for c = 4, 8, 12.
        var grow = Block("Grow", "Image", new (string, long)[0],
            M("conv", A("Conv2d", 4, N("Kernel", 3), N("Padding", 1), N("Bias", false)), A("Concat", N("From", "conv"))));
        var plan = Evaluator.EvaluateModel(Model("Net", new long[] { 4, 8, 8 }, M("dense", A("Stage", T("Tests.Grow"), 3))), new[] { grow });
        Assert.False(plan.HasErrors, string.Join("\n", plan.Findings.Select(f => f.Message)));
        Assert.Equal(new long[] { 16, 8, 8 }, plan.Output.Values());
        Assert.Equal((4 + 8 + 12) * 4 * 9, plan.Parameters);
    }

    [Fact]
    public void Recursive_block_is_ADSL0012()
    {
        var block = Block("Loop", "Image", new (string, long)[0], M("inner", A("Stage", T("Tests.Loop"), 1)));
        // The model fails; the finding is reported once, in the block's own plan, where the cycle is written.
        var model = Evaluator.EvaluateModel(Model("Net", new long[] { 4, 16, 16 }, M("stage", A("Stage", T("Tests.Loop"), 1))), new[] { block });
        Assert.True(model.HasErrors);
        var own = Evaluator.EvaluateBlock(block, new[] { block });
        Assert.True(own.HasErrors);
        var f = Assert.Single(own.Findings, x => x.Id == "ADSL0012");
        Assert.Contains("contains itself", f.Message);
    }

    /// <summary>A block in two versions: a 3×3 convolution, and the same followed by a pool that reads inHeight, which
    /// makes every block that uses it take inHeight from its parent.</summary>
    private static (ModuleDecl Plain, ModuleDecl ReadsHeight) TwoVersions(string name)
    {
        var conv = M("conv", A("Conv2d", "width", N("Kernel", 3), N("Padding", 1)));
        return (Block(name, "Image", new (string, long)[0], conv),
                Block(name, "Image", new (string, long)[0], conv, M("pool", A("AdaptiveAvgPool2d", "inHeight"))));
    }

    /// <summary>A block that is one stage of <paramref name="inner"/>, passing its width on.</summary>
    private static ModuleDecl Stacking(string name, string inner) =>
        Block(name, "Image", new (string, long)[0], M("body", A("Stage", T(inner), 1, "width = width")));

    /// <summary>
    /// Block signatures are shared between evaluations that use the same block declaration (every model of a
    /// generator run). Outer's signature depends on the Inner it uses: with an Inner whose pool reads inHeight, Outer
    /// takes inHeight from its parent too. The same Outer declaration must follow the Inner of each evaluation, as a
    /// fresh copy of the declarations (nothing shared) does.
    /// </summary>
    [Fact]
    public void A_shared_block_signature_follows_the_blocks_it_uses()
    {
        var (inner1, inner2) = TwoVersions("Inner");
        var outer = Stacking("Outer", "Tests.Inner");
        var model = Model("Net", new long[] { 3, 8, 8 }, M("stage", A("Stage", T("Tests.Outer"), 1, "width = 4")));
        static string[] OuterArgs(ModelPlan p) => p.Layers[0].Children[0].Call!.Args.Select(a => a.Key).ToArray();

        var first = Evaluator.EvaluateModel(model, new[] { outer, inner1 });
        var second = Evaluator.EvaluateModel(model, new[] { outer, inner2 });
        var again = Evaluator.EvaluateModel(model, new[] { outer, inner1 });
        var fresh = Evaluator.EvaluateModel(model with { }, new[] { outer with { }, inner2 with { } });
        Assert.False(first.HasErrors || second.HasErrors || again.HasErrors || fresh.HasErrors);
        Assert.Equal(new[] { "inChannels", "width" }, OuterArgs(first));
        Assert.Equal(new[] { "inChannels", "inHeight", "width" }, OuterArgs(second));
        Assert.Equal(OuterArgs(fresh), OuterArgs(second));
        Assert.Equal(OuterArgs(first), OuterArgs(again));

        // Without Inner, Outer cannot be formed, whatever an earlier evaluation found (the finding itself is reported
        // in Outer's own plan, where the Stage is written).
        Assert.True(Evaluator.EvaluateModel(model, new[] { outer }).HasErrors);
    }

    /// <summary>
    /// The same, one level deeper and through a signature this evaluation already knows: the model uses Inner before
    /// Outer, so Outer finds Inner's signature known, and must still depend on the Deep block behind it.
    /// </summary>
    [Fact]
    public void A_shared_block_signature_follows_blocks_reached_through_known_signatures()
    {
        var (deep1, deep2) = TwoVersions("Deep");
        var inner = Stacking("Inner", "Tests.Deep");
        var outer = Stacking("Outer", "Tests.Inner");
        var model = Model("Net", new long[] { 3, 8, 8 },
            M("first", A("Stage", T("Tests.Inner"), 1, "width = 4")),
            M("second", A("Stage", T("Tests.Outer"), 1, "width = 4")));
        static string[] OuterArgs(ModelPlan p) => p.Layers[1].Children[0].Call!.Args.Select(a => a.Key).ToArray();

        var first = Evaluator.EvaluateModel(model, new[] { outer, inner, deep1 });
        var second = Evaluator.EvaluateModel(model, new[] { outer, inner, deep2 });
        Assert.False(first.HasErrors || second.HasErrors);
        Assert.Equal(new[] { "inChannels", "width" }, OuterArgs(first));
        Assert.Equal(new[] { "inChannels", "inHeight", "width" }, OuterArgs(second));
    }

    [Fact]
    public void Missing_input_is_ADSL0010()
    {
        var model = Module("Net", true, new[] { A("Model") }, new[] { M("fc", A("Linear", 3)) });
        Bad("ADSL0010", model);
    }

    [Fact]
    public void Block_evaluated_on_its_own_is_symbolic()
    {
        var block = Block("B", "Image", new[] { ("expansion", 4L) },
            M("conv", A("Conv2d", "width * expansion", N("Kernel", 1))));
        var plan = Evaluator.EvaluateBlock(block, new[] { block });
        Assert.False(plan.HasErrors, string.Join("\n", plan.Findings.Select(f => f.Message)));
        Assert.Equal(new[] { "width", "expansion" }.OrderBy(x => x), plan.Signature.Parameters.Select(p => p.Key).OrderBy(x => x));
        Assert.Equal(4L, plan.Signature.Parameters.Single(p => p.Key == "expansion").Value);
        Assert.Null(plan.Signature.Parameters.Single(p => p.Key == "width").Value);
        Assert.Equal("width * expansion", plan.Layers[0].Recipe!.Args[1].Dim.Expr.ToCSharp());
    }

    [Fact]
    public void Block_size_below_1_for_one_instance_is_reported()
    {
        // Found by the fuzzer: Linear("width - 4") with width = 4 gives 0 features; the model failed with no finding.
        var block = Block("Narrow", "Vector", new (string, long)[0], M("fc", A("Linear", "width - 4")));
        var plan = Evaluator.EvaluateModel(Model("Net", new long[] { 8 }, M("body", A("Use", T("Tests.Narrow"), "width = 4"))), new[] { block });
        Assert.True(plan.HasErrors);
        var f = Assert.Single(plan.Findings, x => x.Id == "ADSL0002");
        Assert.Contains("at least 1, got 0", f.Message);
    }
}
