using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using ArchDsl.Quickstart;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

// Quickstart: dotnet run --project samples/Quickstart [-- --epochs N --out DIR]
int epochs = 3;
string outDir = "quickstart-output";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--epochs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var e) && e > 0: epochs = e; i++; break;
        case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
        default:
            Console.Error.WriteLine($"usage: Quickstart [--epochs N] [--out DIR] (unknown or invalid argument '{args[i]}')");
            return 2;
    }
}
var inv = CultureInfo.InvariantCulture;
Directory.CreateDirectory(outDir);

// 1. Everything below about the architecture was computed at compile time by the generator.
AnsiConsole.Write(new Panel(new Text(SmallCnn.Summary)).Header("SmallCnn (generated summary)"));
AnsiConsole.MarkupLine(string.Format(inv, "[bold]Parameters[/] {0:N0}   [bold]MACs/sample[/] {1:N0}   [bold]FLOPs/sample[/] {2:N0}",
    SmallCnn.ParameterCount, SmallCnn.Macs, SmallCnn.Flops));

// 2. Device: CUDA when the TorchSharp backend has it, else CPU.
bool cuda = torch.cuda.is_available();
var device = cuda ? CUDA : CPU;
AnsiConsole.MarkupLine(cuda ? "Device: [green]CUDA[/]" : "Device: [yellow]CPU[/] (no CUDA backend or GPU found)");

// 3. A generated data set (no download): four pattern classes under heavy noise.
torch.manual_seed(7);
const int trainCount = 2048, testCount = 512, batchSize = 64;
var (trainX, trainY) = Shapes.Generate(trainCount, seed: 1);
var (testX, testY) = Shapes.Generate(testCount, seed: 2);
trainX = trainX.to(device); trainY = trainY.to(device);
testX = testX.to(device); testY = testY.to(device);
AnsiConsole.MarkupLine($"Data: {trainCount} training and {testCount} test images of {Shapes.Classes} classes ({string.Join(", ", Shapes.Names)})");

using var model = new SmallCnn(device);
var optimizer = torch.optim.Adam(model.parameters(), lr: 3e-3);
var losses = new System.Collections.Generic.List<double>();
long trainFlopsPerSample = 3 * SmallCnn.Flops; // forward + backward ≈ 3 × forward
var clock = Stopwatch.StartNew();
double lastSamplesPerSecond = 0, lastGflops = 0;
long samplesSeen = 0;

AnsiConsole.Progress()
    .AutoClear(false)
    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .Start(ctx =>
    {
        int batches = trainCount / batchSize;
        var task = ctx.AddTask("training", maxValue: epochs * batches);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            model.train();
            using var permutation = torch.randperm(trainCount, device: device);
            var epochClock = Stopwatch.StartNew();
            for (int b = 0; b < batches; b++)
            {
                using var scope = torch.NewDisposeScope();
                var index = permutation.narrow(0, b * batchSize, batchSize);
                var x = trainX.index_select(0, index);
                var y = trainY.index_select(0, index);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                loss.backward();
                optimizer.step();
                double value = loss.item<float>();
                losses.Add(value);
                samplesSeen += batchSize;
                double seconds = epochClock.Elapsed.TotalSeconds;
                lastSamplesPerSecond = (b + 1) * batchSize / Math.Max(seconds, 1e-9);
                lastGflops = lastSamplesPerSecond * trainFlopsPerSample / 1e9;
                task.Description = string.Format(inv, "epoch {0}/{1}  loss {2:F3}  {3,6:F0} samples/s  {4,5:F2} GFLOP/s",
                    epoch, epochs, value, lastSamplesPerSecond, lastGflops);
                task.Increment(1);
            }
        }
    });
double trainSeconds = clock.Elapsed.TotalSeconds;
// The whole run's average, not the last epoch's: the first epoch pays for warming up, and that is part of training.
double samplesPerSecond = samplesSeen / Math.Max(trainSeconds, 1e-9);
double gflops = samplesPerSecond * trainFlopsPerSample / 1e9;

// 4. Held-out accuracy.
model.eval();
double accuracy;
using (torch.no_grad())
using (var scope = torch.NewDisposeScope())
{
    var predicted = model.call(testX).argmax(1);
    accuracy = predicted.eq(testY).to_type(ScalarType.Float32).mean().item<float>();
}
AnsiConsole.MarkupLine(string.Format(inv, "Trained {0} epochs in {1:F1} s (on average {2:F0} samples/s, {3:F2} GFLOP/s from the compile-time FLOPs × 3)",
    epochs, trainSeconds, samplesPerSecond, gflops));
AnsiConsole.MarkupLine(string.Format(inv, "[bold]Test accuracy[/] {0:P1} (chance {1:P0})", accuracy, 1.0 / Shapes.Classes));

// 5. Loss curve.
var plot = new ScottPlot.Plot();
var steps = Enumerable.Range(1, losses.Count).Select(s => (double)s).ToArray();
plot.Add.Scatter(steps, losses.ToArray());
plot.Title("SmallCnn training loss");
plot.XLabel("step");
plot.YLabel("cross-entropy loss");
plot.Axes.SetLimitsY(0, losses.Max() * 1.05);   // from 0, so the fall reads at its true size
string png = Path.Combine(outDir, "loss.png");
plot.SavePng(png, 800, 480);
File.WriteAllText(Path.Combine(outDir, "result.json"), string.Format(inv,
    "{{\"device\":\"{0}\",\"epochs\":{1},\"accuracy\":{2:R},\"trainSeconds\":{3:F3},\"samplesPerSecond\":{4:F1},\"gflops\":{5:F3},\"finalLoss\":{6:R}}}\n",
    cuda ? "cuda" : "cpu", epochs, accuracy, trainSeconds, samplesPerSecond, gflops, losses[^1]));
AnsiConsole.MarkupLine($"Loss curve: {Markup.Escape(png)}");
return 0;
