using System;
using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>A small residual block for the leak test (convolutions, batch norm, a residual).</summary>
[Block]
[Param("stride", 1)]
public partial class LeakBlock
{
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride")] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
    [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv1))] BatchNorm2d bn2;
}

/// <summary>A small generated model (stages, a down-sampling residual, a head) that runs fast on CPU.</summary>
[Model, Input(3, 32, 32)]
public partial class LeakNet
{
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv1;
    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
    [Stage(typeof(LeakBlock), 2, "width = 16")] Sequential layer1;
    [Stage(typeof(LeakBlock), 2, "width = 32, stride = 2")] Sequential layer2;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(10)] Linear fc;
}

/// <summary>Runs alone, after the parallel tests: memory and thread contention from other tests would blur the figures.</summary>
[CollectionDefinition(nameof(LeakTests), DisableParallelization = true)]
public sealed class LeakTestsCollection
{
}

/// <summary>
/// 1,000 forward passes of a generated model keep process memory flat: the tensors made inside
/// <c>forward</c> are owned by its dispose scope, so only the returned output is the caller's.
/// </summary>
[Collection(nameof(LeakTests))]
public class LeakTests
{
    private const int Passes = 1000;
    private const int WarmUp = 50;
    private const long MaxRssGrowthBytes = 50L * 1024 * 1024;

    private readonly ITestOutputHelper _output;

    public LeakTests(ITestOutputHelper output) => _output = output;

    // Live tensors of this thread as TorchSharp counts them (created minus disposed, all scopes).
    private static long LiveTensors() => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    private static long Rss()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    [Theory]
    [InlineData(false)] // eval, no_grad: inference
    [InlineData(true)]  // train mode with autograd: batch-norm statistics update, graph built and freed
    public void Thousand_forward_passes_keep_memory_flat(bool training)
    {
        torch.manual_seed(11);
        using var model = new LeakNet();
        if (training) model.train(); else model.eval();
        using var x = randn(4, 3, 32, 32, requires_grad: false);

        void Pass()
        {
            using var noGrad = training ? null : no_grad();
            using var y = model.call(x);
            if (training)
            {
                using var loss = y.sum();
                loss.backward();
                model.zero_grad();
            }
        }

        for (int i = 0; i < WarmUp; i++) Pass();
        long tensorsBefore = LiveTensors();
        long rssBefore = Rss();

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Passes; i++) Pass();
        clock.Stop();

        long tensorsAfter = LiveTensors();
        long rssAfter = Rss();
        long growth = rssAfter - rssBefore;
        _output.WriteLine(
            $"{(training ? "train" : "eval")}: {Passes} passes in {clock.Elapsed.TotalSeconds:F2} s; " +
            $"RSS {rssBefore / 1048576.0:F1} MB -> {rssAfter / 1048576.0:F1} MB ({growth / 1048576.0:+0.0;-0.0} MB); " +
            $"live tensors {tensorsBefore} -> {tensorsAfter}");

        Assert.True(tensorsAfter <= tensorsBefore,
            $"live tensors grew from {tensorsBefore} to {tensorsAfter} over {Passes} passes");
        Assert.True(growth < MaxRssGrowthBytes,
            $"RSS grew by {growth / 1048576.0:F1} MB over {Passes} passes (limit {MaxRssGrowthBytes / 1048576} MB)");
    }
}
