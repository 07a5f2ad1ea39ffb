using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace ArchDsl.Benchmarks;

/// <summary>
/// Interleaved measurements (A, B, C, then B, C, A, ...): on a shared or busy machine every variant sees the same
/// background load. Wall time and this process's CPU time (all threads) are both recorded; CPU time is the
/// steadier figure of work done when other processes compete for the cores.
/// </summary>
public static class Paired
{
    public readonly record struct Sample(double WallMs, double CpuMs);

    public static Sample Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        clock.Stop();
        self.Refresh();
        return new Sample(clock.Elapsed.TotalMilliseconds, (self.TotalProcessorTime - cpu0).TotalMilliseconds);
    }

    /// <summary>Runs every variant once to warm up, then <paramref name="rounds"/> rotated rounds; prints medians and ratios to
    /// the first, and returns each variant's samples in round order.</summary>
    public static List<Sample>[] Compare(string title, int rounds, params (string Name, Action Run)[] variants)
    {
        foreach (var v in variants) v.Run();
        var samples = variants.Select(_ => new List<Sample>()).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < variants.Length; k++)
            {
                int i = (k + r) % variants.Length;
                samples[i].Add(Measure(variants[i].Run));
            }
        Console.WriteLine($"{title} ({rounds} rotated rounds after one warm-up; ratios to '{variants[0].Name}')");
        double baseWall = Median(samples[0].Select(s => s.WallMs)), baseCpu = Median(samples[0].Select(s => s.CpuMs));
        for (int i = 0; i < variants.Length; i++)
        {
            double wall = Median(samples[i].Select(s => s.WallMs)), cpu = Median(samples[i].Select(s => s.CpuMs));
            double pairWall = Median(samples[i].Zip(samples[0], (a, b) => a.WallMs / b.WallMs));
            double pairCpu = Median(samples[i].Zip(samples[0], (a, b) => a.CpuMs / b.CpuMs));
            Console.WriteLine($"  {variants[i].Name,-48} wall median {wall,9:F1} ms (x{wall / baseWall:F3}, pairs x{pairWall:F3})   " +
                              $"CPU median {cpu,9:F1} ms (x{cpu / baseCpu:F3}, pairs x{pairCpu:F3})   wall min {samples[i].Min(s => s.WallMs):F1} ms, max {samples[i].Max(s => s.WallMs):F1} ms");
        }
        return samples;
    }

    public static double Median(IEnumerable<double> values)
    {
        var s = values.OrderBy(d => d).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}

/// <summary>The 200-model build cost, interleaved: checked-in generated code vs generator vs generator + analyzers.</summary>
public static class PairedCompile
{
    public static int Run(int rounds)
    {
        var work = new GeneratorWorkload(200);
        Console.WriteLine($"analyzers: {work.Analyzers.Length} ({work.AnalyzerSource})");
        Paired.Compare("200 models: parse + diagnostics + emit", rounds,
            ("generated code checked in (baseline)", () => GeneratorWorkload.Emit(work.CheckedInCompilation())),
            ("generator", () => work.CompileWithGenerator(analyzers: false)),
            ("generator + analyzers", () => work.CompileWithGenerator(analyzers: true)),
            ("declarations only (no generated code)", () => GeneratorWorkload.Emit(work.UserCompilation())));
        Paired.Compare("200 models: parse + diagnostics only (no emit; analyzers via GetAllDiagnosticsAsync, one binding)", rounds,
            ("generated code checked in (baseline)", () => work.DiagnoseCheckedIn()),
            ("generator", () => work.DiagnoseWithGenerator(analyzers: false)),
            ("generator + analyzers", () => work.DiagnoseWithGenerator(analyzers: true)));
        return 0;
    }
}
