using System;
using System.Globalization;
using System.Threading.Tasks;
using ArchDsl.Core.Judgement;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

// The cluster plan by hand. A model of exactly 7e9 parameters: Input(999), Linear(7,000,000): 999 × 7e6 weights +
// 7e6 biases = 7,000,000,000; 6.993e9 MACs per sample; one output of 7e6 elements kept for the backward pass
// (2 bytes each: 14e6 B per sample).
//
// Mixed-precision Adam, ZeRO (Rajbhandari et al. 2020) with K = 12, Ψ = 7e9, per device on n devices:
//   stage 0: 16Ψ = 112e9 B                     (8 and 64 devices alike)
//   stage 1: 4Ψ + 12Ψ/n   n = 8: 28e9 + 10.5e9  = 38.5e9 B      n = 64: 28e9 + 1.3125e9  = 29.3125e9 B
//   stage 2: 2Ψ + 14Ψ/n   n = 8: 14e9 + 12.25e9 = 26.25e9 B     n = 64: 14e9 + 1.53125e9 = 15.53125e9 B
//   stage 3: 16Ψ/n        n = 8: 14e9 B                        n = 64: 1.75e9 B
// Ring all-reduce of 2-byte gradients (2Ψ = 14e9 B), 2·(n−1)/n × 14e9:
//   n = 8: 24.5e9 B;  n = 64: 27.5625e9 B.  At 50 GB/s: 0.49 s and 0.55125 s.
// Compute per device per step: 6 × 6.993e9 × micro-batch × accumulation / (989e12 × 0.4).
public class ClusterPlanTests
{
    private const double Psi = 7e9;
    private const double Macs = 6.993e9;
    private const double Effective = 989e12 * 0.4;
    private const string Model = "Big";
    private static readonly Verify.Options Quiet = new() { EditorConfig = "archdsl.ADSL1001.max_parameters = 10G" };
    private static readonly Verify.Options Infos = new() { KeepInfos = true, EditorConfig = "archdsl.ADSL1001.max_parameters = 10G" };

    private static string Source(string plan) => Sources.Usings + "[Model, Input(999)]\n[" + plan + "]\npublic partial class {|#0:Big|}\n{\n    [Linear(7_000_000)] Linear fc;\n}\n";

    // The message's formatting (three significant digits, binary units) written out here, so the figures are the test's own.
    private static string Bytes(double b)
    {
        string[] units = { " B", " KiB", " MiB", " GiB", " TiB" };
        int u = 0;
        while (b >= 1024) { b /= 1024; u++; }
        return b.ToString(b >= 100 ? "0.##" : "0.###", CultureInfo.InvariantCulture) + units[u];
    }

    private static string Seconds(double s) =>
        s >= 1 ? s.ToString("0.##", CultureInfo.InvariantCulture) + " s"
        : s >= 1e-3 ? Fmt(s * 1e3) + " ms" : Fmt(s * 1e6) + " µs";

