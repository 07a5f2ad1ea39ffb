using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Build.Tests;

/// <summary>TorchSharp's native library loads and computes in this process (on Debian 12 only thanks to the patch).</summary>
public class TorchSharpLoadTests
{
    [Fact]
    public void TensorSumComputes()
    {
        using Tensor ones = torch.ones(3);
        using Tensor sum = ones.sum();
        Assert.Equal(3f, sum.item<float>());
    }

    [Fact]
    public void LinearForwardMatchesManualComputation()
    {
        torch.manual_seed(1);
        using var linear = nn.Linear(4, 2);
        using Tensor input = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 4);
        using Tensor output = linear.forward(input);
        Assert.Equal(new long[] { 1, 2 }, output.shape);

        float[] weight = linear.weight!.data<float>().ToArray();
        float[] bias = linear.bias!.data<float>().ToArray();
        float[] actual = output.data<float>().ToArray();
        for (int row = 0; row < 2; row++)
        {
            float expected = bias[row];
            for (int col = 0; col < 4; col++) expected += weight[row * 4 + col] * (col + 1);
            Assert.Equal(expected, actual[row], 4);
        }
    }

    [Fact]
    public void OneTrainingStepLowersTheLoss()
    {
        torch.manual_seed(2);
        using var linear = nn.Linear(3, 1);
        using Tensor x = torch.randn(16, 3);
        using Tensor y = x.sum(1, keepdim: true);
        using var optimizer = optim.SGD(linear.parameters(), 0.1);

        float Loss()
        {
            using Tensor loss = nn.functional.mse_loss(linear.forward(x), y);
            return loss.item<float>();
        }

        float before = Loss();
        optimizer.zero_grad();
        using (Tensor loss = nn.functional.mse_loss(linear.forward(x), y)) loss.backward();
        optimizer.step();
        Assert.True(Loss() < before, "SGD step should lower the loss");
    }
}
