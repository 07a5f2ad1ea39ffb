using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// EfficientNet-B1 against PyTorch's torchvision (recorded layout and counts), and the small configuration
/// efficientnet_small against PyTorch's recorded weights and outputs.
/// </summary>
public class EfficientNetTests
{
    [Fact]
    public void EfficientNetB1_counts_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("efficientnet_b1");
        TorchvisionLayout.AssertCounts(expected, EfficientNetB1.ParameterCount, EfficientNetB1.BufferCount, EfficientNetB1.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), EfficientNetB1.InputShape);
    }

    [Fact]
    public void EfficientNetB1_state_dict_equals_PyTorch_in_order()
    {
        using var model = new EfficientNetB1();
        TorchvisionLayout.AssertSameLayout(model, TorchvisionFixtures.Keys("efficientnet_b1"));
    }

    [Fact]
    public void EfficientNetB1_runtime_parameters_equal_the_constant()
    {
        using var model = new EfficientNetB1();
        Assert.Equal(EfficientNetB1.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void EfficientNetB1_batch_norms_have_PyTorchs_defaults()
    {
        // torchvision's efficientnet.py: B0-B4 use nn.BatchNorm2d as it is (eps 1e-5, momentum 0.1).
        using var model = new EfficientNetB1();
        var norms = model.modules().OfType<BatchNorm2d>().ToList();
        Assert.Equal(TorchvisionFixtures.Keys("efficientnet_b1").Keys.Count(k => k.EndsWith(".running_var")), norms.Count);
        Assert.All(norms, bn => Assert.True(bn.eps == 1e-5 && bn.momentum == 0.1, $"eps {bn.eps}, momentum {bn.momentum}"));
    }

    [Fact]
    public void EfficientNetSmall_counts_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("efficientnet_small");
        TorchvisionLayout.AssertCounts(expected, EfficientNetSmall.ParameterCount, EfficientNetSmall.BufferCount, EfficientNetSmall.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), EfficientNetSmall.InputShape);
    }

    [Fact]
    public void EfficientNetSmall_state_dict_equals_PyTorch_in_order()
    {
        using var model = new EfficientNetSmall();
        TorchvisionLayout.AssertSameLayout(model, TorchvisionFixtures.Keys("efficientnet_small"));
        Assert.Equal(EfficientNetSmall.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void EfficientNetSmall_outputs_match_PyTorch_with_its_weights()
    {
        using var model = new EfficientNetSmall();
        double maxAbs = TorchvisionLayout.MaxDifferenceFromPyTorch(model, TorchvisionFixtures.Load("efficientnet_small"));
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    [Fact]
    public void EfficientNetSmall_trains_a_step()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(17);
        using var model = new EfficientNetSmall();
        model.train();
        var x = randn(4, 3, 32, 32);
        var loss = nn.functional.cross_entropy(model.call(x), tensor(new long[] { 0, 3, 5, 9 }));
        loss.backward();
        Assert.True(float.IsFinite(loss.item<float>()));
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"{name} has no gradient");
    }

    [Fact]
    public void Stochastic_depth_rises_as_torchvision_sets_it_and_only_on_residual_branches()
    {
        // torchvision's EfficientNet: block k of 23 drops with 0.2 · k / 23; a block that changes the shape adds no input
        // and never drops (its StochasticDepth exists but is not applied).
        using var model = new EfficientNetB1();
        var p = model.modules().OfType<ArchDsl.Layers.StochasticDepth>().Select(m => m.P).ToList();
        Assert.Equal(23, p.Count);
        for (int k = 0; k < p.Count; k++) Assert.Equal(0.2 * k / 23, p[k], 12);

        using var scope = NewDisposeScope();
        using var small = new EfficientNetSmall();
        foreach (var sd in small.modules().OfType<ArchDsl.Layers.StochasticDepth>()) sd.P = 1.0;   // drops every branch it runs on
        small.train();
        torch.manual_seed(1);
        var blocks = small.named_modules().Where(m => m.module is nn.Module<Tensor, Tensor>).ToDictionary(m => m.name, m => (nn.Module<Tensor, Tensor>)m.module);
        // features.2.0 changes 16 → 24 channels with stride 2, so it adds no input: its output must survive.
        var changed = blocks["features.2.0"].call(randn(2, 16, 16, 16));
        Assert.True(changed.abs().sum().item<float>() > 0, "a block without a residual add was dropped by stochastic depth");
        // features.2.1 keeps the shape and adds its input: with the branch dropped, the output is the input.
        var kept = randn(2, 24, 8, 8);
        Assert.Equal(0f, (blocks["features.2.1"].call(kept) - kept).abs().max().item<float>());
    }
}
