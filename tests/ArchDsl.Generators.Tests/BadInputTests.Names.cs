using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Names a user mistyped: reported where they are written, with the name meant.</summary>
public partial class BadInputTests
{
    private const string TypoBlock = """
        /// <summary>A block with a typo in a binding.</summary>
        [Block, Param("stride", 1)]
        public partial class Body
        {
            [Conv2d("width", Kernel = 3, Padding = 1, With = "stride = strid")] Conv2d conv;
        }

        [Model, Input(4, 16, 16)]
        public partial class Net { [Use(typeof(Body), "width = 8, stride = 2")] Body body; }
        """;

    /// <summary>
    /// 'strid' used to become a parameter of the block: the model's Use got ADSL0004 ("give strid = ..."), keeping the
    /// typo, and ADSL0017 listed 'strid' among the block's parameters (found by a user test).
    /// </summary>
    [Fact]
    public void Typo_inside_a_block_is_reported_at_the_block_with_the_name_meant_ADSL0003()
    {
        var d = Expect(TypoBlock, "ADSL0003", "With = \"stride = strid\"", new[] { "'strid' is not defined", "did you mean 'stride'?" });
        var r = GeneratorHarness.Run(TestModels.Usings + TypoBlock);
        Assert.DoesNotContain(r.GeneratorDiagnostics, x => x.Id is "ADSL0004" or "ADSL0017");
        Assert.Single(r.GeneratorDiagnostics, x => x.Id == "ADSL0003");
    }

    [Fact]
    public void A_new_parameter_is_no_typo()
    {
        // 'width' is no near miss of 'stride' or the inputs: a parameter the Use binds, as in the samples.
        var r = GeneratorHarness.Run(TestModels.Usings + TypoBlock.Replace("stride = strid", "stride = stride"));
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
    }

    /// <summary>
    /// Every independent mistake in one build: after the too-large kernel, later layers are still read with the shape
    /// before it standing in, so the negative size is reported too; the stand-in's own shape findings are not (the
    /// Linear on a map that the failed convolution would not have made is no finding).
    /// </summary>
    [Fact]
    public void Independent_mistakes_are_all_reported_in_one_build()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(4, 8, 8)]
            public partial class Net
            {
                [Conv2d(4, Kernel = 40)] Conv2d big;
                [Conv2d(8, Kernel = 3, Groups = 3)] Conv2d grouped;
                [Linear(-3)] Linear fc;
            }
            """);
        r.AssertNoGeneratorException();
        var ids = r.GeneratorDiagnostics.Select(d => d.Id).ToList();
        Assert.Equal(new[] { "ADSL0005", "ADSL0002" }, ids);
        Assert.Contains("at least 1", r.GeneratorDiagnostics[1].GetMessage());
        Assert.False(r.HasModule("Tests.Net.g.cs"));
    }
}
