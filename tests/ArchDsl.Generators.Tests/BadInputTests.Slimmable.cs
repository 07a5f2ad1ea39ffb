using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Slimmable widths: each mistake located at its argument, with the layer, the width and the numbers.</summary>
public partial class BadInputTests
{
    private const string SlimBody = """
        {
            [Conv2d(6, Kernel = 3, Padding = 1)] SlimmableConv2d conv1;
            [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn1;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] SlimmableLinear fc;
        }
        """;

    [Fact]
    public void Width_that_leaves_a_layer_no_channels_names_the_layer_and_the_width_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8), Slimmable(0.1, 0.5, 1.0)]
        public partial class Net
        """ + SlimBody, "ADSL0002", "0.1", new[] { "width 0.1", "'conv1'", "int(0.1 × 6) = 0" });

    [Fact]
    public void Width_that_empties_a_layer_is_reported_once_for_the_first_layer_it_empties()
    {
        var d = Expect("""
            [Model, Input(3, 8, 8), Slimmable(0.1, 0.5, 1.0)]
            public partial class Net
            """ + SlimBody, "ADSL0002", "0.1", new[] { "'conv1'" });
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(3, 8, 8), Slimmable(0.1, 0.5, 1.0)]
            public partial class Net
            """ + SlimBody);
        // bn1 and the pooling after conv1 are empty too, because of it: one finding, not one per layer.
        Assert.Single(r.GeneratorDiagnostics, x => x.Id == "ADSL0002");
        Assert.DoesNotContain("'bn1'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Slimmable_on_a_block_ADSL0002() => Expect("""
        /// <summary>A convolution.</summary>
        [Block, Slimmable(0.5, 1.0)]
        public partial class Unit { [Conv2d("inChannels", Kernel = 3, Padding = 1)] Conv2d conv; }

        [Model, Input(3, 8, 8)]
        public partial class Net { [Use(typeof(Unit))] Unit unit; }
        """, "ADSL0002", "Slimmable(0.5, 1.0)", new[] { "Unit", "belongs on a model" }, noSourceFor: "Unit");

    [Fact]
    public void Width_multiplier_above_one_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8), Slimmable(0.5, 1.5)]
        public partial class Net
        """ + SlimBody, "ADSL0002", "1.5", new[] { "1.5", "(0, 1]" });

    [Fact]
    public void Width_multiplier_of_zero_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8), Slimmable(0.0, 1.0)]
        public partial class Net
        """ + SlimBody, "ADSL0002", "0.0", new[] { "(0, 1]" });

    [Fact]
    public void Width_multipliers_out_of_order_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8), Slimmable(0.5, 1.0, 0.75)]
        public partial class Net
        """ + SlimBody, "ADSL0002", "0.75", new[] { "ascend", "0.75 follows 1" });

    [Fact]
    public void Width_multiplier_repeated_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8), Slimmable(0.5, 0.5, 1.0)]
        public partial class Net
        """ + SlimBody, "ADSL0002", "0.5", new[] { "without repeats", "0.5 follows 0.5" });

    [Fact]
    public void Slimmable_without_widths_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8), Slimmable]
        public partial class Net
        """ + SlimBody, "ADSL0002", "Slimmable", new[] { "give the width multipliers" });

    [Fact]
    public void Slimmable_model_with_a_kind_that_cannot_slim_names_the_kind_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8), Slimmable(0.5, 1.0)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] SlimmableConv2d conv1;
            [LayerNorm2d] LayerNorm2d norm;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] SlimmableLinear fc;
        }
        """, "ADSL0002", "LayerNorm2d", new[] { "norm: a LayerNorm2d layer cannot slim", "slims Conv2d" });

    [Fact]
    public void Slimmable_model_with_a_stage_names_the_kind_ADSL0002() => Expect("""
        /// <summary>A convolution.</summary>
        [Block]
        public partial class Unit { [Conv2d("inChannels", Kernel = 3, Padding = 1)] Conv2d conv; }

        [Model, Input(3, 8, 8), Slimmable(0.5, 1.0)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] SlimmableConv2d conv1;
            [Stage(typeof(Unit), 2)] Sequential layer1;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] SlimmableLinear fc;
        }
        """, "ADSL0002", "Stage(typeof(Unit), 2)", new[] { "a Stage layer cannot slim" });

    [Fact]
    public void Grouped_convolution_in_a_slimmable_model_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8), Slimmable(0.5, 1.0)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] SlimmableConv2d conv1;
            [Conv2d(8, Kernel = 3, Padding = 1, Groups = 2)] SlimmableConv2d conv2;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] SlimmableLinear fc;
        }
        """, "ADSL0002", "Conv2d(8, Kernel = 3, Padding = 1, Groups = 2)", new[] { "conv2: a grouped convolution (2 groups of 8 channels) cannot slim", "depthwise" });

    [Fact]
    public void Residual_from_the_fixed_input_mismatches_at_smaller_widths_ADSL0013() => Expect("""
        [Model, Input(4, 8, 8), Slimmable(0.5, 1.0)]
        public partial class Net
        {
            [Conv2d(4, Kernel = 3, Padding = 1)] SlimmableConv2d conv1;
            [BatchNorm2d, Residual(From = nameof(conv1))] SwitchableBatchNorm2d bn1;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] SlimmableLinear fc;
        }
        """, "ADSL0013", "From = nameof(conv1)", new[] { "width 0.5", "'conv1' has 4 channels", "gives 2" });

    [Fact]
    public void Plain_module_types_in_a_slimmable_model_name_the_slimmable_ones_ADSL0009() => Expect("""
        [Model, Input(3, 8, 8), Slimmable(0.5, 1.0)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] Conv2d conv1;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] SlimmableLinear fc;
        }
        """, "ADSL0009", "Conv2d", new[] { "ArchDsl.Layers.SlimmableConv2d" });
}