    private static string Fmt(double v) => v.ToString(v >= 100 ? "0" : v >= 10 ? "0.#" : "0.##", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(8, 0, 112e9)]
    [InlineData(8, 1, 38.5e9)]
    [InlineData(8, 2, 26.25e9)]
    [InlineData(8, 3, 14e9)]
    [InlineData(64, 0, 112e9)]
    [InlineData(64, 1, 29.3125e9)]
    [InlineData(64, 2, 15.53125e9)]
    [InlineData(64, 3, 1.75e9)]
    public void State_per_device_of_a_7B_model(int devices, int stage, double expected) =>
        Assert.Equal(expected, Cluster.StateBytesPerDevice(Psi, devices, stage), 1e-3);

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 14e9)]
    [InlineData(8, 24.5e9)]
    [InlineData(64, 27.5625e9)]
    public void All_reduce_volume_of_a_7B_model(int devices, double expected) =>
        Assert.Equal(expected, Cluster.AllReduceBytesPerDevice(Psi, devices), 1e-3);

    [Fact]
    public Task Figures_on_8_devices() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 8)"), Infos,
            Verify.Diagnostic("ADSL1000").WithLocation(0),
            Verify.Diagnostic("ADSL1003").WithLocation(0),
            Verify.Diagnostic("ADSL1019").WithLocation(0).WithArguments(Model, 8, Bytes(112e9), Bytes(38.5e9), Bytes(26.25e9), Bytes(14e9),
                Bytes(14e6), "1", Bytes(24.5e9), Seconds(0.49), "50 GB/s", Seconds(6 * Macs / Effective)),
            Verify.Diagnostic("ADSL1020").WithLocation(0));

    [Fact]
    public Task Figures_on_64_devices() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 64, BatchSize = 8, AccumulationSteps = 1000)"), Infos,
            Verify.Diagnostic("ADSL1000").WithLocation(0),
            Verify.Diagnostic("ADSL1003").WithLocation(0),
            Verify.Diagnostic("ADSL1019").WithLocation(0).WithArguments(Model, 64, Bytes(112e9), Bytes(29.3125e9), Bytes(15.53125e9), Bytes(1.75e9),
                Bytes(8 * 14e6), "8", Bytes(27.5625e9), Seconds(0.55125), "50 GB/s", Seconds(6 * Macs * 8 * 1000 / Effective)));

    [Fact]
    public void Hand_figures_are_what_the_tests_assume()
    {
        // 6 × 6.993e9 × 8 × 1000 = 3.35664e14 FLOP per device per step; / 3.956e14 FLOP/s = 0.8485 s > 0.55125 s.
        Assert.Equal(0.8485, 6 * Macs * 8 * 1000 / Effective, 4);
        // One micro-batch of one: 4.1958e10 FLOP, 106 µs; the all-reduce is 5,198× longer.
        Assert.Equal("106 µs", Seconds(6 * Macs / Effective));
        Assert.Equal(5198, Math.Ceiling(0.55125 / (6 * Macs / Effective)));
        Assert.Equal("104.31 GiB", Bytes(112e9));
        Assert.Equal("551 ms", Seconds(0.55125));
    }

    [Fact]
    public Task Warns_when_the_all_reduce_outlasts_the_compute() =>
        // 64 devices, micro-batch 1, no accumulation: 0.55125 s of all-reduce against 106 µs of compute.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 64)"), Quiet,
            Verify.Diagnostic("ADSL1020").WithLocation(0).WithArguments(Model, 64, Bytes(27.5625e9), Bytes(14e9), Seconds(0.55125), "50 GB/s",
                Seconds(6 * Macs / Effective), "4.2e10", "989 T", "40%", "1", "1",
                "accumulate at least 5,198 micro-batches per step (AccumulationSteps), raise the micro-batch (ZeRO stages 1-2 keep this volume and free memory for it; stage 3 moves 1.5× it), or use a faster interconnect"));

    [Fact]
    public Task No_warning_when_the_step_computes_longer_than_it_communicates() =>
        // 8 × 1000 samples per device per step: 0.8485 s of compute against 0.55125 s of all-reduce.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 64, BatchSize = 8, AccumulationSteps = 1000)"), Quiet);

    [Fact]
    public Task Faster_interconnect_removes_the_warning() =>
        // 27.5625e9 B at 400 GB/s: 68.9 ms; 6 × 6.993e9 × 8 × 100 / 3.956e14 = 84.9 ms of compute.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 64, BatchSize = 8, AccumulationSteps = 100, Bandwidth = 400)"), Quiet);

    [Fact]
    public Task One_device_communicates_nothing() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 1, DeviceMemory = \"200GiB\")"), Quiet);

    [Fact]
    public Task Warns_when_no_stage_fits() =>
        // 8 devices of 8 GiB: stage 3 holds 14e9 B (13.039 GiB) of state alone. Beside 100 × 14e6 B of activations the
        // state needs 16Ψ / (8 GiB − 1.4e9 B) = 112e9 / 7,189,934,592 = 15.58, so at least 16 devices.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 8, DeviceMemory = \"8GiB\", BatchSize = 100, AccumulationSteps = 100)"), Quiet,
            Verify.Diagnostic("ADSL1021").WithLocation(0).WithArguments(Model, "8 GiB", 8, Bytes(14e9), Bytes(112e9), Bytes(100 * 14e6), "100",
                Bytes(14e9 + 100 * 14e6), "the state alone needs at least 16 devices at stage 3; add devices or split the model (tensor or pipeline parallelism)"));

    [Fact]
    public Task Warns_when_activations_do_not_fit_beside_the_sharded_state() =>
        // 64 devices of 2 GiB: stage 3 holds 1.75e9 B, below 2 GiB (2,147,483,648 B); 100 × 14e6 B of activations do not fit beside it.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 64, DeviceMemory = \"2GiB\", BatchSize = 100, AccumulationSteps = 100)"), Quiet,
            Verify.Diagnostic("ADSL1021").WithLocation(0).WithArguments(Model, "2 GiB", 64, Bytes(1.75e9), Bytes(112e9), Bytes(100 * 14e6), "100",
                Bytes(1.75e9 + 100 * 14e6), "the activations do not fit beside the state; lower the micro-batch, recompute activations (checkpointing), or add devices"));

    [Fact]
    public Task Fits_at_stage_3_but_not_unsharded() =>
        // 8 × 80 GiB: stage 0 needs 112e9 B (104.31 GiB), stage 3 14e9 B + 14e8 B of activations: no ADSL1021.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 8, DeviceMemory = \"80GiB\", BatchSize = 100, AccumulationSteps = 100)"), Quiet);

    [Fact]
    public Task Device_memory_comes_from_editorconfig() =>
        // The configured device memory is also every model's memory budget. Training on the cluster is judged by
        // ADSL1021 (sharded), not ADSL1006 (one device); inference on one device is still ADSL1007:
        // 2 × 7e9 B of weights + (999 + 7e6) × 2 B × 100 of input and output.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 64, BatchSize = 100, AccumulationSteps = 100)"),
            new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 10G\narchdsl.memory.device_memory = 2GiB" },
            Verify.Diagnostic("ADSL1021").WithLocation(0).WithArguments(Model, "2 GiB", 64, Bytes(1.75e9), Bytes(112e9), Bytes(100 * 14e6), "100",
                Bytes(1.75e9 + 100 * 14e6), "the activations do not fit beside the state; lower the micro-batch, recompute activations (checkpointing), or add devices"),
            Verify.Diagnostic("ADSL1007").WithLocation(0).WithArguments(Model, Bytes(14e9 + (999 + 7e6) * 2 * 100), "100", Bytes(14e9), Bytes((999 + 7e6) * 2 * 100), "2 GiB", ""));

    [Fact]
    public Task Memory_budget_is_the_device_memory() =>
        // [MemoryBudget] names the device when the plan does not; the attribute's own DeviceMemory wins over it.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 8, BatchSize = 100, AccumulationSteps = 100), MemoryBudget(\"8GiB\")"), Quiet,
            Verify.Diagnostic("ADSL1021").WithLocation(0),
            Verify.Diagnostic("ADSL1007").WithLocation(0));

    [Fact]
    public Task Plan_device_memory_wins_over_memory_budget() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 8, BatchSize = 100, AccumulationSteps = 100, DeviceMemory = \"80GiB\"), MemoryBudget(\"8GiB\")"), Quiet,
            Verify.Diagnostic("ADSL1007").WithLocation(0));

    [Fact]
    public Task Devices_come_from_editorconfig() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12)"),
            new Verify.Options { KeepInfos = true, EditorConfig = "archdsl.ADSL1001.max_parameters = 10G\narchdsl.training.devices = 8\narchdsl.training.interconnect_bandwidth = 1000" },
            Verify.Diagnostic("ADSL1000").WithLocation(0),
            Verify.Diagnostic("ADSL1003").WithLocation(0),
            Verify.Diagnostic("ADSL1019").WithLocation(0).WithArguments(Model, 8, Bytes(112e9), Bytes(38.5e9), Bytes(26.25e9), Bytes(14e9),
                Bytes(14e6), "1", Bytes(24.5e9), Seconds(24.5e9 / 1000e9), "1000 GB/s", Seconds(6 * Macs / Effective)),
            // 24.5 ms against 106 µs: still bound by communication.
            Verify.Diagnostic("ADSL1020").WithLocation(0));

    [Fact]
    public Task Attribute_wins_over_editorconfig_and_editorconfig_over_msbuild() =>
        // Devices: attribute 64 over .editorconfig 8. Bandwidth: .editorconfig 100 GB/s over MSBuild 1 GB/s.
        // Utilisation: attribute 50% over .editorconfig 40%.
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 64, Utilization = 0.5)"),
            new Verify.Options
            {
                KeepInfos = true,
                EditorConfig = "archdsl.ADSL1001.max_parameters = 10G\narchdsl.training.devices = 8\narchdsl.training.interconnect_bandwidth = 100\narchdsl.training.device_utilization = 40%",
                GlobalConfig = "build_property.ArchDslInterconnectBandwidth = 1\nbuild_property.ArchDslTrainingDevices = 2",
            },
            Verify.Diagnostic("ADSL1000").WithLocation(0),
            Verify.Diagnostic("ADSL1003").WithLocation(0),
            Verify.Diagnostic("ADSL1019").WithLocation(0).WithArguments(Model, 64, Bytes(112e9), Bytes(29.3125e9), Bytes(15.53125e9), Bytes(1.75e9),
                Bytes(14e6), "1", Bytes(27.5625e9), Seconds(27.5625e9 / 100e9), "100 GB/s", Seconds(6 * Macs / (989e12 * 0.5))),
            Verify.Diagnostic("ADSL1020").WithLocation(0));

    [Fact]
    public Task Msbuild_devices_apply_without_editorconfig() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12)"),
            new Verify.Options { KeepInfos = true, EditorConfig = "archdsl.ADSL1001.max_parameters = 10G", GlobalConfig = "build_property.ArchDslTrainingDevices = 2\nbuild_property.ArchDslInterconnectBandwidth = 1T" },
            Verify.Diagnostic("ADSL1000").WithLocation(0),
            Verify.Diagnostic("ADSL1003").WithLocation(0),
            // 2 devices: stage 1 = 28e9 + 42e9 = 70e9, stage 2 = 14e9 + 49e9 = 63e9, stage 3 = 56e9; all-reduce 2·1/2 × 14e9 = 14e9 B,
            // at 1e12 GB/s (the value is in GB/s): 14 µs, shorter than the 106 µs of compute.
            Verify.Diagnostic("ADSL1019").WithLocation(0).WithArguments(Model, 2, Bytes(112e9), Bytes(70e9), Bytes(63e9), Bytes(56e9),
                Bytes(14e6), "1", Bytes(14e9), Seconds(14e9 / 1e21), "1000000000000 GB/s", Seconds(6 * Macs / Effective)));

    [Fact]
    public Task Without_devices_there_is_no_cluster_judgement() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Bandwidth = 1, DeviceMemory = \"1GiB\")"), Quiet);

    [Theory]
    [InlineData("Devices = 0", "Devices = 0 must be a whole number of devices, 1 or more")]
    [InlineData("Devices = -8", "Devices = -8 must be a whole number of devices, 1 or more")]
    [InlineData("Bandwidth = -50", "Bandwidth = -50 must be a positive rate in GB/s")]
    [InlineData("Bandwidth = 0.0", "Bandwidth = 0 must be a positive rate in GB/s")]
    [InlineData("Utilization = 1.5", "Utilization = 1.5 must be a fraction above 0 and at most 1 (0.4 for 40%)")]
    [InlineData("Utilization = 0", "Utilization = 0 must be a fraction above 0 and at most 1 (0.4 for 40%)")]
    [InlineData("AccumulationSteps = 0", "AccumulationSteps = 0 must be a whole number of micro-batches, 1 or more")]
    [InlineData("DeviceMemory = \"80 gigs\"", "DeviceMemory = \"80 gigs\" is not a size in bytes; write it as \"80GiB\", \"40GB\" or \"24GiB\"")]
    [InlineData("DeviceMemory = null", "DeviceMemory = null is not a size in bytes; write it as \"80GiB\", \"40GB\" or \"24GiB\"")]
    public Task Bad_cluster_values_are_reported_at_the_argument(string argument, string problem) =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 8, {|#1:" + argument + "|})").Replace("Devices = 8, {|#1:Devices", "{|#1:Devices"), Quiet,
            Verify.Diagnostic("ADSL1010").WithLocation(1).WithArguments(Model, "[TrainingPlan] " + problem));

    [Fact]
    public Task Fractional_devices_in_configuration_are_reported() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12)"),
            new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 10G\narchdsl.training.devices = 2.5" },
            Verify.Diagnostic("ADSL1008").WithLocation(0).WithArguments("archdsl.training.devices", "2.5", "whole number of devices", "(none)"));

    [Fact]
    public Task Malformed_bandwidth_in_configuration_is_reported() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 8, BatchSize = 8, AccumulationSteps = 1000)"),
            new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 10G\narchdsl.training.interconnect_bandwidth = fast" },
            Verify.Diagnostic("ADSL1008").WithLocation(0).WithArguments("archdsl.training.interconnect_bandwidth", "fast", "positive number (e.g. 100M, 1.5G, 1e25)", "50"));

    [Fact]
    public Task Accepted_communication_finding_is_silenced() =>
        Verify.Analyzer(Source("TrainingPlan(Tokens = 1e12, Devices = 64), Accept(\"ADSL1020\", Justification = \"a probe run of a few steps\")"), Quiet);

    [Fact]
    public Task Accept_fix_covers_the_communication_finding() =>
        Verify.Fix<ArchDsl.CodeFixes.AddAcceptCodeFix>(Source("TrainingPlan(Tokens = 1e12, Devices = 8), Accept(\"ADSL1001\", Justification = \"sized on purpose\")"),
            Source("TrainingPlan(Tokens = 1e12, Devices = 8), Accept(\"ADSL1001\", Justification = \"sized on purpose\")")
                .Replace("public partial class {|#0:Big|}", "[Accept(\"ADSL1020\", Justification = \"" + ArchDsl.CodeFixes.AddAcceptCodeFix.Placeholder + "\")]\npublic partial class Big"),
            new[] { Verify.Diagnostic("ADSL1020").WithLocation(0) });

    [Fact]
    public Task A_model_without_multiply_accumulates_gets_no_made_up_step_count() =>
        // An embedding alone: 1000 × 100 = 100,000 parameters and no MACs, so no number of accumulation steps
        // balances the all-reduce of 2·7/8 × 200,000 B = 350,000 B (7 µs at 50 GB/s).
        Verify.Analyzer(Sources.Usings + "[Model, Input(32), TrainingPlan(Tokens = 1e9, Devices = 8)]\npublic partial class {|#0:Lookup|}\n{\n    [TokenEmbedding(1000, 100)] Embedding wte;\n}\n",
            Verify.Diagnostic("ADSL1020").WithLocation(0).WithArguments("Lookup", 8, Bytes(350_000), Bytes(200_000), Seconds(350_000 / 50e9), "50 GB/s",
                "0 µs", "0", "989 T", "40%", "1", "1",
                "accumulate more micro-batches per step (AccumulationSteps), raise the micro-batch (ZeRO stages 1-2 keep this volume and free memory for it; stage 3 moves 1.5× it), or use a faster interconnect"));
}
