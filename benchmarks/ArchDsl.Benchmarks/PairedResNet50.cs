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

        void Forward(nn.Module<Tensor, Tensor> m)
        {
            m.eval();
            using (no_grad()) using (var y = m.call(x)) { }
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

        if (only is "" or "forward") Paired.Compare("forward (eval, no_grad)", rounds, ("torchvision", () => Forward(theirs)), ("generated", () => Forward(ours)));
        if (only is "" or "train") Paired.Compare("train step (SGD, momentum 0.9)", rounds, ("torchvision", () => Train(theirs, sgdTheirs)), ("generated", () => Train(ours, sgdOurs)));
        if (only is "" or "construct") Paired.Compare("construct", rounds * 2,
            ("torchvision", () => { using var m = torchvision.models.resnet50(); }),
            ("generated", () => { using var m = new ArchDsl.Samples.ResNet50(); }));
        return 0;
    }
}
