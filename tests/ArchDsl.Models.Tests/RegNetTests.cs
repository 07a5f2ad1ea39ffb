using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>RegNetX-400MF and a small RegNet against PyTorch's torchvision 0.14.1 (recorded counts, layout, weights and outputs).</summary>
public class RegNetTests(ITestOutputHelper output)
{
    [Fact]
    public void RegNetX400MF_counts_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("regnet_x_400mf");
        TorchvisionLayout.AssertCounts(expected, RegNetX400MF.ParameterCount, RegNetX400MF.BufferCount, RegNetX400MF.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), RegNetX400MF.InputShape);
        output.WriteLine($"MACs {RegNetX400MF.Macs:N0}, PyTorch {expected.Macs:N0}");
    }

    [Fact]
    public void RegNetX400MF_state_dict_equals_PyTorch_in_order()
    {
        // Each block's proj before its f, as torchvision registers them (Residual's ShortcutFirst).
        using var model = new RegNetX400MF();
        TorchvisionLayout.AssertSameLayout(model, TorchvisionFixtures.Keys("regnet_x_400mf"));
        Assert.Equal(RegNetX400MF.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void RegNetSmall_counts_and_state_dict_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("regnet_small");
        TorchvisionLayout.AssertCounts(expected, RegNetSmall.ParameterCount, RegNetSmall.BufferCount, RegNetSmall.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), RegNetSmall.InputShape);
        using var model = new RegNetSmall();
        TorchvisionLayout.AssertSameLayout(model, expected);
        Assert.Equal(RegNetSmall.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void RegNetSmall_outputs_match_PyTorch_with_its_weights()
    {
        using var model = new RegNetSmall();
        double maxAbs = TorchvisionLayout.MaxDifferenceFromPyTorch(model, TorchvisionFixtures.Load("regnet_small"));
        output.WriteLine($"max |Δ| = {maxAbs:E3}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    [Fact]
    public void RegNetSmall_trains_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = new RegNetSmall();
        model.train();
        var logits = model.call(randn(2, 3, 32, 32));
        Assert.Equal(new long[] { 2, 10 }, logits.shape);
        nn.functional.cross_entropy(logits, tensor(new long[] { 1, 7 })).backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
        }
        Assert.Contains(model.named_parameters(), p => p.parameter.grad!.abs().sum().item<float>() > 0);
    }
}
