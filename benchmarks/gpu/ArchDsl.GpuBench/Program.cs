using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using ArchDsl.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.GpuBench;

/// <summary>
/// Forward and training throughput of generated models on a CUDA device, in bf16 and float32, with achieved
/// TFLOP/s computed from the compile-time <c>Flops</c> constant (per sample, 2 × MACs; a training step counts
/// 3 × forward). Without a CUDA backend it says so and exits 3, unless <c>--allow-cpu</c> asks for a CPU run
/// (a smoke test of the program, not a GPU figure).
/// </summary>
public static class Program
{
    private sealed record Options(string[] Models, string[] DTypes, string[] Modes, int? Batch, int Warmup, int Iters,
                                  bool AllowCpu, string Device, string? Csv);

    /// <summary>A benchmarked model: its compile-time FLOPs and declared shapes (the generated constants), and how to build it.</summary>
    private sealed record ModelSpec(string Name, long FlopsPerSample, IReadOnlyList<long> Input, long Classes, int DefaultGpuBatch, Func<nn.Module<Tensor, Tensor>> Create);

    private static readonly ModelSpec[] Specs =
    {
        new("vit_b_16", VitB16.Flops, VitB16.InputShape, VitB16.OutputShape[0], 64, () => new VitB16()),
        new("resnet50", ResNet50.Flops, ResNet50.InputShape, ResNet50.OutputShape[0], 128, () => new ResNet50()),
    };

    public static int Main(string[] args)
    {
        Options o;
        try { o = Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: ArchDsl.GpuBench [--models vit_b_16,resnet50] [--dtypes bf16,fp32] [--modes forward,train] " +
                                    "[--batch N] [--warmup N] [--iters N] [--device cuda:0] [--csv FILE] [--allow-cpu]");
            return 2;
        }

        string backend = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LibTorchPackage")?.Value ?? "?";
        Console.WriteLine($"ArchDsl.GpuBench: TorchSharp {typeof(torch).Assembly.GetName().Version}, built against {backend}");

        bool cuda;
        try { cuda = torch.cuda.is_available(); }
        catch (Exception e)
        {
            Console.Error.WriteLine($"TorchSharp could not load its native backend: {e.GetType().Name}: {e.Message}");
            return 4;
        }

        Device device;
        if (cuda)
        {
            device = torch.device(o.Device);
            Console.WriteLine($"CUDA: {torch.cuda.device_count()} device(s); using {o.Device}");
        }
        else
        {
            Console.WriteLine("No CUDA backend: torch.cuda.is_available() is false.");
            Console.WriteLine($"  This binary was built against '{backend}'. A GPU run needs the NVIDIA driver on the machine and a CUDA");
            Console.WriteLine("  libtorch: build with benchmarks/gpu/run.sh (LIBTORCH_PACKAGE=TorchSharp-cuda-linux by default), or publish");
            Console.WriteLine("  a self-contained folder on a connected machine with 'run.sh publish DIR' and copy it. See benchmarks/gpu/README.md.");
            if (!o.AllowCpu) return 3;
            Console.WriteLine("  --allow-cpu: running on the CPU instead (a smoke test of this program; figures are not GPU figures).");
            device = torch.CPU;
        }

