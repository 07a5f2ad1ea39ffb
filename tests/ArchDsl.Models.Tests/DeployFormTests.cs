using System.Collections.Generic;
using System.Linq;
using ArchDsl.Samples;
using TorchSharp.Modules;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// Deploy forms with every batch norm after a convolution folded into it: counts against hand counts written here,
/// the runtime sizes and state_dict of the converted module, and its eval outputs against the training form's.
/// </summary>
public class DeployFormTests(ITestOutputHelper output)
{
    [Fact]
    public void ResNet50_deploy_counts_equal_a_hand_count()
    {
        // Deployed, every convolution of ResNet-50 (v1.5: stride on the 3×3) has a bias and no batch norm is left.
        long parameters = 0, macs = 0;
        void Conv(long cin, long cout, long k, long side)
        {
            parameters += cout * cin * k * k + cout;
            macs += side * side * cout * cin * k * k;
        }
        Conv(3, 64, 7, 112);
        long inChannels = 64, side = 56;
        foreach (var (blocks, width, stride) in new[] { (3, 64L, 1L), (4, 128L, 2L), (6, 256L, 2L), (3, 512L, 2L) })
            for (int b = 0; b < blocks; b++)
            {
                long s = b == 0 ? stride : 1, outSide = side / s;
                Conv(inChannels, width, 1, side);
                Conv(width, width, 3, outSide);
                Conv(width, 4 * width, 1, outSide);
                if (b == 0) Conv(inChannels, 4 * width, 1, outSide);   // downsample
                inChannels = 4 * width;
                side = outSide;
            }
        parameters += 2048 * 1000 + 1000;
        macs += 2048 * 1000;
        // Cross-check against torchvision's published 25,557,032: each batch norm's 2·C parameters leave and C return as
        // its convolution's bias; ResNet-50 has 26,560 batch-norm channels.
        Assert.Equal(25_557_032 - 26_560, parameters);
        long generatedParameters = ResNet50.DeployParameterCount, generatedBuffers = ResNet50.DeployBufferCount, generatedMacs = ResNet50.DeployMacs;
        Assert.Equal(parameters, generatedParameters);
        Assert.Equal(0, generatedBuffers);
        Assert.Equal(macs, generatedMacs);
    }

    [Fact]
    public void Small_model_deploy_counts_equal_a_hand_count()
    {
        // FoldSmall: stem conv (no bias) + BN; two FoldUnits (conv1 with its own bias + BN, grouped conv2 + BN, the first
        // with a projection); an activated 1×1 conv whose BN does not fold; a linear head.
        long parameters = 0, macs = 0;
        void Conv(long cin, long cout, long k, long side, long groups = 1)
        {
            parameters += cout * (cin / groups) * k * k + cout;
            macs += side * side * cout * (cin / groups) * k * k;
        }
        Conv(3, 8, 3, 32);
        Conv(8, 16, 3, 16); Conv(16, 16, 3, 16, groups: 2); Conv(8, 16, 1, 16);
        Conv(16, 16, 3, 16); Conv(16, 16, 3, 16, groups: 2);
        Conv(16, 16, 1, 16);
        parameters += 2 * 16;           // mix_bn stays: an activation lies between it and its convolution
        long buffers = 2 * 16 + 1;
        parameters += 16 * 10 + 10;
        macs += 16 * 10;
        long generatedParameters = FoldSmall.DeployParameterCount, generatedBuffers = FoldSmall.DeployBufferCount, generatedMacs = FoldSmall.DeployMacs;
        Assert.Equal(parameters, generatedParameters);
        Assert.Equal(buffers, generatedBuffers);
        Assert.Equal(macs, generatedMacs);
    }

    [Fact]
    public void ResNet50_deploy_form_has_folded_sizes_and_state_dict()
    {
        using var model = new ResNet50();
        var trainingKeys = model.state_dict().Keys.ToList();
        model.ToDeployForm();
        Assert.Equal(ResNet50.DeployParameterCount, model.parameters().Sum(p => p.numel()));
        Assert.Equal(ResNet50.DeployBufferCount, model.buffers().Sum(b => b.numel()));
        // The documented deploy state_dict: the training keys less every batch norm's, each convolution's bias right
        // after its weight.
        var expected = new List<string>();
        foreach (var k in trainingKeys)
        {
            if (k.Contains(".bn") || k.StartsWith("bn") || k.Contains("downsample.1.")) continue;
            expected.Add(k);
            if (k.EndsWith(".weight") && (k.Contains("conv") || k.Contains("downsample.0."))) expected.Add(k[..^".weight".Length] + ".bias");
        }
        Assert.Equal(expected, model.state_dict().Keys.ToList());
    }

