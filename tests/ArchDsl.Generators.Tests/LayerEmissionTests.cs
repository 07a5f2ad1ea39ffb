using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>What a layer's hyperparameters turn into in generated TorchSharp code, where the counts cannot tell.</summary>
public class LayerEmissionTests
{
    /// <summary>
    /// Mlp's inner activation: GELU when not written (torchvision's MLP block); an explicit Act.None used to be GELU as
    /// well, silently (found in review). It is an Identity now, so the state-dict indices stay those of the block.
    /// </summary>
    [Theory]
    [InlineData("", "nn.GELU()")]
    [InlineData(", Inner = Act.ReLU", "nn.ReLU()")]
    [InlineData(", Inner = Act.None", "nn.Identity()")]
    public void Mlp_inner_activation_is_the_one_written(string inner, string module)
    {
        var r = GeneratorHarness.Run(TestModels.Usings + $$"""
            [Model, Input(4, 8)]
            public partial class Net { [Mlp(16{{inner}})] Sequential mlp; }
            """);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        var source = r.Source("Tests.Net.g.cs")!;
        Assert.Contains("nn.Linear(8, 16), " + module + ", nn.Dropout(", source);
        var result = RuntimeCheck.Run(r.Output, new[] { "Tests.Net" }).Single();
        Assert.True(result.Ok, result.Describe());
        Assert.Equal(8 * 16 + 16 + 16 * 8 + 8, result.Constant);   // by hand: 8→16→8 with biases
    }
}
