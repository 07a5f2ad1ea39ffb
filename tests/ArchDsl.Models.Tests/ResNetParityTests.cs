using System.Collections.Generic;
using System.Linq;
using ArchDsl.Samples;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>Generated ResNets against TorchVision for .NET: same state_dict, same outputs with the same weights.</summary>
public class ResNetParityTests
{
    private static nn.Module<Tensor, Tensor> Generated(string name) => name switch
    {
        "resnet18" => new ResNet18(),
        _ => new ResNet50(),
    };

    private static nn.Module<Tensor, Tensor> Reference(string name) => name switch
    {
        "resnet18" => torchvision.models.resnet18(),
        _ => torchvision.models.resnet50(),
    };

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void State_dict_keys_and_shapes_match_torchvision(string name)
    {
        using var ours = Generated(name);
        using var theirs = Reference(name);
        var a = ours.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var b = theirs.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(b.Keys.OrderBy(k => k, System.StringComparer.Ordinal), a.Keys.OrderBy(k => k, System.StringComparer.Ordinal));
        foreach (var key in b.Keys) Assert.True(b[key].SequenceEqual(a[key]), $"{key}: ours {string.Join("x", a[key])}, torchvision {string.Join("x", b[key])}");
    }

    [Theory]
    [InlineData("resnet18", 2)]
    [InlineData("resnet50", 1)]
    public void Outputs_match_torchvision_with_its_weights(string name, int batch)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        using var theirs = Reference(name);
        using var ours = Generated(name);
        // Give the batch norms non-trivial statistics so eval mode exercises them.
        theirs.train();
        using (no_grad()) theirs.call(randn(4, 3, 224, 224));
        ours.load_state_dict(theirs.state_dict(), strict: true);
        theirs.eval();
        ours.eval();
        var x = randn(batch, 3, 224, 224);
        using var _ = no_grad();
        var expected = theirs.call(x);
        var actual = ours.call(x);
        Assert.Equal(expected.shape, actual.shape);
        double maxAbs = (expected - actual).abs().max().item<float>();
        Assert.True(maxAbs <= 1e-5, $"max |Δ| = {maxAbs:E3}");
    }

    [Fact]
    public void Runtime_parameter_count_equals_the_constants()
    {
        using var r18 = new ResNet18();
        using var r50 = new ResNet50();
        Assert.Equal(ResNet18.ParameterCount, r18.parameters().Sum(p => p.numel()));
        Assert.Equal(ResNet50.ParameterCount, r50.parameters().Sum(p => p.numel()));
        Assert.Equal(ResNet50.BufferCount, r50.buffers().Sum(p => p.numel()));
    }

    [Fact]
    public void Forward_returns_the_declared_output_shape_and_trains()
    {
        using var scope = NewDisposeScope();
        using var model = new ResNet18();
        var x = randn(2, 3, 224, 224);
        var y = model.call(x);
        Assert.Equal(new long[] { 2, 1000 }, y.shape);
        var optimizer = optim.SGD(model.parameters(), 0.01);
        var target = tensor(new long[] { 3, 7 });
        var loss = nn.functional.cross_entropy(y, target);
        loss.backward();
        optimizer.step();
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
    }
}
