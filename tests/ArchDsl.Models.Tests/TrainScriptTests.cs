using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ArchDsl.Checkpoints;
using ArchDsl.Samples;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// The train.py that <c>archdsl export pytorch</c> writes, under Debian's torchrun with two processes, DDP over gloo on
/// the CPU, on the exported RepVggSmall sample: the loss falls, and rank 0's checkpoint loads strictly into the
/// generated TorchSharp module, whose eval outputs agree with the exported PyTorch module's within 1e-5.
/// </summary>
public class TrainScriptTests(ITestOutputHelper output)
{
    /// <summary>PyTorch's eval output of the trained exported model on the test's input.</summary>
    private const string EvalPy = """
        import sys
        import numpy as np
        import torch
        folder, checkpoint, inputs, outputs = sys.argv[1:]
        sys.path.insert(0, folder)
        from RepVggSmall import RepVggSmall
        model = RepVggSmall()
        model.load_state_dict(torch.load(checkpoint), strict=True)
        model.eval()
        x = torch.from_numpy(np.fromfile(inputs, dtype=np.float32).reshape(4, 3, 32, 32))
        with torch.no_grad():
            model(x).numpy().tofile(outputs)
        """;

    [Fact]
    public void Torchrun_with_two_processes_trains_an_exported_sample_whose_checkpoint_loads_strictly_into_the_generated_module()
    {
        string exported = ExportedSamples.Folder;
        string folder = Directory.CreateTempSubdirectory("archdsl-train-").FullName;
        try
        {
            string checkpoint = Path.Combine(folder, "RepVggSmall.pt");
            PythonTwinRuns.Python(new[] { "-c", "import torch.distributed" });   // fails with what to install, without PyTorch
            Assert.True(File.Exists("/usr/bin/torchrun"), "/usr/bin/torchrun is missing: it comes with Debian's python3-torch (apt-get install -y python3-torch; .ci/run does this)");
            // --standalone: a free rendezvous port of its own. --redirects/--tee 1: Debian's torch 1.13 under Python 3.11
            // cannot parse the default "0" (its Std enum loses the zero member), so rank output is teed explicitly.
            // One batch of 8 samples per process, the same every step: the loss must fall.
            var (code, stdout, stderr) = PythonTwinRuns.Execute("/usr/bin/torchrun", new[]
            {
                "--standalone", "--nproc_per_node=2", "--redirects", "1", "--tee", "1",
                Path.Combine(exported, "train.py"), "--model", "RepVggSmall", "--steps", "8", "--batch-size", "8", "--samples", "16",
                "--lr", "0.01", "--backend", "gloo", "--out", checkpoint,
            }, folder, new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" });
            output.WriteLine(stdout);
            Assert.True(code == 0, $"torchrun exited with {code}:\n{stdout}\n{stderr}");
            Assert.Contains("training RepVggSmall (14,362 parameters) on 2 process(es), gloo, cpu; classes loss", stdout);
            var losses = Regex.Matches(stdout, @"step (\d+) loss ([0-9.]+)")
                .Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(8, losses.Count);
            output.WriteLine($"loss: first {losses[0]:F4}, last {losses[^1]:F4}");
            // Cross-entropy over 10 classes starts near ln 10 ≈ 2.3; fitting one fixed batch must take off a good part.
            Assert.InRange(losses[0], 1.5, 3.5);
            Assert.True(losses[^1] < 0.6 * losses[0], $"the loss did not fall: {string.Join(", ", losses)}");
            Assert.Contains($"saved {checkpoint} (", stdout);

            // The checkpoint into the generated module, strictly, then the same input through both.
            using var scope = NewDisposeScope();
            manual_seed(3);
            using var model = PyTorchCheckpointTests.Create(typeof(RepVggSmall));
            var before = model.named_buffers().First(b => b.name.EndsWith("running_mean", StringComparison.Ordinal));
            model.LoadCheckpoint(checkpoint);
            model.eval();
            var input = randn(4, 3, 32, 32);
            string inputs = Path.Combine(folder, "input.f32"), outputs = Path.Combine(folder, "output.f32");
            File.WriteAllBytes(inputs, input.data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
            PythonTwinRuns.Python(new[] { "-c", EvalPy, exported, checkpoint, inputs, outputs });
            var bytes = File.ReadAllBytes(outputs);
            var fromPyTorch = Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray();
            Tensor actual;
            using (no_grad()) actual = model.call(input);
            var generated = actual.data<float>().ToArray();
            Assert.Equal(40, fromPyTorch.Length);
            double maxAbs = generated.Zip(fromPyTorch, (a, b) => Math.Abs((double)a - b)).Max();
            output.WriteLine($"eval outputs: max |PyTorch| = {fromPyTorch.Max(v => Math.Abs(v)):G4}, max |Δ| = {maxAbs:E3}");
            Assert.True(maxAbs <= 1e-5, $"max |Δ| = {maxAbs:E3}");
            // Training moved the batch norms' statistics, which only a checkpoint with its buffers carries.
            var trained = model.named_buffers().First(b => b.name == before.name).buffer;
            Assert.NotEqual(0.0, trained.abs().sum().item<float>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A language model file as the exporter writes one (class constants, device and dtype), of twins: learned
    /// positions, grouped-query attention, a mixture of experts (whose unchosen experts DDP must expect), a tied head.</summary>
    private const string TinyLmPy = """
        from torch import nn
        import archdsl_layers as L


        class TinyLm(nn.Module):
            PARAMETER_COUNT = 17280
            BUFFER_COUNT = 0
            MACS = 0
            INPUT_SHAPE = (12,)
            INPUT_DTYPE = "int64"
            OUTPUT_SHAPE = (12, 40)
            VOCAB_SIZE = 40

            def __init__(self, device=None, dtype=None):
                super().__init__()
                self.wte = nn.Embedding(40, 32, device=device, dtype=dtype)
                self.wpe = L.LearnedPositions(12, 32, device=device, dtype=dtype)
                self.attn = L.CausalSelfAttention(32, 4, 2, packed=True, device=device, dtype=dtype)
                self.moe = L.MixtureOfExperts(32, 4, 2, 32, device=device, dtype=dtype)
                self.norm = L.RmsNorm(32, device=device, dtype=dtype)
                self.head = L.TiedHead(self.wte)

            def forward(self, x):
                x = self.wpe(self.wte(x))
                x = x + self.attn(x)
                x = x + self.moe(x)
                return self.head(self.norm(x))
        """;

    /// <summary>Model, its file (null: exported), the loss train.py picks, steps, the fraction of the first loss the
    /// last must stay under, and a task to train (--task).</summary>
    public static TheoryData<string, string?, string, int, double, string?> Tasks => new()
    {
        { "TinyLm", TinyLmPy, "tokens loss", 12, 0.3, null },   // next-token cross-entropy over random ids
        { "UNet", null, "regression loss", 6, 0.9, null },      // mean squared error to fixed random targets
        // The forms beside forward(x): the mean loss over every exit, over every width, and one task's path.
        { "EarlyExitNet", null, "classes loss", 12, 0.9, null },
        { "SlimmableMobileNet", null, "classes loss", 12, 0.9, null },
        { "IptSmall", null, "regression loss, task Denoising", 6, 0.97, "Denoising" },
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void Token_and_regression_models_train_with_their_own_loss(string model, string? source, string task, int steps, double fraction, string? taskName)
    {
        string folder = Directory.CreateTempSubdirectory("archdsl-train-").FullName;
        try
        {
            string script = Path.Combine(ExportedSamples.Folder, "train.py");
            if (source is not null)
            {
                // A model of the test's own: beside its own copy of the exported scripts.
                foreach (var file in new[] { "train.py", "archdsl_layers.py" })
                    File.Copy(Path.Combine(ExportedSamples.Folder, file), Path.Combine(folder, file));
                File.WriteAllText(Path.Combine(folder, model + ".py"), source);
                script = Path.Combine(folder, "train.py");
            }
            var arguments = new List<string>
            {
                script, "--model", model, "--steps", steps.ToString(CultureInfo.InvariantCulture), "--samples", "4", "--batch-size", "4",
                "--lr", "0.01", "--out", Path.Combine(folder, model + ".pt"),
            };
            if (taskName is not null) arguments.AddRange(new[] { "--task", taskName });
            string stdout = PythonTwinRuns.Python(arguments.ToArray(), folder, new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" });
            output.WriteLine(stdout);
            Assert.Contains($"on 1 process(es), gloo, cpu; {task}", stdout);
            var losses = Regex.Matches(stdout, @"step (\d+) loss ([0-9.]+)")
                .Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(steps, losses.Count);
            Assert.True(losses[^1] < fraction * losses[0], $"the loss did not fall enough: {string.Join(", ", losses)}");
            Assert.True(File.Exists(Path.Combine(folder, model + ".pt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_losses_and_a_byte_identical_checkpoint()
    {
        string exported = ExportedSamples.Folder;
        string folder = Directory.CreateTempSubdirectory("archdsl-train-").FullName;
        try
        {
            // Without torchrun train.py runs as one process: two runs, each its own rendezvous.
            var runs = new[] { "a", "b" }.Select(name =>
            {
                Directory.CreateDirectory(Path.Combine(folder, name));
                string stdout = PythonTwinRuns.Python(new[]
                {
                    Path.Combine(exported, "train.py"), "--model", "RepVggSmall", "--steps", "3", "--samples", "16", "--seed", "4",
                    "--out", Path.Combine(folder, name, "RepVggSmall.pt"),
                }, folder, new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" });
                output.WriteLine(stdout);
                return (Losses: Regex.Matches(stdout, @"step \d+ loss [0-9.]+").Select(m => m.Value).ToList(),
                    Checkpoint: File.ReadAllBytes(Path.Combine(folder, name, "RepVggSmall.pt")));
            }).ToList();
            Assert.Equal(3, runs[0].Losses.Count);
            Assert.Equal(runs[0].Losses, runs[1].Losses);
            Assert.True(runs[0].Checkpoint.AsSpan().SequenceEqual(runs[1].Checkpoint), "the two checkpoints differ");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_export_writes_the_repository_s_train_py_and_archdsl_layers_py()
    {
        foreach (var file in new[] { "train.py", "archdsl_layers.py" })
            Assert.Equal(File.ReadAllText(Path.Combine(PythonTwinRuns.LayersFolder, file)), File.ReadAllText(Path.Combine(ExportedSamples.Folder, file)));
    }

    [Fact]
    public void An_unknown_task_is_one_line_and_a_non_zero_exit()
    {
        string exported = ExportedSamples.Folder;
        var (code, _, stderr) = PythonTwinRuns.Execute("/usr/bin/python3", new[] { Path.Combine(exported, "train.py"), "--model", "IptSmall", "--task", "Colouring" }, exported);
        output.WriteLine(stderr);
        Assert.NotEqual(0, code);
        Assert.Equal("train.py: IptSmall has no task 'Colouring' (its tasks: SuperResolution2x, SuperResolution3x, SuperResolution4x, Denoising, Deraining)", stderr.TrimEnd('\n'));
    }

    [Fact]
    public void An_unknown_model_is_one_line_and_a_non_zero_exit()
    {
        string exported = ExportedSamples.Folder;
        PythonTwinRuns.Python(new[] { "-c", "import torch" });
        var (code, _, stderr) = PythonTwinRuns.Execute("/usr/bin/python3", new[] { Path.Combine(exported, "train.py"), "--model", "ResNet99" }, exported);
        output.WriteLine(stderr);
        Assert.NotEqual(0, code);
        Assert.DoesNotContain('\n', stderr.TrimEnd('\n'));
        Assert.StartsWith($"train.py: unknown model 'ResNet99': no ResNet99.py in {exported} (models here: ConvNeXtSmall, ", stderr);
        Assert.Contains("RepVggSmall", stderr);
    }
}