    [Fact]
    public void ResNet50_deploy_form_computes_the_training_form_s_eval_output()
    {
        using var scope = NewDisposeScope();
        manual_seed(31);
        using var model = new ResNet50();
        RandomiseBatchNorms(model);
        model.eval();
        var x = randn(2, 3, 224, 224);
        using var _ = no_grad();
        var trained = model.call(x).clone();
        model.ToDeployForm();
        Assert.Empty(model.modules().OfType<BatchNorm2d>());
        var deployed = model.call(x);
        double maxAbs = (trained - deployed).abs().max().item<float>();
        output.WriteLine($"max |Δ| = {maxAbs:E3}; output max |y| = {trained.abs().max().item<float>():F3}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    [Fact]
    public void Small_deploy_form_matches_keeps_the_unfoldable_norm_and_trains()
    {
        using var scope = NewDisposeScope();
        manual_seed(32);
        using var model = new FoldSmall();
        RandomiseBatchNorms(model);
        model.eval();
        var x = randn(3, 3, 32, 32);
        using (no_grad())
        {
            var trained = model.call(x).clone();
            model.ToDeployForm();
            double maxAbs = (trained - model.call(x)).abs().max().item<float>();
            output.WriteLine($"max |Δ| = {maxAbs:E3}");
            Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
        }
        Assert.Equal(FoldSmall.DeployParameterCount, model.parameters().Sum(p => p.numel()));
        Assert.Equal(FoldSmall.DeployBufferCount, model.buffers().Sum(b => b.numel()));
        var keys = model.state_dict().Keys.ToList();
        Assert.Equal(new[] { "stem.0.weight", "stem.0.bias" }, keys.Take(2));
        Assert.Contains("stage1.0.downsample.0.bias", keys);
        Assert.Contains("mix_bn.running_var", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("stem.1") || k.Contains(".bn") || k.Contains("downsample.1"));
        // Converting twice changes nothing; the deploy form still trains.
        model.ToDeployForm();
        Assert.Equal(FoldSmall.DeployParameterCount, model.parameters().Sum(p => p.numel()));
        model.train();
        model.call(x).square().mean().backward();
        Assert.All(model.parameters(), p => Assert.True(p.grad is not null && p.grad.isfinite().all().item<bool>()));
    }

    [Fact]
    public void MobileNetV2_deploy_form_folds_under_keyed_paths_and_computes_the_same_output()
    {
        // torchvision's layout: every layer under a Key ("features.1.conv.0.1"), depthwise convolutions, and inverted
        // residuals whose batch norm carries the optional add.
        using var scope = NewDisposeScope();
        manual_seed(34);
        using var model = new ArchDsl.Samples.MobileNetV2();
        RandomiseBatchNorms(model);
        model.eval();
        var x = randn(2, 3, 224, 224);
        using var _ = no_grad();
        var trained = model.call(x).clone();
        model.ToDeployForm();
        double maxAbs = (trained - model.call(x)).abs().max().item<float>();
        output.WriteLine($"max |Δ| = {maxAbs:E3}; output max |y| = {trained.abs().max().item<float>():F3}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
        Assert.Equal(ArchDsl.Samples.MobileNetV2.DeployParameterCount, model.parameters().Sum(p => p.numel()));
        Assert.Equal(0, model.buffers().Sum(b => b.numel()));
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("features.0.0.bias", keys);
        Assert.Contains("features.1.conv.0.0.bias", keys);
        Assert.DoesNotContain(keys, k => k.EndsWith("running_mean"));
    }

    [Fact]
    public void Sum_join_adds_the_identity_branch_in_both_forms()
    {
        using var scope = NewDisposeScope();
        manual_seed(33);
        using var model = new SumBranches();
        RandomiseBatchNorms(model);
        model.eval();
        var x = randn(2, 8, 16, 16);
        using var _ = no_grad();
        var conv = (Conv2d)model.named_children().Single(c => c.name == "conv").module;
        var bn = (BatchNorm2d)model.named_children().Single(c => c.name == "bn").module;
        // relu(bn(conv(x)) + x), composed here from the module's own layers.
        var expected = nn.functional.relu(bn.call(conv.call(x)) + x);
        double trained = (model.call(x) - expected).abs().max().item<float>();
        model.ToDeployForm();
        double deployed = (model.call(x) - expected).abs().max().item<float>();
        output.WriteLine($"max |Δ| trained {trained:E3}, deployed {deployed:E3}");
        Assert.True(trained <= 1e-6, $"trained max |Δ| = {trained:E3}");
        Assert.True(deployed <= 1e-4, $"deployed max |Δ| = {deployed:E3}");
        Assert.Equal(new[] { "conv.weight", "conv.bias" }, model.state_dict().Keys);
    }

    /// <summary>Running statistics and affine parameters away from their initial 0/1, so every fold term matters.</summary>
    private static void RandomiseBatchNorms(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var bn in model.modules().OfType<BatchNorm2d>())
        {
            bn.running_mean!.copy_(randn(bn.running_mean.shape) * 0.2);
            bn.running_var!.copy_(rand(bn.running_var.shape) * 1.5 + 0.5);
            bn.weight!.copy_(rand(bn.weight.shape) * 0.5 + 0.25);
            bn.bias!.copy_(randn(bn.bias.shape) * 0.1);
        }
    }
}
