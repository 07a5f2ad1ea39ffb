using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>EfficientNet beyond its counts and layout (<see cref="TorchvisionModelTests"/>): norms and stochastic depth.</summary>
public class EfficientNetTests
{
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
