using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>MobileNetV3-Small against PyTorch's torchvision (recorded layout and counts) and TorchVision for .NET (outputs).</summary>
public class MobileNetV3Tests
{
    [Fact]
    public void MobileNetV3Small_counts_equal_PyTorch()
    {
        var expected = TorchvisionFixtures.Keys("mobilenet_v3_small");
        TorchvisionLayout.AssertCounts(expected, MobileNetV3Small.ParameterCount, MobileNetV3Small.BufferCount, MobileNetV3Small.Macs);
        Assert.Equal(expected.Input.Select(i => (long)i), MobileNetV3Small.InputShape);
    }

    [Fact]
    public void MobileNetV3Small_state_dict_equals_PyTorch_in_order()
    {
        using var model = new MobileNetV3Small();
        TorchvisionLayout.AssertSameLayout(model, TorchvisionFixtures.Keys("mobilenet_v3_small"));
    }

    [Fact]
    public void MobileNetV3Small_runtime_parameters_equal_the_constant()
    {
        using var model = new MobileNetV3Small();
        Assert.Equal(MobileNetV3Small.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void MobileNetV3Small_outputs_match_TorchVision_with_its_weights()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(13);
        using var theirs = torchvision.models.mobilenet_v3_small();
        using var ours = new MobileNetV3Small();
        // torchvision initialises the classifier with std 0.01 and zero biases, which leaves outputs near 1e-4, the
        // tolerance; as record.py does for its fixtures, re-randomise batch-norm statistics and affine parameters and
        // every bias, and give the linear layers unit-gain weights, so that every one of them changes the output.
        using (no_grad())
            foreach (var (name, t) in theirs.state_dict())
            {
                if (t.dtype != ScalarType.Float32) continue;
                if (name.EndsWith("running_var")) t.uniform_(0.5, 2.0);
                else if (t.dim() == 1 && name.EndsWith("weight")) t.uniform_(0.5, 1.5);
                else if (t.dim() == 1) t.normal_(0, 0.2);
                else if (t.dim() == 2) t.normal_(0, 1.0 / System.Math.Sqrt(t.shape[1]));
            }
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
        Assert.True(expected.abs().max().item<float>() > 0.1, "outputs too small for the tolerance to mean anything");
    }

    [Fact]
    public void MobileNetV3Small_batch_norms_have_TorchVisions_eps_and_momentum()
    {
        // torchvision's mobilenetv3.py: norm_layer = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01).
        using var theirs = torchvision.models.mobilenet_v3_small();
        using var ours = new MobileNetV3Small();
        var expected = theirs.named_modules().Where(m => m.module is BatchNorm2d)
            .Select(m => (m.name, ((BatchNorm2d)m.module).eps, ((BatchNorm2d)m.module).momentum)).ToList();
        var actual = ours.named_modules().Where(m => m.module is BatchNorm2d)
            .Select(m => (m.name, ((BatchNorm2d)m.module).eps, ((BatchNorm2d)m.module).momentum)).ToList();
        Assert.Equal(TorchvisionFixtures.Keys("mobilenet_v3_small").Keys.Count(k => k.EndsWith(".running_var")), expected.Count);
        Assert.Equal(expected, actual);
        Assert.All(expected, bn => Assert.True(bn.eps == 0.001 && bn.momentum == 0.01, $"{bn.name}: eps {bn.eps}, momentum {bn.momentum}"));
    }
}
