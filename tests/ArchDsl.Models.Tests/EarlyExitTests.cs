using System.Linq;
using ArchDsl.Samples;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>The early-exit sample (EarlyExitNet): counts to each exit by hand, and the thresholded forward.</summary>
public class EarlyExitTests
{
    /// <summary>
    /// MACs to an exit: the convolutions up to its stage, and every exit up to it (those before it ran and were not
    /// confident). An exit averages its map (no MACs) and has a linear layer of C·10 MACs.
    /// </summary>
    [Fact]
    public void Macs_to_each_exit_equal_a_hand_count()
    {
        const long stem = 32 * 32 * 16 * 3 * 9, stage1 = 32 * 32 * 16 * 16 * 9, stage2 = 16 * 16 * 32 * 16 * 9,
            stage3 = 8 * 8 * 64 * 32 * 9, fc = 64 * 10, exit0 = 16 * 10, exit1 = 32 * 10;
        Assert.Equal(stem + stage1 + exit0, EarlyExitNet.Exit0Macs);
        Assert.Equal(stem + stage1 + exit0 + stage2 + exit1, EarlyExitNet.Exit1Macs);
        Assert.Equal(stem + stage1 + stage2 + stage3 + fc + exit0 + exit1, EarlyExitNet.Exit2Macs);
        Assert.Equal(stem + stage1 + stage2 + stage3 + fc, EarlyExitNet.Macs);   // forward(x) runs no exit
        Assert.Equal(new[] { EarlyExitNet.Exit0Macs, EarlyExitNet.Exit1Macs, EarlyExitNet.Exit2Macs }, EarlyExitNet.ExitMacs);

        const long convs = (3 * 16 * 9 + 16) + (16 * 16 * 9 + 16), exits = (16 * 10 + 10) + (32 * 10 + 10);
        Assert.Equal(convs + 16 * 10 + 10, EarlyExitNet.Exit0ParameterCount);
        Assert.Equal(convs + exits + (16 * 32 * 9 + 32), EarlyExitNet.Exit1ParameterCount);
        Assert.Equal(convs + exits + (16 * 32 * 9 + 32) + (32 * 64 * 9 + 64) + (64 * 10 + 10), EarlyExitNet.ParameterCount);
        using var model = new EarlyExitNet();
        Assert.Equal(EarlyExitNet.ParameterCount, model.parameters().Sum(p => p.numel()));
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Contains(string.Format(inv, "exit 1 after stage2: output 10, {0:N0} parameters, {1:N0} MACs\n",
            convs + exits + (16 * 32 * 9 + 32), stem + stage1 + exit0 + stage2 + exit1), EarlyExitNet.Summary);
    }

    [Theory]
    [InlineData(ExitMode.PerBatch)]
    [InlineData(ExitMode.PerSample)]
    public void Threshold_zero_returns_at_the_first_exit_and_above_one_at_the_last(ExitMode mode)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        using var model = new EarlyExitNet();
        model.eval();
        var x = randn(6, 3, 32, 32);
        using var _ = no_grad();
        var all = model.ForwardExits(x);
        Assert.Equal(3, all.Length);

        var (first, firstExit) = model.forward(x, 0.0, mode);
        Assert.True(firstExit.eq(0).all().item<bool>());
        Assert.True(first.allclose(all[0], rtol: 0, atol: 1e-6));

        var (last, lastExit) = model.forward(x, 1.01, mode);
        Assert.True(lastExit.eq(2).all().item<bool>());
        Assert.True(last.allclose(all[2], rtol: 0, atol: 1e-5));
        Assert.True(last.allclose(model.call(x), rtol: 0, atol: 1e-5));
    }

    /// <summary>
    /// Per sample, each sample takes its own first exit whose confidence reaches the threshold. The threshold is the
    /// median of the first exit's confidences on this batch, so about half stop there and the rest run on; the
    /// expected exit and logits are worked out here from ForwardExits' logits and softmax.
    /// </summary>
    [Fact]
    public void Per_sample_mode_mixes_exits()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(11);
        using var model = new EarlyExitNet();
        model.eval();
        var x = randn(8, 3, 32, 32) * 3;
        using var _ = no_grad();
        var all = model.ForwardExits(x);
        var confidence = all.Select(l => nn.functional.softmax(l, -1).max(-1).values).ToArray();
        double threshold = confidence[0].median().item<float>();

        var (logits, taken) = model.forward(x, threshold, ExitMode.PerSample);
        var exits = taken.data<long>().ToArray();
        for (int i = 0; i < 8; i++)
        {
            int expected = 2;
            for (int k = 0; k < 2; k++)
                if (confidence[k][i].item<float>() >= threshold) { expected = k; break; }
            Assert.Equal(expected, exits[i]);
            Assert.True(logits[i].allclose(all[expected][i], rtol: 0, atol: 1e-5), $"sample {i}");
        }
        Assert.Contains(0L, exits);
        Assert.Contains(exits, e => e != 0);

        // Per batch, the same threshold sends the whole batch on: not every sample is confident at the first exit.
        var (_, batchTaken) = model.forward(x, threshold, ExitMode.PerBatch);
        Assert.True(batchTaken.ne(0).all().item<bool>());
    }

    /// <summary>Training: a loss on every exit's logits reaches every parameter, and one step lowers it.</summary>
    [Fact]
    public void Trains_a_step_on_all_exits()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        using var model = new EarlyExitNet();
        var x = randn(4, 3, 32, 32);
        var target = randint(0, 10, new long[] { 4 });
        var optimizer = optim.SGD(model.parameters(), 0.05);
        Tensor Loss() => model.ForwardExits(x).Select(l => nn.functional.cross_entropy(l, target)).Aggregate((a, b) => a + b);
        var loss = Loss();
        loss.backward();
        Assert.All(model.named_parameters(), p => Assert.True(p.parameter.grad is not null, p.name));
        Assert.Contains(model.named_parameters(), p => p.name == "exits.0.fc.weight");
        optimizer.step();
        float before = loss.item<float>();
        float after;
        using (no_grad()) after = Loss().item<float>();
        Assert.True(after < before, $"loss {before} → {after}");
    }
}
