using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Benchmarks;

/// <summary>
/// Deploy forms against training forms, forward in eval at batch 8 on the CPU, every call inside a dispose scope (like
/// for like), one interleaved run (see <see cref="Paired"/>): TorchVision for .NET's <c>resnet50()</c> (the baseline),
/// the generated ResNet-50 as trained and with its batch norms folded, RepVGG-A0 as trained and re-parameterised.
/// </summary>
public static class PairedDeploy
{
    public static int Run(int rounds, int batch)
    {
        torch.manual_seed(5);
        using var torchVision = torchvision.models.resnet50();
        using var resnet = new ArchDsl.Samples.ResNet50();
        using var resnetDeployed = new ArchDsl.Samples.ResNet50();
        resnet.load_state_dict(torchVision.state_dict(), strict: true);
        resnetDeployed.load_state_dict(torchVision.state_dict(), strict: true);
        resnetDeployed.ToDeployForm();
        using var repVgg = new ArchDsl.Samples.RepVggA0();
        using var repVggDeployed = new ArchDsl.Samples.RepVggA0();
        repVggDeployed.load_state_dict(repVgg.state_dict(), strict: true);
        repVggDeployed.ToDeployForm();
        using var x = randn(batch, 3, 224, 224);
        foreach (var m in new nn.Module[] { torchVision, resnet, resnetDeployed, repVgg, repVggDeployed }) m.eval();

        // The deployed modules compute what the trained ones do (default batch-norm statistics here; the tests check
        // random ones): a benchmark of a wrong module would mean nothing.
        using (no_grad())
        {
            double resnetDelta = (resnet.call(x) - resnetDeployed.call(x)).abs().max().item<float>();
            double repVggDelta = (repVgg.call(x) - repVggDeployed.call(x)).abs().max().item<float>();
            Console.WriteLine($"CPU, {torch.get_num_threads()} threads, batch {batch}; max |Δ| deployed vs trained: ResNet-50 {resnetDelta:E2}, RepVGG-A0 {repVggDelta:E2}");
        }

        Action Forward(nn.Module<Tensor, Tensor> m) => () =>
        {
            using var scope = NewDisposeScope();
            using (no_grad()) m.call(x);
        };
        var s = Paired.Compare("forward (eval, no_grad, in a dispose scope)", rounds,
            ("torchvision resnet50()", Forward(torchVision)),
            ("generated ResNet-50, training form", Forward(resnet)),
            ("generated ResNet-50, deploy form", Forward(resnetDeployed)),
            ("RepVGG-A0, training form", Forward(repVgg)),
            ("RepVGG-A0, deploy form", Forward(repVggDeployed)));
        // Speed-ups (time of the slower form over the deploy form's), median and per-round pairs, wall time.
        void Speedup(string what, int slower, int deployed)
        {
            double median = Paired.Median(s[slower].Select(v => v.WallMs)) / Paired.Median(s[deployed].Select(v => v.WallMs));
            var pairs = s[slower].Zip(s[deployed], (a, b) => a.WallMs / b.WallMs).ToList();
            Console.WriteLine($"  {what,-48} x{median:F3} faster (pairs median x{Paired.Median(pairs):F3}, min x{pairs.Min():F3}, max x{pairs.Max():F3})");
        }
        Console.WriteLine("speed-up of the deploy form");
        Speedup("ResNet-50 deploy vs torchvision resnet50()", 0, 2);
        Speedup("ResNet-50 deploy vs its training form", 1, 2);
        Speedup("RepVGG-A0 deploy vs its training form", 3, 4);
        return 0;
    }
}
