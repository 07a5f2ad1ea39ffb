using System.Globalization;
using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

// Training compute by hand: tokens: 6 · N · tokens; samples: 6 · MACs · samples · epochs.
// GPU-days: FLOP / (989e12 · 0.4) / 86400 (defaults: H100 dense bf16, 40% utilisation).
public class TrainingBudgetTests
{
    private const double N = 304_326_632; // vit_l_16, torchvision docs
    private static readonly Verify.Options Quiet = new() { EditorConfig = "archdsl.ADSL1001.max_parameters = 1G" };

    private static string Days(double flop, double rate = 989e12, double util = 0.4)
    {
        double d = flop / (rate * util) / 86400;
        return d >= 1000 ? d.ToString("N0", CultureInfo.InvariantCulture) : d >= 10 ? d.ToString("0.#", CultureInfo.InvariantCulture) : d.ToString("0.##", CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Hand_figures_are_what_the_tests_assume()
    {
        // 6 × 304,326,632 × 1e16 = 1.826e25; at 395.6 TFLOP/s effective: 534,221 GPU-days.
        Assert.Equal(1.8259597920e25, 6 * N * 1e16, 1e15);
        Assert.Equal("534,221", Days(6 * N * 1e16));
    }

    [Fact]
    public Task Estimate_info_for_jft_plan() =>
        // ViT paper: ViT-L/16 pre-trained on JFT-300M (303 M images) for 7 epochs.
        // 6 × 61,554,712,576 × 303e6 × 7 = 7.8335e20 FLOP; 7.833e20 / 3.956e14 / 86400 = 22.9 days.
        Verify.Analyzer(Sources.VitL("\n[TrainingPlan(Samples = 303_000_000, Epochs = 7)]"),
            new Verify.Options { KeepInfos = true, EditorConfig = "archdsl.ADSL1001.max_parameters = 1G" },
            Verify.Diagnostic("ADSL1000").WithLocation(0),
            Verify.Diagnostic("ADSL1003").WithLocation(0).WithArguments("VitL16", "303 M samples × 7 epochs, 6 × MACs per sample × samples × epochs",
                "7.83e20", "783.345 exaFLOP", Days(6 * 61_554_712_576.0 * 303e6 * 7), "989 T", "40%"));

    [Fact]
    public Task Large_model_message_carries_the_training_figure() =>
        Verify.Analyzer(Sources.VitL("\n[TrainingPlan(Samples = 303_000_000, Epochs = 7)]"),
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("VitL16", "304,326,632", "100 M", "4.535 GiB",
                "; its training plan (303 M samples × 7 epochs, 6 × MACs per sample × samples × epochs) needs about 7.83e20 FLOP, about 22.9 GPU-days at 989 T FLOP/s and 40% utilisation"));

    [Fact]
    public Task Eu_threshold_fires_above_1e25() =>
        Verify.Analyzer(Sources.VitL("\n[TrainingPlan(Tokens = 1e16)]"), Quiet,
            Verify.Diagnostic("ADSL1004").WithLocation(0).WithArguments("VitL16", "1.83e25", "1e25", Days(6 * N * 1e16), "989 T", "40%"));

    [Fact]
    public Task Both_thresholds_fire_above_1e26() =>
        Verify.Analyzer(Sources.VitL("\n[TrainingPlan(Tokens = 1e17)]"), Quiet,
            Verify.Diagnostic("ADSL1004").WithLocation(0).WithArguments("VitL16", "1.83e26", "1e25", Days(6 * N * 1e17), "989 T", "40%"),
            Verify.Diagnostic("ADSL1005").WithLocation(0).WithArguments("VitL16", "1.83e26", "1e26", Days(6 * N * 1e17), "989 T", "40%"));

    [Fact]
    public Task Nothing_below_1e25() =>
        // 6 × N × 5e15 = 9.13e24 < 1e25
        Verify.Analyzer(Sources.VitL("\n[TrainingPlan(Tokens = 5e15)]"), Quiet);

    [Fact]
    public Task Follows_editorconfig_thresholds_and_device() =>
        Verify.Analyzer(Sources.VitL("\n[TrainingPlan(Tokens = 5e15)]"),
            new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 1G\narchdsl.ADSL1004.max_training_flop = 1e24\narchdsl.training.device_flops = 312T\narchdsl.training.device_utilization = 50%" },
            Verify.Diagnostic("ADSL1004").WithLocation(0).WithArguments("VitL16", "9.13e24", "1e24", Days(6 * N * 5e15, 312e12, 0.5), "312 T", "50%"));

    [Fact]
    public Task Follows_msbuild_properties() =>
        Verify.Analyzer(Sources.VitL("\n[TrainingPlan(Tokens = 5e15)]"),
            new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 1G", GlobalConfig = "build_property.ArchDslFrontierTrainingFlop = 5e24\nbuild_property.ArchDslEuTrainingFlop = 1e26" },
            Verify.Diagnostic("ADSL1005").WithLocation(0).WithArguments("VitL16", "9.13e24", "5e24", Days(6 * N * 5e15), "989 T", "40%"));

    [Fact]
    public Task Malformed_utilisation_is_reported() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { EditorConfig = "archdsl.training.device_utilization = 140%" },
            Verify.Diagnostic("ADSL1008").WithLocation(0).WithArguments("archdsl.training.device_utilization", "140%", "fraction (e.g. 40% or 0.4)", "40%"));

    [Fact]
    public Task Invalid_plan_is_reported() =>
        Verify.Analyzer(Sources.Linear("[{|#1:TrainingPlan(Samples = 1000)|}]"),
            Verify.Diagnostic("ADSL1010").WithLocation(1).WithArguments("Small", "[TrainingPlan] give Tokens, or both Samples and Epochs"));
}

// Memory: one Linear 1000 → 1000 (1,001,000 parameters), batch 1000.
// Training: 16 × 1,001,000 = 16,016,000 B state + 1000 outputs × 2 B × 1000 = 2,000,000 B = 18,016,000 B (17.181 MiB).
// Inference: 2 × 1,001,000 = 2,002,000 B + (1000 in + 1000 out) × 2 B × 1000 = 4,000,000 B = 6,002,000 B (5.724 MiB).
public class MemoryBudgetTests
{
    [Fact]
    public Task Training_over_budget() =>
        Verify.Analyzer(Sources.Linear("[MemoryBudget(\"16MiB\", BatchSize = 1000)]"),
            Verify.Diagnostic("ADSL1006").WithLocation(0).WithArguments("Small", "17.181 MiB", "1,000", "15.274 MiB", "1.907 MiB", "16 MiB"));

