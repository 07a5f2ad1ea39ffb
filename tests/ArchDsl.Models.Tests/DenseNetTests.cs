using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>DenseNet-169 and a small DenseNet against PyTorch's torchvision 0.14.1 (recorded counts, layout, weights and outputs).</summary>
public class DenseNetTests(ITestOutputHelper output)
{
    [Fact]
    public void DenseNet169_counts_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("densenet169");
        TorchvisionLayout.AssertCounts(expected, DenseNet169.ParameterCount, DenseNet169.BufferCount, DenseNet169.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), DenseNet169.InputShape);
        output.WriteLine($"MACs {DenseNet169.Macs:N0}, PyTorch {expected.Macs:N0}");
    }

    [Fact]
    public void DenseNet169_state_dict_equals_PyTorch_in_order()
    {
        using var model = new DenseNet169();
        TorchvisionLayout.AssertSameLayout(model, TorchvisionFixtures.Keys("densenet169"));
        Assert.Equal(DenseNet169.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void DenseNetSmall_counts_and_state_dict_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("densenet_small");
        TorchvisionLayout.AssertCounts(expected, DenseNetSmall.ParameterCount, DenseNetSmall.BufferCount, DenseNetSmall.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), DenseNetSmall.InputShape);
        using var model = new DenseNetSmall();
        TorchvisionLayout.AssertSameLayout(model, expected);
        Assert.Equal(DenseNetSmall.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void DenseNetSmall_outputs_match_PyTorch_with_its_weights()
    {
        using var model = new DenseNetSmall();
        double maxAbs = TorchvisionLayout.MaxDifferenceFromPyTorch(model, TorchvisionFixtures.Load("densenet_small"));
        output.WriteLine($"max |Δ| = {maxAbs:E3}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    [Fact]
    public void DenseNetSmall_trains_forward_and_backward()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = new DenseNetSmall();
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
