using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Joins, keys and the CNN vocabulary: each mistake located at its argument, with both shapes named.</summary>
public partial class BadInputTests
{
    [Fact]
    public void Concat_of_maps_of_different_size_ADSL0013() => Expect("""
        [Model, Input(4, 32, 32)]
        public partial class Net
        {
            [Conv2d(4, Kernel = 3, Padding = 1)] Conv2d stem;
            [Conv2d(8, Kernel = 3, Stride = 2, Padding = 1), Concat(From = nameof(stem))] Conv2d down;
        }
        """, "ADSL0013", "From = nameof(stem)", new[] { "4×32×32", "8×16×16", "height and width" });

    [Fact]
    public void Multiply_of_shapes_that_do_not_broadcast_ADSL0013() => Expect("""
        [Model, Input(10)]
        public partial class Net
        {
            [Linear(10)] Linear fc1;
            [Linear(6), Multiply(From = nameof(fc1))] Linear gate;
        }
        """, "ADSL0013", "From = nameof(fc1)", new[] { "10", "6", "do not broadcast" });

    [Fact]
    public void Join_from_a_member_declared_later_ADSL0013() => Expect("""
        [Model, Input(10)]
        public partial class Net
        {
            [Linear(10), Residual(From = "later")] Linear fc;
            [Linear(10)] Linear later;
        }
        """, "ADSL0013", "From = \"later\"", new[] { "'later' is declared after this member", "fc" });

    [Fact]
    public void Join_from_a_member_that_does_not_exist_lists_the_candidates_ADSL0013() => Expect("""
        [Model, Input(10)]
        public partial class Net
        {
            [Linear(10)] Linear first;
            [Linear(10), Concat(From = "frist")] Linear second;
        }
        """, "ADSL0013", "From = \"frist\"", new[] { "'frist' is not a layer of Net", "first, second" });

    [Fact]
    public void Upsample_to_a_non_integer_size_ADSL0005() => Expect("""
        [Model, Input(4, 5, 5)]
        public partial class Net { [Upsample(1.5)] Upsample up; }
        """, "ADSL0005", "1.5", new[] { "height 5 into 7.5", "not a whole number" });

    [Fact]
    public void IfSameShape_with_a_shortcut_name_ADSL0013() => Expect("""
        [Model, Input(4, 8, 8)]
        public partial class Net
        {
            [Conv2d(4, Kernel = 3, Padding = 1)] Conv2d conv;
            [BatchNorm2d, Residual(From = nameof(conv), IfSameShape = true, Shortcut = "proj")] BatchNorm2d bn;
        }
        """, "ADSL0013", "Shortcut = \"proj\"", new[] { "never projects" });

    [Fact]
    public void Key_inside_another_layers_key_ADSL0023() => Expect("""
        [Model, Input(3, 8, 8)]
        public partial class Net
        {
            [Conv2d(4, Kernel = 3, Key = "features.0")] Conv2d stem;
            [BatchNorm2d(Key = "features.0.1")] BatchNorm2d bn;
        }
        """, "ADSL0023", "Key = \"features.0.1\"", new[] { "\"features.0.1\"", "'stem'", "lie one inside the other" });

    [Fact]
    public void Key_with_a_space_ADSL0023() => Expect("""
        [Model, Input(10)]
        public partial class Net { [Linear(4, Key = "head weights")] Linear fc; }
        """, "ADSL0023", "Key = \"head weights\"", new[] { "no state_dict path" });

    [Fact]
    public void Key_index_on_a_single_layer_ADSL0023() => Expect("""
        [Model, Input(10)]
        public partial class Net { [Linear(4, Key = "fc{i}")] Linear fc; }
        """, "ADSL0023", "Key = \"fc{i}\"", new[] { "only a Stage places its blocks by index" });

    [Fact]
    public void Permute_that_is_no_permutation_ADSL0002() => Expect("""
        [Model, Input(4, 8, 8)]
        public partial class Net { [Permute(0, 2, 2, 1)] Permute p; }
        """, "ADSL0002", "0, 2, 2, 1", new[] { "must order all 4 axes" });

    [Fact]
    public void Conv2d_on_a_channels_last_map_ADSL0008() => Expect("""
        [Model, Input(4, 8, 8)]
        public partial class Net
        {
            [Permute(0, 2, 3, 1)] Permute last;
            [Conv2d(4, Kernel = 1)] Conv2d conv;
        }
        """, "ADSL0008", "Conv2d(4, Kernel = 1)", new[] { "channels-last" });

    [Fact]
    public void With_on_a_real_valued_argument_says_so_ADSL0002() => Expect("""
        /// <summary>Drop probability bound through With.</summary>
        [Block, Param("drop", 0)]
        public partial class Body { [StochasticDepth(With = "p = drop")] StochasticDepth sd; }

        [Model, Input(4, 8, 8)]
        public partial class Net { [Use(typeof(Body))] Body body; }
        """, "ADSL0002", "With = \"p = drop\"", new[] { "P is not an integer size" }, noSourceFor: "Body");
}
