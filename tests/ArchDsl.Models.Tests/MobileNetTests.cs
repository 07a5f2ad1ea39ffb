using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>MobileNetV2 against PyTorch's torchvision (recorded layout and counts) and TorchVision for .NET (outputs).</summary>
public class MobileNetTests
{
    [Fact]
    public void MobileNetV2_counts_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("mobilenet_v2");
        TorchvisionLayout.AssertCounts(expected, MobileNetV2.ParameterCount, MobileNetV2.BufferCount, MobileNetV2.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), MobileNetV2.InputShape);
    }

    [Fact]
    public void MobileNetV2_state_dict_equals_PyTorch_in_order()
    {
        using var model = new MobileNetV2();
        TorchvisionLayout.AssertSameLayout(model, TorchvisionFixtures.Keys("mobilenet_v2"));
    }

    [Fact]
    public void MobileNetV2_outputs_match_TorchVision_with_its_weights()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(11);
        using var theirs = torchvision.models.mobilenet_v2();
        using var ours = new MobileNetV2();
        theirs.train();
        using (no_grad()) theirs.call(randn(4, 3, 224, 224));   // non-trivial batch-norm statistics
        var a = ours.state_dict().Keys.ToHashSet();
        var b = theirs.state_dict().Keys.ToHashSet();
        Assert.True(a.SetEquals(b), "ours only: " + string.Join(", ", a.Except(b).Take(10)) + "; theirs only: " + string.Join(", ", b.Except(a).Take(10)));
        ours.load_state_dict(theirs.state_dict(), strict: true);
        theirs.eval();
        ours.eval();
        var x = randn(2, 3, 224, 224);
        using var _ = no_grad();
        var expected = theirs.call(x);
        var actual = ours.call(x);
        Assert.Equal(expected.shape, actual.shape);
        double maxAbs = (expected - actual).abs().max().item<float>();
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }
}
