using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ArchDsl.Checkpoints;
using ArchDsl.Layers;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// src/ArchDsl.Cli/Python/train.py (what <c>archdsl export pytorch</c> writes beside the models) under Debian's
/// torchrun with two processes, DDP over gloo on the CPU: on a small model file that follows the export contract (class
/// constants, a constructor taking device and dtype, built from archdsl_layers) the loss falls and rank 0's checkpoint
/// loads strictly into the TorchSharp module of the same layers, whose eval outputs agree with PyTorch's within 1e-5.
/// </summary>
public class TrainScriptTests(ITestOutputHelper output)
{
    /// <summary>The model file a user would get from the exporter: conv, batch norm, the twins, a classifier.</summary>
    private const string TinyNetPy = """
        import torch
        import torch.nn.functional as F
        from torch import nn
        import archdsl_layers as L


        class TinyNet(nn.Module):
            PARAMETER_COUNT = 335
            BUFFER_COUNT = 17
            MACS = 0
            INPUT_SHAPE = (3, 8, 8)
            INPUT_DTYPE = "float32"
            OUTPUT_SHAPE = (5,)
            VOCAB_SIZE = None

            def __init__(self, device=None, dtype=None):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False, device=device, dtype=dtype)
                self.bn = nn.BatchNorm2d(8, device=device, dtype=dtype)
                self.norm = L.LayerNorm2d(8, device=device, dtype=dtype)
                self.se = L.SqueezeExcitation(8, 2, nn.ReLU(), nn.Sigmoid(), device=device, dtype=dtype)
                self.drop = L.StochasticDepth(0.1, device=device, dtype=dtype)
                self.fc = nn.Linear(8, 5, device=device, dtype=dtype)

            def forward(self, x):
                x = self.norm(F.relu(self.bn(self.conv(x))))
                x = x + self.drop(self.se(x))
                return self.fc(x.mean((2, 3)))
        """;

    /// <summary>PyTorch's eval output of the trained model on the test's input.</summary>
    private const string EvalPy = """
        import sys
        import numpy as np
        import torch
        sys.path.insert(0, ".")
        from TinyNet import TinyNet
        model = TinyNet()
        model.load_state_dict(torch.load("TinyNet.pt"), strict=True)
        model.eval()
        x = torch.from_numpy(np.fromfile("input.f32", dtype=np.float32).reshape(4, 3, 8, 8))
        with torch.no_grad():
            model(x).numpy().tofile("output.f32")
        """;

