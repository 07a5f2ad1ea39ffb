using System.Linq;
using ArchDsl.Layers;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>RepVGG's block written by hand: three branches from one value (Input = nameof(dense)) summed with [Sum],
/// under the official names.</summary>
[Block]
public partial class HandRepVgg
{
    [Conv2d("inChannels", Kernel = 3, Padding = 1, Bias = false, Key = "rbr_dense.conv")] Conv2d dense;
    [BatchNorm2d(Key = "rbr_dense.bn")] BatchNorm2d dense_bn;
    [Conv2d("inChannels", Kernel = 1, Bias = false, Input = nameof(dense), Key = "rbr_1x1.conv")] Conv2d one;
    [BatchNorm2d(Key = "rbr_1x1.bn"), Sum(From = nameof(one))] BatchNorm2d one_bn;
    [BatchNorm2d(Input = nameof(dense), Key = "rbr_identity", Activation = Act.ReLU), Sum(From = nameof(identity))] BatchNorm2d identity;
}

/// <summary>Two hand-written RepVGG blocks.</summary>
[Model, Input(8, 16, 16)]
public partial class HandRepVggNet
{
    [Use(typeof(HandRepVgg))] HandRepVgg b0;
    [Use(typeof(HandRepVgg))] HandRepVgg b1;
}

/// <summary>The same two blocks as the [RepVgg] kind: the reference.</summary>
[Model, Input(8, 16, 16)]
public partial class KindRepVggNet
{
    [RepVgg(8, Activation = Act.ReLU)] RepVgg b0;
    [RepVgg(8, Activation = Act.ReLU)] RepVgg b1;
}

/// <summary>Two branches from one value, concatenated (an Inception-style module).</summary>
[Model, Input(4, 8, 8)]
public partial class Branchy
{
    [Conv2d(6, Kernel = 1)] Conv2d a;
    [Conv2d(5, Kernel = 3, Padding = 1, Input = nameof(a)), Concat(From = nameof(b))] Conv2d b;
}

/// <summary>Layers that read an earlier value (Input = nameof(member)): branches beside the running value.</summary>
public class BranchTests
{
    [Fact]
    public void RepVgg_written_by_hand_is_the_RepVgg_kind()
    {
        // Per block: 3×3 conv 8·8·9, its BN 2·8, 1×1 conv 8·8, its BN 2·8, identity BN 2·8.
        long expected = 2 * (8 * 8 * 9 + 16 + 8 * 8 + 16 + 16);
        long hand = HandRepVggNet.ParameterCount, kind = KindRepVggNet.ParameterCount;
        Assert.Equal(expected, hand);
        Assert.Equal(expected, kind);

        using var scope = NewDisposeScope();
        manual_seed(41);
        using var reference = new KindRepVggNet();
        using var model = new HandRepVggNet();
        var referenceState = reference.state_dict();
        using (no_grad())
            foreach (var (key, value) in referenceState)
            {
                if (key.EndsWith("running_mean", System.StringComparison.Ordinal)) value.copy_(randn_like(value) * 0.1);
                if (key.EndsWith("running_var", System.StringComparison.Ordinal)) value.copy_(rand_like(value) + 0.5);
                if (key.EndsWith("bn.weight", System.StringComparison.Ordinal) || key.EndsWith("identity.weight", System.StringComparison.Ordinal)) value.copy_(rand_like(value) + 0.5);
            }
        // The same state_dict names, in order, as the official block's: it loads strictly.
        Assert.Equal(referenceState.Keys.ToList(), model.state_dict().Keys.ToList());
        model.load_state_dict(referenceState, strict: true);
        reference.eval();
        model.eval();
        var x = randn(2, 8, 16, 16);
        using var _ = no_grad();
        var difference = (reference.call(x) - model.call(x)).abs().max().item<float>();
        Assert.True(difference < 1e-5f, $"max difference {difference}");

        // Deployed, the 3×3 and 1×1 batch norms fold into their convolutions; the identity branch's norm reads another
        // value than the layer before it, so it stays.
        long deployExpected = 2 * (8 * 8 * 9 + 8 + 8 * 8 + 8 + 16);
        long deployGenerated = HandRepVggNet.DeployParameterCount;
        Assert.Equal(deployExpected, deployGenerated);
        var trained = model.call(x).clone();
        model.ToDeployForm();
        Assert.Equal(deployExpected, model.parameters().Sum(p => p.numel()));
        var deployed = (trained - model.call(x)).abs().max().item<float>();
        Assert.True(deployed < 1e-5f, $"deploy form differs by {deployed}");
    }

    [Fact]
    public void Branches_from_one_value_concatenate()
    {
        long expected = 4 * 6 + 6 + 4 * 5 * 9 + 5;
        long generated = Branchy.ParameterCount;
        Assert.Equal(expected, generated);
        long macs = 8 * 8 * 6 * 4 + 8 * 8 * 5 * 4 * 9, generatedMacs = Branchy.Macs;
        Assert.Equal(macs, generatedMacs);
        Assert.Equal(new long[] { 11, 8, 8 }, Branchy.OutputShape);

        using var scope = NewDisposeScope();
        using var model = new Branchy();
        var layers = model.named_children().ToDictionary(c => c.name, c => c.module);
        var x = randn(2, 4, 8, 8);
        // Both branches read x: cat([a(x), b(x)]) along channels, composed here from the module's own layers.
        var expectedOutput = cat(new[] { ((Conv2d)layers["a"]).call(x), ((Conv2d)layers["b"]).call(x) }, 1);
        var difference = (model.call(x) - expectedOutput).abs().max().item<float>();
        Assert.True(difference < 1e-6f, $"max difference {difference}");
    }
}
