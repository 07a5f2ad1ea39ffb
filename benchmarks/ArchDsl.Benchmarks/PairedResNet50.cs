using System;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Benchmarks;

/// <summary>The ResNet-50 comparison as interleaved rounds (see <see cref="Paired"/>): torchvision is the baseline.</summary>
public static class PairedResNet50
{
    public static int Run(int rounds, int batch, string only = "")
    {
        torch.manual_seed(5);
        using var theirs = torchvision.models.resnet50();
        using var ours = new ArchDsl.Samples.ResNet50();
        ours.load_state_dict(theirs.state_dict(), strict: true);
        using var x = randn(batch, 3, 224, 224);
        using var labels = randint(0, 1000, new long[] { batch }, dtype: int64);
        var sgdTheirs = optim.SGD(theirs.parameters(), 0.01, momentum: 0.9);
        var sgdOurs = optim.SGD(ours.parameters(), 0.01, momentum: 0.9);
        Console.WriteLine($"ResNet-50, CPU, {torch.get_num_threads()} threads, batch {batch}");

        // As a user calls a model: no dispose scope of the caller's. TorchVision's modules leave their intermediates to
        // the garbage collector then; the generated forward frees its own in a scope of its own.
        void Forward(nn.Module<Tensor, Tensor> m)
        {
            m.eval();
            using (no_grad()) using (var y = m.call(x)) { }
        }
        // Like for like: the caller's scope frees every intermediate of both right after the call.
        void ForwardScoped(nn.Module<Tensor, Tensor> m)
        {
            m.eval();
            using var scope = NewDisposeScope();
            using (no_grad()) m.call(x);
        }
        void Train(nn.Module<Tensor, Tensor> m, optim.Optimizer sgd)
        {
            m.train();
            using var scope = NewDisposeScope();
            sgd.zero_grad();
            var loss = nn.functional.cross_entropy(m.call(x), labels);
            loss.backward();
            sgd.step();
        }

        if (only is "" or "forward")
        {
            Paired.Compare("forward (eval, no_grad), as called: no scope of the caller's", rounds, ("torchvision", () => Forward(theirs)), ("generated", () => Forward(ours)));
            Paired.Compare("forward (eval, no_grad), in a dispose scope", rounds, ("torchvision", () => ForwardScoped(theirs)), ("generated", () => ForwardScoped(ours)));
        }
        if (only is "" or "train") Paired.Compare("train step (SGD, momentum 0.9)", rounds, ("torchvision", () => Train(theirs, sgdTheirs)), ("generated", () => Train(ours, sgdOurs)));
        if (only is "" or "construct") Paired.Compare("construct", rounds * 2,
            ("torchvision", () => { using var m = torchvision.models.resnet50(); }),
            ("generated", () => { using var m = new ArchDsl.Samples.ResNet50(); }),
            ("generated + torchvision's initialisation", () => { using var m = new ArchDsl.Samples.ResNet50(); InitialiseAsTorchVision(m); }));
        return 0;
    }

    /// <summary>
    /// What TorchVision's ResNet constructor does after building (published in torchvision's resnet.py): Kaiming normal,
    /// fan-out, ReLU gain for every convolution; weight 1 and bias 0 for every batch norm. The generated constructor keeps
    /// TorchSharp's defaults, so this makes construction like for like (the same initial distribution).
    /// </summary>
    public static void InitialiseAsTorchVision(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            if (m is TorchSharp.Modules.Conv2d conv)
                nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            else if (m is TorchSharp.Modules.BatchNorm2d bn)
            {
                nn.init.constant_(bn.weight, 1);
                nn.init.constant_(bn.bias, 0);
            }
        }
    }
}
