using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Benchmarks;

/// <summary>
/// Issue 5, performance 3: the generated <see cref="ArchDsl.Samples.ResNet50"/> against TorchVision for .NET's
/// hand-written <c>resnet50()</c>, same TorchSharp, same process, CPU, same weights. Ratios are per category
/// (TorchVision = 1.00).
/// </summary>
[Config(typeof(RuntimeConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ResNet50Benchmarks
{
    private nn.Module<Tensor, Tensor> _generated = null!;
    private nn.Module<Tensor, Tensor> _torchvision = null!;
    private optim.Optimizer _generatedSgd = null!;
    private optim.Optimizer _torchvisionSgd = null!;
    private Tensor _x = null!;
    private Tensor _labels = null!;

    /// <summary>Batch size (8 for forward and training; set with --envVars or edit for a slower machine).</summary>
    [Params(8)] public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.manual_seed(5);
        _torchvision = torchvision.models.resnet50();
        _generated = new ArchDsl.Samples.ResNet50();
        _generated.load_state_dict(_torchvision.state_dict(), strict: true);
        _generatedSgd = optim.SGD(_generated.parameters(), 0.01, momentum: 0.9);
        _torchvisionSgd = optim.SGD(_torchvision.parameters(), 0.01, momentum: 0.9);
        _x = randn(Batch, 3, 224, 224);
        _labels = randint(0, 1000, new long[] { Batch }, dtype: int64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generated.Dispose();
        _torchvision.Dispose();
        _x.Dispose();
        _labels.Dispose();
    }

    private static long Forward(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        model.eval();
        using var _ = no_grad();
        using var y = model.call(x);
        return y.shape[1];
    }

    private static float TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer sgd, Tensor x, Tensor labels)
    {
        model.train();
        using var scope = NewDisposeScope();
        sgd.zero_grad();
        var loss = nn.functional.cross_entropy(model.call(x), labels);
        loss.backward();
        sgd.step();
        return loss.item<float>();
    }

    [Benchmark(Baseline = true, Description = "torchvision")]
    [BenchmarkCategory("Forward (eval, no_grad)")]
    public long ForwardTorchVision() => Forward(_torchvision, _x);

    [Benchmark(Description = "generated")]
    [BenchmarkCategory("Forward (eval, no_grad)")]
    public long ForwardGenerated() => Forward(_generated, _x);

    [Benchmark(Baseline = true, Description = "torchvision")]
    [BenchmarkCategory("Train step (SGD)")]
    public float TrainTorchVision() => TrainStep(_torchvision, _torchvisionSgd, _x, _labels);

    [Benchmark(Description = "generated")]
    [BenchmarkCategory("Train step (SGD)")]
    public float TrainGenerated() => TrainStep(_generated, _generatedSgd, _x, _labels);

    [Benchmark(Baseline = true, Description = "torchvision")]
    [BenchmarkCategory("Construct")]
    public long ConstructTorchVision()
    {
        using var m = torchvision.models.resnet50();
        return 1;
    }

    [Benchmark(Description = "generated")]
    [BenchmarkCategory("Construct")]
    public long ConstructGenerated()
    {
        using var m = new ArchDsl.Samples.ResNet50();
        return 1;
    }
}
