using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

// Reference figures: torchvision docs for vit_l_16: 304,326,632 parameters, 61.555 GMACs at 224.
// 16 bytes per parameter (ZeRO paper): 16 × 304,326,632 = 4,869,226,112 B = 4.535 GiB.
public class LargeModelTests
{
    [Fact]
    public Task Fires_on_vit_l16_with_torchvision_count() =>
        Verify.Analyzer(Sources.VitL(""),
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("VitL16", "304,326,632", "100 M", "4.535 GiB", ""));

    [Fact]
    public Task Does_not_fire_below_threshold() => Verify.Analyzer(Sources.Linear());

    [Fact]
    public Task Follows_editorconfig_threshold() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 1M" },
            // 1000·1000 + 1000 = 1,001,000 parameters; 16 × 1,001,000 B = 16,016,000 B = 15.274 MiB
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("Small", "1,001,000", "1 M", "15.274 MiB", ""));

    [Fact]
    public Task Follows_msbuild_property() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { GlobalConfig = "build_property.ArchDslMaxParameters = 0.5M" },
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("Small", "1,001,000", "500 K", "15.274 MiB", ""));

    [Fact]
    public Task Editorconfig_wins_over_msbuild_property() =>
        Verify.Analyzer(Sources.VitL(""), new Verify.Options
        {
            EditorConfig = "archdsl.ADSL1001.max_parameters = 400M",
            GlobalConfig = "build_property.ArchDslMaxParameters = 1M",
        });

    [Fact]
    public Task Raised_threshold_silences_vit_l() =>
        Verify.Analyzer(Sources.VitL(""), new Verify.Options { GlobalConfig = "build_property.ArchDslMaxParameters = 305M" });

    [Fact]
    public Task Malformed_editorconfig_value_is_reported_and_default_used() =>
        Verify.Analyzer(Sources.VitL(""), new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = lots" },
            Verify.Diagnostic("ADSL1008").WithLocation(0).WithArguments("archdsl.ADSL1001.max_parameters", "lots", "positive number (e.g. 100M, 1.5G, 1e25)", "100 M"),
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("VitL16", "304,326,632", "100 M", "4.535 GiB", ""));

    [Fact]
    public Task Malformed_msbuild_value_is_reported() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { GlobalConfig = "build_property.ArchDslMaxParameters = 10X" },
            Verify.Diagnostic("ADSL1008").WithLocation(0).WithArguments("ArchDslMaxParameters", "10X", "positive number (e.g. 100M, 1.5G, 1e25)", "100 M"));

    [Fact]
    public Task Empty_msbuild_property_means_unset() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { GlobalConfig = "build_property.ArchDslMaxParameters = " });
}

// vit_l_16 at 224: 61,554,712,576 MACs by counting.md's formulas (197 tokens, d = 1024, MLP 4096, 24 layers:
// 24 × (197·1024·12288 + 2·197²·1024) + 196·1024·768 + 1024·1000), torchvision's 61.555 G.
public class ComputeTests
{
    [Fact]
    public Task Does_not_fire_on_vit_l_224_at_default() =>
        Verify.Analyzer(Sources.VitL(""), new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 1G" });

    [Fact]
    public Task Fires_on_vit_l_384() =>
        // 577 tokens: 24 × (577·1024·12288 + 2·577²·1024) + 576·1024·768 + 1024·1000 = 191,066,300,416 MACs
        Verify.Analyzer(Sources.Usings + "[Model, Input(3, 384, 384)]\npublic partial class {|#0:VitL16At384|}\n" + Sources.VitLBody + Sources.VitBlocks,
            new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 1G" },
            Verify.Diagnostic("ADSL1002").WithLocation(0).WithArguments("VitL16At384", "191.07 G", "382.13 G", "3×384×384", "100 G"));

    [Fact]
    public Task Follows_editorconfig_threshold() =>
        Verify.Analyzer(Sources.VitL(""), new Verify.Options { EditorConfig = "archdsl.ADSL1001.max_parameters = 1G\narchdsl.ADSL1002.max_macs = 50G" },
            Verify.Diagnostic("ADSL1002").WithLocation(0).WithArguments("VitL16", "61.555 G", "123.11 G", "3×224×224", "50 G"));

    [Fact]
    public Task Follows_msbuild_property() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { GlobalConfig = "build_property.ArchDslMaxMacs = 900K" },
            Verify.Diagnostic("ADSL1002").WithLocation(0).WithArguments("Small", "1 M", "2 M", "1000", "900 K"));

    [Fact]
    public Task Malformed_value_is_reported() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { EditorConfig = "archdsl.ADSL1002.max_macs = -3G" },
            Verify.Diagnostic("ADSL1008").WithLocation(0).WithArguments("archdsl.ADSL1002.max_macs", "-3G", "positive number (e.g. 100M, 1.5G, 1e25)", "100 G"));
}

public class CountsAtAGlanceTests
{
    [Fact]
    public Task Info_carries_exact_counts() =>
        Verify.Analyzer(Sources.VitL(""), new Verify.Options { KeepInfos = true, EditorConfig = "archdsl.ADSL1001.max_parameters = 1G" },
            Verify.Diagnostic("ADSL1000").WithLocation(0).WithArguments("VitL16", "304,326,632", "61,554,712,576", "3×224×224", "1000"));

    [Fact]
    public Task Info_on_small_model() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { KeepInfos = true },
            Verify.Diagnostic("ADSL1000").WithLocation(0).WithArguments("Small", "1,001,000", "1,000,000", "1000", "1000"));

    [Fact]
    public Task Nothing_for_a_model_with_errors() =>
        // No [Input]: ADSL0010, and no judgement (not even the counts) of a model that cannot be shaped.
        Verify.Analyzer(Sources.Usings + "[Model]\npublic partial class {|#0:Broken|} { [Linear(10)] Linear fc; }\n", new Verify.Options { KeepInfos = true },
            Verify.Diagnostic("ADSL0010").WithLocation(0).WithArguments("Broken", "add [Input(...)] with the input shape without the batch dimension, e.g. [Input(3, 224, 224)]"));
}
