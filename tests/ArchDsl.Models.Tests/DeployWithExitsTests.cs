using System.Linq;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>Early exits after a folding pair: the exits stay in both forms.</summary>
[Model, Input(3, 16, 16), Exit(nameof(conv2))]
public partial class ExitsWithNorms
{
    [Conv2d(8, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Conv2d(8, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn2;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
    [Flatten] Flatten flatten;
    [Linear(10)] Linear fc;
}

/// <summary>Deploy forms beside other forms of a model.</summary>
public class DeployWithExitsTests
{
    [Fact]
    public void Deploy_counts_keep_the_exits()
    {
        // conv 3·8·9 + BN 2·8, conv 8·8·9 + BN 2·8, fc 8·10 + 10, the exit's linear 8·10 + 10; deployed, each BN's 16
        // parameters become its convolution's 8 biases.
        long training = 3 * 8 * 9 + 16 + 8 * 8 * 9 + 16 + 90 + 90;
        long deployed = training - 2 * 8;
        long generated = ExitsWithNorms.ParameterCount, generatedDeploy = ExitsWithNorms.DeployParameterCount;
        Assert.Equal(training, generated);
        Assert.Equal(deployed, generatedDeploy);

        using var scope = NewDisposeScope();
        using var model = new ExitsWithNorms();
        model.eval();
        var x = randn(2, 3, 16, 16);
        using var _ = no_grad();
        var before = model.ForwardExits(x).Select(t => t.clone()).ToList();
        model.ToDeployForm();
        Assert.Equal(deployed, model.parameters().Sum(p => p.numel()));
        var after = model.ForwardExits(x);
        for (int k = 0; k < before.Count; k++)
            Assert.True((before[k] - after[k]).abs().max().item<float>() < 1e-5f, $"exit {k} differs");
    }
}
