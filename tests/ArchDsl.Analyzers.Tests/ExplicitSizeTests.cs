using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

/// <summary>ADSL0019: an explicit InFeatures/InChannels must equal the size that reaches the layer.
/// The generator reports it (the core finds it), so these tests run the generator.</summary>
public class ExplicitSizeTests
{
    private static string Model(string body, string input = "3, 32, 32", string name = "Net") =>
        Sources.Usings + "[Model, Input(" + input + ")]\npublic partial class " + name + "\n{\n" + body + "}\n";

    [Fact]
    public Task Linear_in_features_that_disagree_is_an_error() =>
        Verify.Analyzer(Model("""
                [Conv2d(2048, Kernel = 1)] Conv2d conv;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10, {|#0:InFeatures = 512|})] Linear fc;
            """),
            Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("fc", "InFeatures", "512", "2048", "features"));

    [Fact]
    public void Message_names_the_numbers_and_the_way_out() =>
        Assert.Equal("fc: InFeatures = 512 but 2048 features reach it; remove InFeatures or write 2048",
            Core.Diagnostics.Finding.Of(Core.Diagnostics.Rules.ExplicitInputSize, Core.Declarations.SourceSpan.None,
                "fc", "InFeatures", "512", "2048", "features").Message);

    [Fact]
    public Task Conv_in_channels_that_disagree_is_an_error() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1, {|#0:InChannels = 1|})] Conv2d conv;
            """),
            Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("conv", "InChannels", "1", "3", "channels"));

    [Fact]
    public Task Batchnorm_in_channels_that_disagree_is_an_error() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
                [BatchNorm2d({|#0:InChannels = 32|})] BatchNorm2d bn;
            """),
            Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("bn", "InChannels", "32", "16", "channels"));

    [Fact]
    public Task Mlp_in_features_that_disagree_is_an_error() =>
        Verify.Analyzer(Model("""
                [Mlp(64, {|#0:InFeatures = 100|})] Sequential mlp;
            """, "8, 32"),
            Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("mlp", "InFeatures", "100", "32", "features"));

    [Fact]
    public Task Matching_or_absent_sizes_are_fine() =>
        Verify.Analyzer(Model("""
                [Conv2d(16, Kernel = 3, Padding = 1, InChannels = 3)] Conv2d conv;
                [BatchNorm2d(InChannels = 16)] BatchNorm2d bn;
                [AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;
                [Flatten] Flatten flatten;
                [Linear(10, InFeatures = 16)] Linear fc;
                [Linear(5)] Linear fc2;
            """));

    [Fact]
    public Task Inside_a_block_the_instance_size_is_checked() =>
        Verify.Analyzer(Sources.Usings + """
            [Block(Layout.Vector)]
            public partial class Classifier
            {
                [Linear(10, {|#0:InFeatures = 64|})] Linear fc;
            }

            [Model, Input(32)]
            public partial class Net
            {
                [Use(typeof(Classifier))] Classifier head;
            }
            """,
            Verify.Diagnostic("ADSL0019").WithLocation(0).WithArguments("Net.head.fc", "InFeatures", "64", "32", "features"));
}