        int defaultCpuBatch = 1;
        var rows = new List<string[]>();
        var header = new[] { "model", "dtype", "mode", "device", "batch", "iters", "ms/iter", "samples/s", "TFLOP/s" };
        Console.WriteLine();
        Console.WriteLine("| " + string.Join(" | ", header) + " |");
        Console.WriteLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var spec in Specs.Where(s => o.Models.Contains(s.Name)))
        {
            foreach (var dtypeName in o.DTypes)
            {
                var dtype = dtypeName == "bf16" ? ScalarType.BFloat16 : ScalarType.Float32;
                int batch = o.Batch ?? (cuda ? spec.DefaultGpuBatch : defaultCpuBatch);
                foreach (var mode in o.Modes)
                {
                    string[] row;
                    try
                    {
                        var (seconds, iters) = Measure(spec, dtype, mode == "train", device, batch, o.Warmup, o.Iters);
                        double flops = spec.FlopsPerSample * (mode == "train" ? 3.0 : 1.0) * batch * iters;
                        row = new[]
                        {
                            spec.Name, dtypeName, mode, device.ToString(), Num(batch), Num(iters),
                            (seconds * 1000 / iters).ToString("F2", CultureInfo.InvariantCulture),
                            (batch * iters / seconds).ToString("F1", CultureInfo.InvariantCulture),
                            (flops / seconds / 1e12).ToString("F3", CultureInfo.InvariantCulture),
                        };
                    }
                    catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
                    {
                        row = new[] { spec.Name, dtypeName, mode, device.ToString(), Num(batch), "0", "failed", "-", e.GetType().Name + ": " + FirstLine(e.Message) };
                    }
                    rows.Add(row);
                    Console.WriteLine("| " + string.Join(" | ", row) + " |");
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine($"FLOPs per sample (compile-time constants, 2 x MACs): vit_b_16 {VitB16.Flops:N0}, resnet50 {ResNet50.Flops:N0}; training = 3 x forward.");
        if (o.Csv != null)
        {
            File.WriteAllLines(o.Csv, new[] { string.Join(",", header) }.Concat(rows.Select(r => string.Join(",", r.Select(c => c.Replace(',', ';'))))));
            Console.WriteLine($"wrote {o.Csv}");
        }
        return rows.Any(r => r[6] == "failed") ? 1 : 0;
    }

    private static (double Seconds, int Iters) Measure(ModelSpec spec, ScalarType dtype, bool train, Device device, int batch, int warmup, int iters)
    {
        torch.manual_seed(0);
        using var model = spec.Create();
        model.to(device);
        model.to(dtype);
        using var x = randn(new[] { (long)batch }.Concat(spec.Input).ToArray(), dtype: dtype, device: device);
        using var labels = randint(0, spec.Classes, new long[] { batch }, dtype: int64, device: device);
        using var sgd = optim.SGD(model.parameters(), 0.01, momentum: 0.9);

        void Step()
        {
            using var scope = NewDisposeScope();
            if (train)
            {
                sgd.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x), labels);
                loss.backward();
                sgd.step();
            }
            else
            {
                using var _ = no_grad();
                model.call(x);
            }
        }

        if (train) model.train(); else model.eval();
        for (int i = 0; i < warmup; i++) Step();
        Sync(device);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iters; i++) Step();
        Sync(device);
        return (clock.Elapsed.TotalSeconds, iters);
    }

    private static void Sync(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }

    private static Options Parse(string[] args)
    {
        var o = new Options(new[] { "vit_b_16", "resnet50" }, new[] { "bf16", "fp32" }, new[] { "forward", "train" }, null, 5, 20, false, "cuda:0", null);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--models" => o with { Models = Next().Split(',') },
                "--dtypes" => o with { DTypes = Next().Split(',') },
                "--modes" => o with { Modes = Next().Split(',') },
                "--batch" => o with { Batch = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup" => o with { Warmup = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--iters" => o with { Iters = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--device" => o with { Device = Next() },
                "--csv" => o with { Csv = Next() },
                "--allow-cpu" => o with { AllowCpu = true },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }
        foreach (var m in o.Models) if (Specs.All(s => s.Name != m)) throw new ArgumentException($"unknown model {m}");
        foreach (var d in o.DTypes) if (d is not ("bf16" or "fp32")) throw new ArgumentException($"unknown dtype {d}");
        foreach (var m in o.Modes) if (m is not ("forward" or "train")) throw new ArgumentException($"unknown mode {m}");
        if (o.Iters < 1) throw new ArgumentException("--iters must be at least 1");
        return o;
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
