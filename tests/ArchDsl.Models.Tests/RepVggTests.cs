using System.Linq;
using ArchDsl.Samples;
using TorchSharp.Modules;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>RepVGG's training and deploy forms: the published RepVGG-A0 figures for both, the runtime sizes of both,
/// and the converted module's eval outputs against the training form's.</summary>
public class RepVggTests(ITestOutputHelper output)
{
    [Fact]
    public void RepVggA0_counts_equal_the_published_figures_in_both_forms()
    {
        // The figures (RepVGG-A0 at 224: 9.11 M parameters as trained, 8.31 M deployed; 1.52 G MACs per the paper's table).
        long parameters = RepVggA0.ParameterCount, deployParameters = RepVggA0.DeployParameterCount;
        long macs = RepVggA0.Macs, deployMacs = RepVggA0.DeployMacs, deployBuffers = RepVggA0.DeployBufferCount;
        Assert.Equal(9_108_968, parameters);
        Assert.Equal(8_309_384, deployParameters);
        Assert.Equal(1_512_581_120, macs);
        Assert.Equal(1_361_451_008, deployMacs);
        Assert.Equal(0, deployBuffers);
    }

    [Fact]
    public void RepVggA0_deploy_counts_equal_a_hand_count()
    {
        // Deployed, every block is a 3×3 convolution with bias: 9·C_in·C_out + C_out parameters, H·W·9·C_in·C_out MACs.
        long parameters = 0, macs = 0, cin = 3, side = 224;
        foreach (var (blocks, width) in new[] { (1, 48L), (2, 48L), (4, 96L), (14, 192L), (1, 1280L) })
            for (int b = 0; b < blocks; b++)
            {
                if (b == 0) side /= 2;
                parameters += 9 * cin * width + width;
                macs += side * side * 9 * cin * width;
                cin = width;
            }
        parameters += 1280 * 1000 + 1000;
        macs += 1280 * 1000;
        long generatedParameters = RepVggA0.DeployParameterCount, generatedMacs = RepVggA0.DeployMacs;
        Assert.Equal(parameters, generatedParameters);
        Assert.Equal(macs, generatedMacs);
    }

    [Fact]
    public void RepVggA0_runtime_sizes_equal_the_constants_in_both_forms()
    {
        using var model = new RepVggA0();
        Assert.Equal(RepVggA0.ParameterCount, model.parameters().Sum(p => p.numel()));
        Assert.Equal(RepVggA0.BufferCount, model.buffers().Sum(b => b.numel()));
        model.ToDeployForm();
        Assert.Equal(RepVggA0.DeployParameterCount, model.parameters().Sum(p => p.numel()));
        Assert.Equal(RepVggA0.DeployBufferCount, model.buffers().Sum(b => b.numel()));
        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("stage0.rbr_reparam.weight", keys);
        Assert.Contains("stage3.13.block.rbr_reparam.bias", keys);
        Assert.DoesNotContain(keys, k => k.Contains("rbr_dense") || k.Contains("rbr_1x1") || k.Contains("rbr_identity"));
    }

    [Fact]
    public void RepVggA0_deploy_form_computes_the_training_form_s_eval_output()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var model = new RepVggA0();
        RandomiseBatchNorms(model);
        model.eval();
        var x = randn(2, 3, 224, 224);
        using var _ = no_grad();
        var trained = model.call(x).clone();
        model.ToDeployForm();
        Assert.All(model.modules().OfType<ArchDsl.Layers.RepVgg>(), r => Assert.True(r.Deployed));
        var deployed = model.call(x);
        double maxAbs = (trained - deployed).abs().max().item<float>();
        output.WriteLine($"max |Δ| = {maxAbs:E3}; output max |y| = {trained.abs().max().item<float>():F3}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    [Fact]
    public void Small_deploy_form_matches_and_training_form_trains()
    {
        using var scope = NewDisposeScope();
        manual_seed(22);
        using var model = new RepVggSmall();
        model.train();
        var logits = model.call(randn(4, 3, 32, 32));
        logits.square().mean().backward();
        Assert.All(model.parameters(), p => Assert.True(p.grad is not null && p.grad.isfinite().all().item<bool>()));
        RandomiseBatchNorms(model);
        model.eval();
        var x = randn(3, 3, 32, 32);
        using var _ = no_grad();
        var trained = model.call(x).clone();
        model.ToDeployForm();
        Assert.Equal(RepVggSmall.DeployParameterCount, model.parameters().Sum(p => p.numel()));
        double maxAbs = (trained - model.call(x)).abs().max().item<float>();
        output.WriteLine($"max |Δ| = {maxAbs:E3}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
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
