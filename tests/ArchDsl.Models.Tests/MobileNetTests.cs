using System.Linq;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// The MobileNets against TorchVision for .NET, which has them with PyTorch's names: outputs with the same weights
/// (counts and layout against PyTorch are in <see cref="TorchvisionModelTests"/>).
/// </summary>
public class MobileNetTests
{
    [Theory]
    [InlineData("mobilenet_v2")]
    [InlineData("mobilenet_v3_small")]
    public void Outputs_match_TorchVision_with_its_weights(string name)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(13);
        using nn.Module<Tensor, Tensor> theirs = name == "mobilenet_v2" ? torchvision.models.mobilenet_v2() : torchvision.models.mobilenet_v3_small();
        using nn.Module<Tensor, Tensor> ours = name == "mobilenet_v2" ? new ArchDsl.Samples.MobileNetV2() : new MobileNetV3Small();
        // torchvision initialises the classifier with std 0.01 and zero biases, which leaves outputs near 1e-4, the
        // tolerance; as record.py does for its fixtures, re-randomise batch-norm statistics and affine parameters and
        // every bias, and give the linear layers unit-gain weights, so that every one of them changes the output.
        using (no_grad())
            foreach (var (key, t) in theirs.state_dict())
            {
                if (t.dtype != ScalarType.Float32) continue;
                if (key.EndsWith("running_var")) t.uniform_(0.5, 2.0);
                else if (t.dim() == 1 && key.EndsWith("weight")) t.uniform_(0.5, 1.5);
                else if (t.dim() == 1) t.normal_(0, 0.2);
                else if (t.dim() == 2) t.normal_(0, 1.0 / System.Math.Sqrt(t.shape[1]));
            }
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
