using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>ConvNeXt against PyTorch's torchvision: convnext_small's recorded counts and layout, and the small
/// configuration's recorded weights and eval output.</summary>
public class ConvNeXtTests(ITestOutputHelper output)
{
    [Fact]
    public void ConvNeXtSmall_counts_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("convnext_small");
        TorchvisionLayout.AssertCounts(expected, ConvNeXtSmall.ParameterCount, ConvNeXtSmall.BufferCount, ConvNeXtSmall.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), ConvNeXtSmall.InputShape);
    }

    [Fact]
    public void ConvNeXtSmall_state_dict_equals_PyTorch_in_order()
    {
        using var model = new ConvNeXtSmall();
        TorchvisionLayout.AssertSameLayout(model, TorchvisionFixtures.Keys("convnext_small"));
        Assert.Equal(ConvNeXtSmall.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Small_configuration_counts_and_layout_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("convnext_tiny_config");
        TorchvisionLayout.AssertCounts(expected, ConvNeXtSmallConfig.ParameterCount, ConvNeXtSmallConfig.BufferCount, ConvNeXtSmallConfig.Macs);
        using var model = new ConvNeXtSmallConfig();
        TorchvisionLayout.AssertSameLayout(model, expected);
        Assert.Equal(ConvNeXtSmallConfig.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Small_configuration_outputs_match_PyTorch()
    {
        using var model = new ConvNeXtSmallConfig();
        double maxAbs = TorchvisionLayout.MaxDifferenceFromPyTorch(model, TorchvisionFixtures.Load("convnext_tiny_config"));
        output.WriteLine($"max |Δ| from PyTorch = {maxAbs:E3}; MACs {ConvNeXtSmallConfig.Macs:N0}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    [Fact]
    public void Small_configuration_trains_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new ConvNeXtSmallConfig();
        model.train();
        var logits = model.call(randn(2, 3, 32, 32));
        Assert.Equal(new long[] { 2, 10 }, logits.shape);
        logits.square().mean().backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
        }
        Assert.Contains(model.parameters(), p => p.grad!.abs().max().item<float>() > 0);
    }

    [Fact]
    public void Stochastic_depth_rises_as_torchvision_sets_it()
    {
        // torchvision's ConvNeXt: block b of 36 drops with 0.4 · b / 35.
        using var model = new ConvNeXtSmall();
        var p = model.modules().OfType<ArchDsl.Layers.StochasticDepth>().Select(m => m.P).ToList();
        Assert.Equal(36, p.Count);
        for (int b = 0; b < p.Count; b++) Assert.Equal(0.4 * b / 35, p[b], 12);
        using var small = new ConvNeXtSmallConfig();
        Assert.All(small.modules().OfType<ArchDsl.Layers.StochasticDepth>(), m => Assert.Equal(0.0, m.P));
    }
}