    [Fact]
    public void Torchrun_with_two_processes_trains_and_the_checkpoint_loads_strictly_into_TorchSharp()
    {
        string folder = Directory.CreateTempSubdirectory("archdsl-train-").FullName;
        try
        {
            foreach (var file in new[] { "train.py", "archdsl_layers.py" })
                File.Copy(Path.Combine(PythonTwinRuns.LayersFolder, file), Path.Combine(folder, file));
            File.WriteAllText(Path.Combine(folder, "TinyNet.py"), TinyNetPy);
            PythonTwinRuns.Python(new[] { "-c", "import torch.distributed" });   // fails with what to install, without PyTorch

            // --standalone: a free rendezvous port of its own. --redirects/--tee 1: Debian's torch 1.13 under Python 3.11
            // cannot parse the default "0" (its Std enum loses the zero member), so rank output is teed explicitly.
            // One batch of 8 samples per process, the same every step: the loss must fall.
            var (code, stdout, stderr) = PythonTwinRuns.Execute("/usr/bin/torchrun", new[]
            {
                "--standalone", "--nproc_per_node=2", "--redirects", "1", "--tee", "1",
                "train.py", "--model", "TinyNet", "--steps", "15", "--batch-size", "8", "--samples", "16", "--lr", "0.03",
                "--backend", "gloo", "--out", "TinyNet.pt",
            }, folder, new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" });
            output.WriteLine(stdout);
            Assert.True(code == 0, $"torchrun exited with {code}:\n{stdout}\n{stderr}");
            Assert.Contains("on 2 process(es), gloo, cpu; classes loss", stdout);
            var losses = Regex.Matches(stdout, @"step (\d+) loss ([0-9.]+)")
                .Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(15, losses.Count);
            output.WriteLine($"loss: first {losses[0]:F4}, last {losses[^1]:F4}");
            // Cross-entropy over 5 classes starts near ln 5 ≈ 1.61; fitting one fixed batch must take off a good part.
            Assert.InRange(losses[0], 1.0, 2.5);
            Assert.True(losses[^1] < 0.8 * losses[0], $"the loss did not fall: {string.Join(", ", losses)}");
            Assert.Contains("saved TinyNet.pt (", stdout);

            // The checkpoint into TorchSharp, strictly, then the same input through both.
            using var scope = NewDisposeScope();
            using var model = new TinyNet();
            model.LoadCheckpoint(Path.Combine(folder, "TinyNet.pt"));
            model.eval();
            manual_seed(3);
            var input = randn(4, 3, 8, 8);
            File.WriteAllBytes(Path.Combine(folder, "input.f32"), input.data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
            PythonTwinRuns.Python(new[] { "-c", EvalPy }, folder);
            var bytes = File.ReadAllBytes(Path.Combine(folder, "output.f32"));
            var fromPyTorch = Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray();
            Tensor actual;
            using (no_grad()) actual = model.call(input);
            var generated = actual.data<float>().ToArray();
            Assert.Equal(20, fromPyTorch.Length);
            double maxAbs = generated.Zip(fromPyTorch, (a, b) => Math.Abs((double)a - b)).Max();
            output.WriteLine($"eval outputs: max |PyTorch| = {fromPyTorch.Max(v => Math.Abs(v)):G4}, max |Δ| = {maxAbs:E3}");
            Assert.True(maxAbs <= 1e-5, $"max |Δ| = {maxAbs:E3}");
            // Training moved the batch norm's statistics, which only a checkpoint with its buffers carries.
            Assert.NotEqual(0.0, model.named_buffers().First(b => b.name == "bn.running_mean").buffer.abs().sum().item<float>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_model_is_one_line_and_a_non_zero_exit()
    {
        string folder = Directory.CreateTempSubdirectory("archdsl-train-").FullName;
        try
        {
            File.Copy(Path.Combine(PythonTwinRuns.LayersFolder, "train.py"), Path.Combine(folder, "train.py"));
            File.WriteAllText(Path.Combine(folder, "TinyNet.py"), TinyNetPy);
            PythonTwinRuns.Python(new[] { "-c", "import torch" });
            var (code, _, stderr) = PythonTwinRuns.Execute("/usr/bin/python3", new[] { "train.py", "--model", "ResNet99" }, folder);
            output.WriteLine(stderr);
            Assert.NotEqual(0, code);
            Assert.Equal($"train.py: unknown model 'ResNet99': no ResNet99.py in {folder} (models here: TinyNet)", stderr.TrimEnd('\n'));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>TinyNet.py's layers in TorchSharp and ArchDsl.Layers, under the same names.</summary>
    private sealed class TinyNet : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006 // state_dict names
        private readonly Conv2d conv = nn.Conv2d(3, 8, 3, padding: 1, bias: false);
        private readonly BatchNorm2d bn = nn.BatchNorm2d(8);
        private readonly LayerNorm2d norm = new(8);
        private readonly SqueezeExcitation se = new(8, 2, nn.ReLU(), nn.Sigmoid());
        private readonly StochasticDepth drop = new(0.1);
        private readonly Linear fc = nn.Linear(8, 5);
#pragma warning restore IDE1006

        public TinyNet() : base(nameof(TinyNet)) => RegisterComponents();

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = norm.call(nn.functional.relu(bn.call(conv.call(input))));
            x = x + drop.call(se.call(x));
            return scope.MoveToOuter(fc.call(x.mean(new long[] { 2, 3 })));
        }
    }
}
