using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ArchDsl.Benchmarks;

// In-process jobs: the benchmarks run in this (Release) process, already built with the native TorchSharp fix
// and without BenchmarkDotNet rebuilding a project per job (slow on 2 cores). Few iterations, by design:
// each class should finish within a few minutes on a 2-core machine.

/// <summary>Whole compilations (about a second each): one call per iteration.</summary>
public sealed class CompileConfig : ManualConfig
{
    public CompileConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1).WithId("compile"));
        AddColumn(StatisticColumn.Median);
        SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Percentage);
    }
}

/// <summary>Incremental re-runs (milliseconds): several calls per iteration, chosen by the pilot stage. Ten warm-up
/// iterations: Roslyn's binder keeps being re-jitted (tiered compilation) for the first few dozen edits of a process.</summary>
public sealed class EditConfig : ManualConfig
{
    public EditConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(10).WithIterationCount(15).WithId("edit"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
    }
}

/// <summary>ResNet-50 on CPU (hundreds of milliseconds to seconds): one call per iteration.</summary>
public sealed class RuntimeConfig : ManualConfig
{
    public RuntimeConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(2).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1).WithId("cpu"));
        AddColumn(StatisticColumn.Median);
    }
}
