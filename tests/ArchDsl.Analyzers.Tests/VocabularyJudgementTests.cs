using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

/// <summary>Judgement of the CNN vocabulary: layer norm on maps, and projections the declaration did not name.</summary>
public class VocabularyJudgementTests
{
    private static string Model(string body, string input = "3, 32, 32") =>
        Sources.Usings + "[Model, Input(" + input + ")]\npublic partial class {|#0:Net|}\n{\n" + body + "}\n";

    /// <summary>On a C×H×W map, LayerNorm normalises the width axis with 2·W parameters; the warning names the channels form.</summary>
    [Fact]
    public Task LayerNorm_on_a_map_warns_and_names_the_channels_form() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [LayerNorm] LayerNorm {|#1:norm|};
            """),
            Verify.Diagnostic("ADSL1017").WithLocation(1).WithArguments("norm", "LayerNorm", "16×32×32", "16×32×32",
                "write [LayerNorm2d] to normalise the 16 channels of each position (torchvision's LayerNorm2d, 2·C parameters), or put [Permute(0, 2, 3, 1)] before it"));

    [Fact]
    public Task LayerNorm_on_a_channels_last_map_or_LayerNorm2d_is_quiet() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [LayerNorm2d] LayerNorm2d norm2d;
                [Permute(0, 2, 3, 1)] Permute channels_last;
                [LayerNorm] LayerNorm norm;
                [Linear(32)] Linear fc;
                [Permute(0, 3, 1, 2)] Permute channels_first;
            """));

    /// <summary>
    /// 4→8 channels: the residual needs a 1×1 convolution (4·8) and batch norm (2·8), 48 parameters, which the
    /// declaration does not name. Model: conv 4·8 + 8, batch norm 16, projection 48: 104 parameters; MACs 8·8·8·4 twice.
    /// </summary>
    [Fact]
    public Task Unnamed_projection_is_said() =>
        Verify.Analyzer(Model("""
                [Conv2d(8, Kernel = 1)] Conv2d conv;
                [BatchNorm2d, {|#1:Residual(From = nameof(conv))|}] BatchNorm2d bn;
            """, "4, 8, 8"), new Verify.Options { KeepInfos = true },
            Verify.Diagnostic("ADSL1000").WithLocation(0).WithArguments("Net", "104", "4,096", "4×8×8", "8×8×8"),
            Verify.Diagnostic("ADSL1018").WithLocation(1).WithArguments("bn", "4×8×8", "8×8×8", "downsample", "a 1×1 convolution and batch norm", "48"));

    [Fact]
    public Task Named_projection_is_declared() =>
        Verify.Analyzer(Model("""
                [Conv2d(8, Kernel = 1)] Conv2d conv;
                [BatchNorm2d, Residual(From = nameof(conv), Shortcut = "downsample")] BatchNorm2d bn;
            """, "4, 8, 8"), new Verify.Options { KeepInfos = true },
            Verify.Diagnostic("ADSL1000").WithLocation(0).WithArguments("Net", "104", "4,096", "4×8×8", "8×8×8"));
}