    [Fact]
    public Task Training_and_inference_over_budget() =>
        Verify.Analyzer(Sources.Linear("[MemoryBudget(\"4MiB\", BatchSize = 1000)]"),
            Verify.Diagnostic("ADSL1006").WithLocation(0).WithArguments("Small", "17.181 MiB", "1,000", "15.274 MiB", "1.907 MiB", "4 MiB"),
            Verify.Diagnostic("ADSL1007").WithLocation(0).WithArguments("Small", "5.724 MiB", "1,000", "1.909 MiB", "3.815 MiB", "4 MiB", ""));

    [Fact]
    public Task Within_budget() => Verify.Analyzer(Sources.Linear("[MemoryBudget(\"20MB\", BatchSize = 1000)]"));

    [Fact]
    public Task Batch_comes_from_training_plan() =>
        Verify.Analyzer(Sources.Linear("[MemoryBudget(\"16MiB\"), TrainingPlan(Samples = 1000, Epochs = 1, BatchSize = 1000)]"),
            Verify.Diagnostic("ADSL1006").WithLocation(0).WithArguments("Small", "17.181 MiB", "1,000", "15.274 MiB", "1.907 MiB", "16 MiB"));

    [Fact]
    public Task Follows_editorconfig_device_memory() =>
        Verify.Analyzer(Sources.Linear("[TrainingPlan(Samples = 1000, Epochs = 1, BatchSize = 1000)]"),
            new Verify.Options { EditorConfig = "archdsl.memory.device_memory = 16MiB" },
            Verify.Diagnostic("ADSL1006").WithLocation(0).WithArguments("Small", "17.181 MiB", "1,000", "15.274 MiB", "1.907 MiB", "16 MiB"));

    [Fact]
    public Task Follows_msbuild_device_memory() =>
        Verify.Analyzer(Sources.Linear("[TrainingPlan(Samples = 1000, Epochs = 1, BatchSize = 1000)]"),
            new Verify.Options { GlobalConfig = "build_property.ArchDslDeviceMemory = 16MiB" },
            Verify.Diagnostic("ADSL1006").WithLocation(0).WithArguments("Small", "17.181 MiB", "1,000", "15.274 MiB", "1.907 MiB", "16 MiB"));

    [Fact]
    public Task Malformed_device_memory_is_reported() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { GlobalConfig = "build_property.ArchDslDeviceMemory = 80 gigs" },
            Verify.Diagnostic("ADSL1008").WithLocation(0).WithArguments("ArchDslDeviceMemory", "80 gigs", "size in bytes (e.g. 80GiB)", "(none)"));

    [Fact]
    public Task Malformed_budget_attribute_is_reported() =>
        Verify.Analyzer(Sources.Linear("[MemoryBudget({|#1:\"lots\"|})]"),
            Verify.Diagnostic("ADSL1010").WithLocation(1).WithArguments("Small", "[MemoryBudget] \"lots\" is not a size in bytes; write it as \"80GiB\", \"40GB\" or \"24GiB\""));
}
