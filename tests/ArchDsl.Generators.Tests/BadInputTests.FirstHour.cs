using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Mistakes from a first hour with the package (issue 18): each reaches an ADSL finding that says what to do,
/// never the compiler's error inside generated code.</summary>
public partial class BadInputTests
{
    [Fact]
    public void A_user_written_forward_is_ADSL0020_on_the_method_not_CS0111_in_generated_code()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(16)]
            public partial class Net
            {
                [Linear(4)] Linear fc;
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => fc.call(x);
            }
            """);
        r.AssertNoGeneratorException();
        var d = Assert.Single(r.GeneratorDiagnostics);
        Assert.Equal("ADSL0020", d.Id);
        Assert.Equal("forward", GeneratorResult.LocatedText(r.Input, d));
        Assert.Contains("forward pass", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(r.GeneratedCodeDiagnostics);
    }

    [Fact]
    public void An_image_fed_to_a_tokens_block_ADSL0008_suggests_Tokens() => Expect("""
        /// <summary>A tokens block.</summary>
        [Block(Layout.Tokens)]
        public partial class Enc { [LayerNorm(Eps = 1e-6)] LayerNorm n; }

        [Model, Input(3, 8, 8)]
        public partial class Net { [Use(typeof(Enc))] Enc e; }
        """, "ADSL0008", "Use(typeof(Enc))", new[] { "tokens (N×D)", "an image (C×H×W) 3×8×8", "put [Tokens] before it" });

    [Fact]
    public void A_layer_tokens_only_on_an_image_ADSL0008_suggests_Tokens() => Expect("""
        [Model, Input(3, 8, 8)]
        public partial class Net { [SelfAttention(1)] SelfAttention attn; }
        """, "ADSL0008", "SelfAttention(1)", new[] { "put [Tokens] before it" });

    /// <summary>8×8 → conv stride 2, padding 1, kernel 3: ⌊(8 + 2 − 3)/2⌋ + 1 = 4 → max pool 2: 2 → a 3×3 kernel
    /// without padding does not fit 2×2. The message names both layers that shrank the map and the sizes after each.</summary>
    [Fact]
    public void A_map_shrunk_to_nothing_ADSL0005_names_the_layers_that_shrank_it() => Expect("""
        [Model, Input(3, 8, 8)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Stride = 2, Padding = 1)] Conv2d c1;
            [MaxPool2d(2)] MaxPool2d p;
            [Conv2d(8, Kernel = 3)] Conv2d c2;
        }
        """, "ADSL0005", "Kernel = 3", new[] { "the map was 8×8 and was made smaller by c1 (4×4), p (2×2)" });
}

/// <summary>A file without <c>using TorchSharp.Modules;</c>: one ADSL0024 naming the using, on the first field; no
/// ADSL0009 per field.</summary>
public class MissingUsingTests
{
    [Fact]
    public void A_missing_using_is_one_ADSL0024_naming_it()
    {
        var r = GeneratorHarness.Run("""
            using ArchDsl;

            namespace Tests;

            /// <summary>An MLP whose file lacks the using.</summary>
            [Model, Input(784)]
            public partial class Mlp
            {
                [Linear(100)] Linear fc1;
                [Linear(10)] Linear fc2;
            }
            """);
        r.AssertNoGeneratorException();
        var d = Assert.Single(r.GeneratorDiagnostics);
        Assert.Equal("ADSL0024", d.Id);
        Assert.Equal("Linear", GeneratorResult.LocatedText(r.Input, d));
        Assert.Equal(9, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal("'fc1' is declared as Linear, which is not found: add 'using TorchSharp.Modules;' to the file ([Linear] creates TorchSharp.Modules.Linear)",
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(r.GeneratedCodeDiagnostics);
    }
}

/// <summary>A model with an ArchDsl error keeps its module's public surface, so code that uses it reports only
/// ArchDsl's error (before: CS0117 for the counts, CS1674 for <c>using var</c>, CS1061 for call).</summary>
public class UnbuiltSurfaceTests
{
    [Fact]
    public void Code_using_a_model_with_an_error_gets_no_compiler_errors_of_its_own()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>Linear(0) is ADSL0002.</summary>
            [Model, Input(16)]
            public partial class Net { [Linear(0)] Linear fc; }

            /// <summary>Uses it as any model.</summary>
            public static class Use
            {
                /// <summary>Counts, tables and a forward pass.</summary>
                public static long Run(TorchSharp.torch.Tensor x)
                {
                    using var model = new Net();
                    using var y = model.call(x);
                    System.Console.WriteLine(Net.Summary + Net.ArchitectureJson + Net.InputShape.Count + Net.Layers.Count);
                    return Net.ParameterCount + Net.Macs + Net.Flops + Net.BufferCount + Net.OutputShape[0];
                }
            }
            """);
        r.AssertNoGeneratorException();
        Assert.Equal("ADSL0002", Assert.Single(r.GeneratorDiagnostics).Id);
        Assert.Empty(r.CompilationDiagnostics);
        Assert.False(r.HasModule("Tests.Net.g.cs") && r.Source("Tests.Net.g.cs")!.Contains("RegisterComponents", System.StringComparison.Ordinal));
    }

    /// <summary>A task model and an exit model with an error: their task enum, forward(x, task), ForwardExits and the
    /// thresholded forward stay, so calling code reports only ArchDsl's errors.</summary>
    [Fact]
    public void Code_using_the_tasks_and_exits_of_a_model_with_an_error_gets_no_compiler_errors_of_its_own()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>Task B has no tail: ADSL0002.</summary>
            [Model, Input(3, 8, 8)]
            [Task("A", TaskKind.Denoising, Tail = nameof(tail))]
            [Task("B", TaskKind.Deraining)]
            public partial class Net
            {
                [Conv2d(4, Kernel = 3, Padding = 1)] Conv2d body;
                [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail;
            }

            /// <summary>An exit after no layer: ADSL0002.</summary>
            [Model, Input(3, 8, 8), Exit("nothing")]
            public partial class Exits
            {
                [Conv2d(4, Kernel = 3, Padding = 1)] Conv2d conv;
                [Flatten] Flatten flatten;
                [Linear(10)] Linear fc;
            }

            /// <summary>Uses both.</summary>
            public static class Use
            {
                /// <summary>A task's forward, every exit, the thresholded forward.</summary>
                public static long Run(TorchSharp.torch.Tensor x)
                {
                    using var model = new Net();
                    using var y = model.forward(x, Net.Task.B);
                    using var exits = new Exits();
                    var all = exits.ForwardExits(x);
                    var (logits, taken) = exits.forward(x, 0.5, ArchDsl.ExitMode.PerSample);
                    return all.Length + logits.shape[0] + taken.shape[0];
                }
            }
            """);
        r.AssertNoGeneratorException();
        Assert.Equal(new[] { "ADSL0002", "ADSL0002" }, r.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Empty(r.CompilationDiagnostics);
    }
}
