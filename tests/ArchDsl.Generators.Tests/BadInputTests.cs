using System;
using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// Each impossible or malformed declaration: the ADSL id, located at the offending argument, with a
/// message that carries the numbers, no module generated, and no exception out of the generator.
/// </summary>
public partial class BadInputTests
{
    private const string SmallBlock = """
        /// <summary>A block using width.</summary>
        [Block]
        public partial class Body
        {
            [Conv2d("width", Kernel = 3, Padding = 1)] Conv2d conv;
        }

        """;

    private static Diagnostic Expect(string declarations, string id, string located, string[] messageContains, string noSourceFor = "Net")
    {
        var r = GeneratorHarness.Run(TestModels.Usings + declarations);
        r.AssertNoGeneratorException();
        Assert.DoesNotContain(r.DriverDiagnostics, d => d.Id is "CS8784" or "CS8785");
        // Bad input is the user's mistake, never ArchDsl failing inside.
        if (id != "ADSL0099") Assert.DoesNotContain(r.GeneratorDiagnostics, d => d.Id == "ADSL0099");
        var diagnostic = r.GeneratorDiagnostics.FirstOrDefault(d => d.Id == id);
        Assert.True(diagnostic != null, $"expected {id}; got:\n{GeneratorResult.Describe(r.GeneratorDiagnostics)}");
        if (System.Environment.GetEnvironmentVariable("ARCHDSL_PRINT") == "1") System.Console.Error.WriteLine(GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.Equal(DiagnosticSeverity.Error, diagnostic!.Severity);
        var text = GeneratorResult.LocatedText(r.Input, diagnostic);
        Assert.True(text != null, $"{id} has no location in the input ({diagnostic.Location})");
        Assert.Equal(located, text);
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in messageContains) Assert.Contains(part, message);
        Assert.False(r.HasModule($"Tests.{noSourceFor}.g.cs"));
        return diagnostic;
    }

    [Fact]
    public void With_naming_a_hyperparameter_the_layer_does_not_have_ADSL0002() => Expect("""
        [Model, Input(16)]
        public partial class Net { [Linear(4, With = "kernel = 3")] Linear fc; }
        """, "ADSL0002", "With = \"kernel = 3\"", new[] { "[Linear]", "'kernel'" });

    [Fact]
    public void With_sets_a_pooling_stride_inside_a_block()
    {
        // The pool's stride comes only from With; it must be read (8 → 4), not silently replaced by the kernel.
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>Pools with a bound stride.</summary>
            [Block]
            public partial class Down { [MaxPool2d(2, With = "stride = step")] MaxPool2d pool; }

            [Model, Input(3, 8, 8)]
            public partial class Net
            {
                [Use(typeof(Down), "step = 1")] Down down;
                [Flatten] Flatten flatten;
            }
            """);
        r.AssertNoGeneratorException();
        var source = r.Source("Tests.Net.g.cs");
        Assert.True(source != null, GeneratorResult.Describe(r.GeneratorDiagnostics));
        // Kernel 2, stride 1 on 8×8: 7×7 per channel, 3 channels.
        Assert.Contains("new long[] { 147 }", source);
    }

    [Fact]
    public void Kernel_larger_than_padded_input_ADSL0005() => Expect("""
        [Model, Input(3, 6, 6)]
        public partial class Net { [Conv2d(4, Kernel = 9, Padding = 1)] Conv2d conv; }
        """, "ADSL0005", "Kernel = 9", new[] { "kernel 9", "8 (6 + 2×1)" });

    [Fact]
    public void Channels_not_divisible_by_groups_ADSL0006() => Expect("""
        [Model, Input(6, 8, 8)]
        public partial class Net { [Conv2d(8, Kernel = 3, Groups = 4)] Conv2d conv; }
        """, "ADSL0006", "Groups = 4", new[] { "6 input", "8 output", "Groups = 4" });

    [Fact]
    public void Heads_not_dividing_width_ADSL0007() => Expect("""
        [Model, Input(4, 64)]
        public partial class Net { [SelfAttention(7)] SelfAttention attn; }
        """, "ADSL0007", "7", new[] { "64", "7 heads", "for example 8" });

    [Fact]
    public void Heads_from_a_block_binding_point_at_the_binding_ADSL0007() => Expect("""
        /// <summary>Attention with heads as a parameter.</summary>
        [Block(Layout.Tokens)]
        public partial class Attn { [SelfAttention("heads")] SelfAttention attn; }

        [Model, Input(4, 64)]
        public partial class Net { [Stage(typeof(Attn), 1, "heads = 6")] Sequential layers; }
        """, "ADSL0007", "\"heads = 6\"", new[] { "64", "6 heads" });

    [Fact]
    public void Block_parameter_never_given_ADSL0004() => Expect(SmallBlock + """
        [Model, Input(3, 8, 8)]
        public partial class Net { [Stage(typeof(Body), 1, "")] Sequential layers; }
        """, "ADSL0004", "\"\"", new[] { "'width'", "conv", "width = ..." });

    [Fact]
    public void Malformed_expression_ADSL0003() => Expect(SmallBlock + """
        [Model, Input(3, 8, 8)]
        public partial class Net { [Stage(typeof(Body), 1, "width = 4 +")] Sequential layers; }
        """, "ADSL0003", "\"width = 4 +\"", new[] { "width = 4 +", "ends too early" });

    [Fact]
    public void Malformed_expression_in_a_block_ADSL0003() => Expect("""
        /// <summary>Bad expression.</summary>
        [Block]
        public partial class Broken { [Conv2d("width * (2", Kernel = 1)] Conv2d conv; }
        """, "ADSL0003", "\"width * (2\"", new[] { "missing ')'" }, noSourceFor: "Broken");

    [Fact]
    public void Wrong_member_type_ADSL0009() => Expect("""
        [Model, Input(3, 8, 8)]
        public partial class Net { [Conv2d(4, Kernel = 3)] Linear conv; }
        """, "ADSL0009", "Linear", new[] { "'conv'", "TorchSharp.Modules.Linear", "TorchSharp.Modules.Conv2d" });

    [Fact]
    public void Missing_input_ADSL0010() => Expect("""
        [Model]
        public partial class Net { [Linear(4)] Linear fc; }
        """, "ADSL0010", "Net", new[] { "Net", "[Input(" });

    [Fact]
    public void Input_with_a_zero_dimension_ADSL0010() => Expect("""
        [Model, Input(3, 0, 8)]
        public partial class Net { [Conv2d(4, Kernel = 1)] Conv2d conv; }
        """, "ADSL0010", "Input(3, 0, 8)", new[] { "dimension 2 is 0" });

    [Fact]
    public void Not_partial_ADSL0001() => Expect("""
        [Model, Input(4)]
        public class Net { [Linear(2)] Linear fc = null!; }
        """, "ADSL0001", "Net", new[] { "'Net'", "partial" });

    [Fact]
    public void Unknown_block_ADSL0012() => Expect("""
        /// <summary>Not a block.</summary>
        public class Plain { }

        [Model, Input(3, 8, 8)]
        public partial class Net { [Stage(typeof(Plain), 1)] Sequential layers; }
        """, "ADSL0012", "typeof(Plain)", new[] { "Tests.Plain", "[Block]" });

    [Fact]
    public void Recursive_block_ADSL0012() => Expect("""
        /// <summary>Contains itself.</summary>
        [Block]
        public partial class Loop { [Stage(typeof(Loop), 1)] Sequential inner; }

        [Model, Input(3, 8, 8)]
        public partial class Net { [Stage(typeof(Loop), 1)] Sequential layers; }
        """, "ADSL0012", "typeof(Loop)", new[] { "Loop contains itself" });

    [Fact]
    public void Bad_residual_from_ADSL0013() => Expect("""
        [Model, Input(3, 8, 8)]
        public partial class Net
        {
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d conv;
            [BatchNorm2d, Residual(From = "nope")] BatchNorm2d bn;
        }
        """, "ADSL0013", "From = \"nope\"", new[] { "'nope'" });

    // Both residuals project (8 → 16 and 16 → 32 features), and a projection is a field named by its Shortcut.
    [Fact]
    public void Two_projections_with_one_name_ADSL0013() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [Linear(16), Residual(From = nameof(a))] Linear a;
            [Linear(32), Residual(From = nameof(b))] Linear b;
        }
        """, "ADSL0013", "Residual(From = nameof(b))", new[] { "'downsample'", "another residual" });

    [Fact]
    public void Projection_named_like_a_member_ADSL0013() => Expect("""
        [Model, Input(8)]
        public partial class Net
        {
            [Linear(8)] Linear proj;
            [Linear(16), Residual(From = nameof(proj), Shortcut = "proj")] Linear a;
        }
        """, "ADSL0013", "Shortcut = \"proj\"", new[] { "'proj'", "a member" });

    [Fact]
    public void Projection_named_like_a_member_in_a_block_ADSL0013() => Expect("""
        /// <summary>Widens, with its projected shortcut named like a layer.</summary>
        [Block(Layout.Vector)]
        public partial class Widen1
        {
            [Linear(8)] Linear proj;
            [Linear("width"), Residual(From = nameof(proj), Shortcut = "proj")] Linear a;
        }

        [Model, Input(8)]
        public partial class Net { [Use(typeof(Widen1), "width = 16")] Widen1 w; }
        """, "ADSL0013", "Shortcut = \"proj\"", new[] { "'proj'", "a member" });

    [Theory]
    [InlineData("Summary", "a count or table")]
    [InlineData("Layers", "a count or table")]
    [InlineData("parameters", "inherited from TorchSharp's Module")]
    [InlineData("Net", "the constructor's name")]
    public void Projection_named_like_a_generated_member_ADSL0013(string shortcut, string why) => Expect($$"""
        [Model, Input(9)]
        public partial class Net
        {
            [Linear(38), Residual(From = nameof(a), Shortcut = "{{shortcut}}")] Linear a;
        }
        """, "ADSL0013", $"Shortcut = \"{shortcut}\"", new[] { $"'{shortcut}'", why });

    [Fact]
    public void Two_projections_with_one_name_in_a_block_ADSL0013() => Expect("""
        /// <summary>Widens twice, each time with a projected shortcut of the default name.</summary>
        [Block(Layout.Vector)]
        public partial class Widen2
        {
            [Linear("width"), Residual(From = nameof(a))] Linear a;
            [Linear("width * 2"), Residual(From = nameof(b))] Linear b;
        }

        [Model, Input(8)]
        public partial class Net { [Use(typeof(Widen2), "width = 16")] Widen2 w; }
        """, "ADSL0013", "Residual(From = nameof(b))", new[] { "'downsample'", "another residual" });

    [Fact]
    public void Stage_blocks_changing_shape_inside_a_block_ADSL0016() => Expect("""
        /// <summary>Halves the size every time.</summary>
        [Block]
        public partial class Down { [Conv2d(4, Kernel = 2, Stride = 2)] Conv2d conv; }

        /// <summary>Repeats Down inside a block, whose generated loop builds every block with one set of sizes.</summary>
        [Block]
        public partial class Body { [Stage(typeof(Down), 2)] Sequential layers; }

        [Model, Input(4, 16, 16)]
        public partial class Net { [Use(typeof(Body))] Body body; }
        """, "ADSL0016", "Stage(typeof(Down), 2)", new[] { "block 1", "4×8×8", "4×4×4" });

    [Fact]
    public void PixelShuffle_channels_ADSL0018() => Expect("""
        [Model, Input(6, 4, 4)]
        public partial class Net { [PixelShuffle(2)] PixelShuffle up; }
        """, "ADSL0018", "2", new[] { "6 input channels", "2² = 4" });

    [Fact]
    public void Negative_stride_ADSL0002() => Expect("""
        [Model, Input(3, 8, 8)]
        public partial class Net { [Conv2d(4, Kernel = 3, Stride = -1)] Conv2d conv; }
        """, "ADSL0002", "Stride = -1", new[] { "Stride", "at least 1", "-1" });

    [Fact]
    public void Layer_count_overflowing_64_bits_ADSL0014() => Expect("""
        [Model, Input(2147483647, 2147483647)]
        public partial class Net { [Linear(2147483647)] Linear fc; }
        """, "ADSL0014", "Linear(2147483647)", new[] { "fc", "64-bit" });

    [Fact]
    public void Total_overflowing_64_bits_ADSL0014() => Expect("""
        [Model, Input(2147483647)]
        public partial class Net
        {
            [Linear(2147483647)] Linear a;
            [Linear(2147483647)] Linear b;
            [Linear(2147483647)] Linear c;
        }
        """, "ADSL0014", "Net", new[] { "total", "64-bit" });

    /// <summary>
    /// A constant that is wrong for every instance, written in a block, is the block's own error, located where it is
    /// written (it used to be dropped as instance-dependent and crash the block's emission: ADSL0099, found by the fuzzer).
    /// </summary>
    [Fact]
    public void Constant_out_of_range_in_a_block_ADSL0002_on_the_block() => Expect("""
        [Block(Layout.Vector)] public partial class Body { [Linear("0")] Linear fc; }
        [Model, Input(16)] public partial class Net { [Use(typeof(Body))] Body body; }
        """, "ADSL0002", "\"0\"", new[] { "fc", "at least 1", "got 0" }, noSourceFor: "Body");

    [Fact]
    public void Constant_out_of_range_in_a_blocks_With_ADSL0002_on_the_block() => Expect("""
        [Block] public partial class Body { [Conv2d(8, Kernel = 3, With = "stride = 0")] Conv2d conv; }
        [Model, Input(3, 8, 8)] public partial class Net { [Use(typeof(Body))] Body body; }
        """, "ADSL0002", "With = \"stride = 0\"", new[] { "conv", "at least 1", "got 0" }, noSourceFor: "Body");

    /// <summary>A value from the block's parameters is checked per instance, at the Stage or Use that binds it.</summary>
    [Fact]
    public void Parameter_out_of_range_at_an_instance_ADSL0002() => Expect("""
        [Block(Layout.Vector)] public partial class Body { [Linear("width - 70")] Linear fc; }
        [Model, Input(16)] public partial class Net { [Use(typeof(Body), "width = 70")] Body body; }
        """, "ADSL0002", "\"width - 70\"", new[] { "Net.body.fc", "at least 1", "got 0" });   // the path names the model (user test)

    /// <summary>
    /// A block is checked on its own with every size at 64. An expression that overflows there (64^11) but not at its
    /// instances is left to them: width 2 builds; width 70 overflows at the Use.
    /// </summary>
    [Fact]
    public void Expression_overflowing_only_at_the_placeholder_sizes_is_checked_per_instance()
    {
        const string body = """
            [Block(Layout.Vector)] public partial class Body { [Linear("width * width * width * width * width * width * width * width * width * width * width")] Linear fc; }

            """;
        var fine = GeneratorHarness.Run(TestModels.Usings + body + """[Model, Input(16)] public partial class Net { [Use(typeof(Body), "width = 2")] Body body; }""");
        fine.AssertNoGeneratorException();
        Assert.Empty(fine.GeneratorDiagnostics);
        Assert.True(fine.HasModule("Tests.Net.g.cs"));
        Assert.Contains("public const long ParameterCount = " + (16L * 2048 + 2048) + "L;", fine.Source("Tests.Net.g.cs"));
        Expect(body + """[Model, Input(16)] public partial class Net { [Use(typeof(Body), "width = 70")] Body body; }""",
            "ADSL0014", "\"width * width * width * width * width * width * width * width * width * width * width\"", new[] { "body.fc", "64-bit" });
    }

    /// <summary>A nullable layer field compiled into generated code that dereferenced it (CS8602 under warnings as errors).</summary>
    [Fact]
    public void Nullable_layer_field_ADSL0009() => Expect("""
        [Model, Input(10)]
        public partial class Net { [Linear(3)] Linear? fc; }
        """, "ADSL0009", "Linear?", new[] { "fc", "Linear?", "declare it as TorchSharp.Modules.Linear" });

    /// <summary>
    /// A block from a referenced assembly: ArchDsl reads blocks from source, so it cannot be used; the message used to
    /// say the class was not marked [Block], which it is (found by a user test).
    /// </summary>
    [Fact]
    public void Block_from_a_referenced_assembly_ADSL0012_says_why()
    {
        var lib = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(TestModels.Usings.Replace("namespace Tests;", "namespace Lib;") + """
            /// <summary>A block in a library.</summary>
            [Block(Layout.Vector)]
            public partial class Dense { [Linear("width")] Linear fc; }
            """, "Lib.cs") }, "Lib");
        var built = GeneratorHarness.Run(lib);
        Assert.Empty(built.CompilationDiagnostics);
        var app = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(TestModels.Usings + """
            [Model, Input(4)]
            public partial class Net { [Stage(typeof(Lib.Dense), 2, "width = 8")] Sequential body; }
            """) }).AddReferences(ImageOf(built.Output));
        var r = GeneratorHarness.Run(app);
        r.AssertNoGeneratorException();
        var d = Assert.Single(r.GeneratorDiagnostics, x => x.Id == "ADSL0012");
        Assert.Equal("typeof(Lib.Dense)", GeneratorResult.LocatedText(r.Input, d));
        Assert.Contains("compiled into another assembly", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        // A framework or TorchSharp class is simply no block (the first version of this message said otherwise).
        var framework = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(4)]
            public partial class Net { [Stage(typeof(string), 2)] Sequential body; }
            """);
        var e = Assert.Single(framework.GeneratorDiagnostics, x => x.Id == "ADSL0012");
        Assert.Contains("System.String is not a class marked [Block]", e.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The compiled assembly, as a project reference reaches a build.</summary>
    private static MetadataReference ImageOf(Compilation c)
    {
        using var pe = new System.IO.MemoryStream();
        var emitted = c.Emit(pe);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(pe.ToArray());
    }

    /// <summary>[Param] twice for one name used to keep the last default silently; one naming an input size was ignored.</summary>
    [Theory]
    [InlineData("[Param(\"w\", 1), Param(\"w\", 2)]", "\"w\"", "twice")]
    [InlineData("[Param(\"inFeatures\", 5)]", "\"inFeatures\"", "input size")]
    public void Param_given_twice_or_for_an_input_ADSL0002(string param, string located, string says) => Expect($$"""
        [Block(Layout.Vector)]
        {{param}}
        public partial class Body { [Linear("w + inFeatures")] Linear fc; }
        [Model, Input(10)] public partial class Net { [Use(typeof(Body), "w = 3")] Body body; }
        """, "ADSL0002", located, new[] { "Body", says }, noSourceFor: "Body");

    /// <summary>
    /// An expression in a block that does not parse is the block's ADSL0003; the Use that binds its parameter used to
    /// get a second, misleading error: "'width' is not a parameter of Body (it uses: none)" (found by a user test).
    /// </summary>
    [Fact]
    public void Unreadable_expression_in_a_block_is_not_followed_by_unknown_parameter_errors()
    {
        Expect("""
            [Block(Layout.Vector)] public partial class Body { [Linear("width *")] Linear fc; }
            [Model, Input(10)] public partial class Net { [Use(typeof(Body), "width = 8")] Body body; }
            """, "ADSL0003", "\"width *\"", new[] { "fc", "width *" }, noSourceFor: "Body");
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Block(Layout.Vector)] public partial class Body { [Linear("width *")] Linear fc; }
            [Model, Input(10)] public partial class Net { [Use(typeof(Body), "width = 8")] Body body; }
            """);
        Assert.DoesNotContain(r.GeneratorDiagnostics, d => d.Id == "ADSL0017");
        Assert.False(r.HasModule("Tests.Net.g.cs"));
    }

    /// <summary>[Model] on a record used to produce nothing at all: no module and no diagnostic (found by a user test).</summary>
    [Fact]
    public void Model_on_a_record_ADSL0001() => Expect("""
        [Model, Input(10)]
        public partial record Net { [Linear(3)] Linear fc = null!; }
        """, "ADSL0001", "Net", new[] { "Net", "partial" });

    /// <summary>An abstract block compiled into generated code that constructed it (CS0144; found by a user test).</summary>
    [Fact]
    public void Abstract_block_ADSL0001() => Expect("""
        [Block(Layout.Vector)] public abstract partial class Body { [Linear(4)] Linear fc; }
        [Model, Input(10)] public partial class Net { [Use(typeof(Body))] Body body; }
        """, "ADSL0001", "Body", new[] { "Body", "abstract" }, noSourceFor: "Body");

    /// <summary>
    /// An attribute the compiler cannot bind gets the compiler's error (CS1503) and nothing from ArchDsl: its arguments as
    /// bound are incomplete, and used to give misleading findings ("[Conv2d] needs Kernel" with Kernel written; "not 0"
    /// for an Input given as a string). No module, no exception. Found by a user test.
    /// </summary>
    [Theory]
    [InlineData("[Model, Input(3, 8, 8)] public partial class Net { [Conv2d(3.5, Kernel = 3)] Conv2d a; }")]
    [InlineData("[Model, Input(\"3,8,8\")] public partial class Net { [Conv2d(4, Kernel = 3)] Conv2d a; }")]
    public void Attribute_the_compiler_cannot_bind_gets_no_second_finding(string source)
    {
        var r = GeneratorHarness.Run(TestModels.Usings + source);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.Contains(r.Output.GetDiagnostics(), d => d.Id == "CS1503");
        Assert.False(r.HasModule("Tests.Net.g.cs"));
    }

    /// <summary>
    /// Any member, not only a layer field, clashes with the generated part or hides TorchSharp from it: a property named
    /// Summary (CS0102 in generated code), a plain field nn or a property torch (CS1061 there); found by a user test.
    /// </summary>
    [Theory]
    [InlineData("public static string Summary => \"mine\";", "Summary")]
    [InlineData("public const long Macs = 1;", "Macs")]
    [InlineData("int nn = 0;", "nn")]
    [InlineData("public string torch => \"x\";", "torch")]
    public void Other_member_with_a_generated_or_torchsharp_name_ADSL0020(string member, string name)
    {
        var r = GeneratorHarness.Run(TestModels.Usings + $$"""
            [Model, Input(10)]
            public partial class Net { [Linear(3)] Linear fc; {{member}} }
            """);
        r.AssertNoGeneratorException();
        var d = Assert.Single(r.GeneratorDiagnostics, x => x.Id == "ADSL0020");
        Assert.Equal(name, GeneratorResult.LocatedText(r.Input, d));
        Assert.False(r.HasModule("Tests.Net.g.cs"));
        Assert.Empty(r.GeneratedCodeDiagnostics);
    }

    /// <summary>
    /// A type or namespace named nn or torch in scope hid TorchSharp from generated code (CS0234/CS0426 there; found by a
    /// user test): now ADSL0022 on the class, with no error in generated code. A sibling namespace is not in scope.
    /// </summary>
    [Theory]
    [InlineData("namespace Tests.nn { internal static class Init { } }", "Tests.nn")]
    [InlineData("namespace Tests { internal static class torch { } }", "Tests.torch")]
    [InlineData("internal static class nn { }", "nn")]
    public void Type_or_namespace_named_like_torchsharp_in_scope_ADSL0022(string other, string shown)
    {
        var r = GeneratorHarness.Run(TestModels.Usings + "[Model, Input(10)] public partial class Net { [Linear(3)] Linear fc; }", other);
        r.AssertNoGeneratorException();
        var d = Assert.Single(r.GeneratorDiagnostics, x => x.Id == "ADSL0022");
        Assert.Equal("Net", GeneratorResult.LocatedText(r.Input, d));
        Assert.Contains("'" + shown + "'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(r.HasModule("Tests.Net.g.cs"));
        Assert.Empty(r.GeneratedCodeDiagnostics);
    }

    /// <summary>A nested type nn is one finding (ADSL0020 on it), not two; a generic nn&lt;T&gt; hides nothing (review).</summary>
    [Fact]
    public void Nested_types_named_like_torchsharp()
    {
        var plain = GeneratorHarness.Run(TestModels.Usings + "[Model, Input(10)] public partial class Net { [Linear(3)] Linear fc; class nn { } }");
        Assert.Equal("ADSL0020", Assert.Single(plain.GeneratorDiagnostics).Id);
        var generic = GeneratorHarness.Run(TestModels.Usings + "[Model, Input(10)] public partial class Net { [Linear(3)] Linear fc; class nn<T> { } class torch<T> { } }");
        Assert.Empty(generic.GeneratorDiagnostics);
        Assert.True(generic.HasModule("Tests.Net.g.cs"));
        Assert.Empty(generic.GeneratedCodeDiagnostics);
    }

    /// <summary>
    /// An image layer after a Flatten inside a block is the block's own ADSL0008 (ranks follow from declared layouts);
    /// it used to crash the block's evaluation (ADSL0099, IndexOutOfRangeException; found in review).
    /// </summary>
    [Fact]
    public void Wrong_layout_inside_a_block_ADSL0008_on_the_block() => Expect("""
        [Block] public partial class Body { [Flatten] Flatten f; [Conv2d(4, Kernel = 1)] Conv2d c; }
        [Model, Input(3, 4, 4)] public partial class Net { [Use(typeof(Body))] Body body; }
        """, "ADSL0008", "Conv2d(4, Kernel = 1)", new[] { "c", "Conv2d" }, noSourceFor: "Body");

    [Fact]
    public void A_sibling_namespace_named_nn_is_not_in_scope()
    {
        var r = GeneratorHarness.Run(TestModels.Usings.Replace("namespace Tests;", "namespace Tests.Models;") +
            "[Model, Input(10)] public partial class Net { [Linear(3)] Linear fc; }", "namespace Tests.Models2.nn { internal static class Init { } }");
        r.AssertNoGeneratorException();
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.True(r.HasModule("Tests.Models.Net.g.cs"));
    }

    /// <summary>A static or file-local model gave a page of compiler errors in generated code (found by a user test).</summary>
    [Theory]
    [InlineData("public static partial class Net { [Linear(3)] static Linear fc; }")]
    [InlineData("file partial class Net { [Linear(3)] Linear fc; }")]
    public void Static_or_file_local_model_ADSL0001(string declaration)
    {
        var r = GeneratorHarness.Run(TestModels.Usings + "[Model, Input(10)] " + declaration);
        r.AssertNoGeneratorException();
        Assert.Contains(r.GeneratorDiagnostics, x => x.Id == "ADSL0001");
        Assert.False(r.HasModule("Tests.Net.g.cs"));
        Assert.Empty(r.GeneratedCodeDiagnostics);
    }

    /// <summary>A named argument the compiler cannot bind (`Act.Relu`) gets the compiler's error only, not "got &lt;error&gt;".</summary>
    [Fact]
    public void Named_argument_the_compiler_cannot_bind_gets_no_second_finding()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + "[Model, Input(10)] public partial class Net { [Linear(20, Activation = Act.Relu)] Linear a; }");
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.Contains(r.Output.GetDiagnostics(), d => d.Id == "CS0117");
    }

    /// <summary>A projected shortcut named like a property of the class gave two members of that name in generated code
    /// (CS0102): the shortcut-name rule now sees every member, not only layer fields (found in the final read).</summary>
    [Fact]
    public void Projection_named_like_a_property_ADSL0013() => Expect("""
        [Model, Input(9)]
        public partial class Net
        {
            [Linear(38), Residual(From = nameof(a), Shortcut = "helper")] Linear a;
            public int helper => 1;
        }
        """, "ADSL0013", "Shortcut = \"helper\"", new[] { "'helper'", "a member" });

    /// <summary>A layer attribute on a static or const field used to be ignored: the layer was silently missing.</summary>
    [Theory]
    [InlineData("[Linear(5)] static Linear b;", "b")]
    [InlineData("[Linear(7)] const int c = 1;", "c = 1")]
    public void Static_or_const_layer_field_ADSL0021(string member, string located)
    {
        string source = $$"""
            [Model, Input(10)]
            public partial class Net
            {
                [Linear(3)] Linear a;
                {{member}}
            }
            """;
        Expect(source, "ADSL0021", located, new[] { "instance field" });
        // The unbuilt part must not touch the static field through an instance (CS0176; found in review).
        var r = GeneratorHarness.Run(TestModels.Usings + source);
        Assert.Empty(r.GeneratedCodeDiagnostics);
    }

    /// <summary>
    /// A block failing a class check (abstract, record, static layer field, layers in two parts, a field named nn) is
    /// unbuilt, and so is every model using it: the model's generated code used to construct the unbuilt block and not
    /// compile (CS0144, CS1739, CS1061 in the model's file; found in review).
    /// </summary>
    [Theory]
    [InlineData("public abstract partial class Body { [Linear(4)] Linear fc; }", "ADSL0001")]
    [InlineData("public partial record Body { [Linear(4)] Linear fc = null!; }", "ADSL0001")]
    [InlineData("public partial class Body { [Linear(4)] Linear fc; [Linear(4)] static Linear g; }", "ADSL0021")]
    [InlineData("public partial class Body { [Linear(4)] Linear nn; }", "ADSL0020")]
    public void A_model_using_a_block_that_fails_a_class_check_is_not_built(string body, string id)
    {
        var r = GeneratorHarness.Run(TestModels.Usings + "[Block(Layout.Vector)] " + body + """

            [Model, Input(10)] public partial class Net { [Use(typeof(Body))] Body body; }
            """);
        r.AssertNoGeneratorException();
        Assert.Contains(r.GeneratorDiagnostics, d => d.Id == id);
        Assert.False(r.HasModule("Tests.Net.g.cs"));
        Assert.Empty(r.GeneratedCodeDiagnostics);
    }

    /// <summary>A binding typo next to an unrelated error in the block is still named (ADSL0017); only an expression
    /// that does not parse, which loses the names it uses, keeps ADSL0017 quiet.</summary>
    [Fact]
    public void Binding_typo_is_named_beside_an_unrelated_block_error() => Expect("""
        [Block(Layout.Vector)] public partial class Body { [Linear("width")] Linear fc; [Linear(0)] Linear bad; }
        [Model, Input(10)] public partial class Net { [Use(typeof(Body), "widht = 8")] Body body; }
        """, "ADSL0017", "\"widht = 8\"", new[] { "widht", "width" });

    /// <summary>
    /// Layers in two parts of a partial class: C# orders the parts by file, so the architecture depended on file names
    /// (Z_part.cs after Case.cs: 10→20→3; renamed A_part.cs: 10→3→20), silently. Now an error, whatever the order.
    /// </summary>
    [Theory]
    [InlineData("A_part.cs")]
    [InlineData("Z_part.cs")]
    public void Layers_in_two_parts_of_a_partial_class_ADSL0021(string otherFile)
    {
        var main = GeneratorHarness.Parse(TestModels.Usings + "[Model, Input(10)] public partial class Net { [Linear(20)] Linear a; }", "Case.cs");
        var part = GeneratorHarness.Parse(TestModels.Usings + "public partial class Net { [Linear(3)] Linear b; }", otherFile);
        var trees = string.CompareOrdinal(otherFile, "Case.cs") < 0 ? new[] { part, main } : new[] { main, part };
        var r = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(trees));
        r.AssertNoGeneratorException();
        var d = Assert.Single(r.GeneratorDiagnostics, x => x.Id == "ADSL0021");
        Assert.Contains("more than one part", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(r.GeneratorDiagnostics, x => x.Id == "ADSL0099");
        Assert.False(r.HasModule("Tests.Net.g.cs"));
    }

    /// <summary>Other members may live in any part: only layers must share one.</summary>
    [Fact]
    public void Non_layer_members_in_another_part_are_fine()
    {
        var r = GeneratorHarness.Run(
            TestModels.Usings + "[Model, Input(10)] public partial class Net { [Linear(20)] Linear a; [Linear(3)] Linear b; }",
            TestModels.Usings + "public partial class Net { public int Helper() => 1; }");
        r.AssertNoGeneratorException();
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.True(r.HasModule("Tests.Net.g.cs"));
    }

    /// <summary>Generated code calls TorchSharp as nn and torch; a field of that name hid them (CS1061 in generated code).</summary>
    [Theory]
    [InlineData("nn")]
    [InlineData("torch")]
    public void Field_named_like_torchsharp_ADSL0020(string name) => Expect($$"""
        [Model, Input(10)]
        public partial class Net { [Linear(3)] Linear {{name}}; }
        """, "ADSL0020", name, new[] { name, "TorchSharp" });

    /// <summary>A member named like a member the generated part declares or inherits: ADSL0020 on the member.</summary>
    [Theory]
    [InlineData("ParameterCount")]
    [InlineData("Macs")]
    [InlineData("Summary")]
    [InlineData("Layers")]
    [InlineData("training")]
    [InlineData("name")]
    public void Member_named_like_a_generated_or_inherited_member_ADSL0020(string name) => Expect($$"""
        [Model, Input(3, 8, 8)]
        public partial class Net
        {
            [Conv2d(4, Kernel = 3)] Conv2d conv;
            [BatchNorm2d] BatchNorm2d {{name}};
        }
        """, "ADSL0020", name, new[] { $"'{name}'" });

    /// <summary>A member named like a local or parameter of the generated methods still gets a module that compiles.</summary>
    [Theory]
    [InlineData("x")]
    [InlineData("disposing")]
    [InlineData("device")]
    [InlineData("type")]
    [InlineData("scope")]
    public void Member_named_like_a_generated_local_still_compiles(string name)
    {
        var r = GeneratorHarness.Run(TestModels.Usings + $$"""
            [Model, Input(3, 8, 8)]
            public partial class Net
            {
                [Conv2d(4, Kernel = 3)] Conv2d conv;
                [BatchNorm2d] BatchNorm2d {{name}};
            }
            """);
        r.AssertNoGeneratorException();
        Assert.True(r.HasModule("Tests.Net.g.cs"));
        var errors = r.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, GeneratorResult.Describe(errors));
    }

    /// <summary>
    /// A size that a block computes from its parameters and that comes out below 1 for one instance must be
    /// reported (found by the fuzzer: the model silently got no module and no diagnostic at all).
    /// </summary>
    /// <summary>
    /// A model and a block with errors, compiled with nullable on and no suppressor (what a command-line build
    /// runs): the ADSL errors are the only diagnostics. Without the generated throwing constructors each layer
    /// field would add CS0169 (never used) and CS8618 (non-nullable, uninitialised), and a field the user's
    /// code reads, CS0649 (never assigned).
    /// </summary>
    [Fact]
    public void Declarations_with_errors_add_no_follow_on_warnings()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>Bad block: no output features.</summary>
            [Block(Layout.Vector)]
            public partial class BadBlock
            {
                [Linear(0)] Linear fc;
            }

            /// <summary>No [Input].</summary>
            [Model]
            public partial class Net
            {
                [Conv2d(16, Kernel = 3)] Conv2d conv;
                [Linear(10)] readonly Linear @fc;
                [Use(typeof(BadBlock))] BadBlock body;
                /// <summary>Reads a layer field.</summary>
                public Linear Head => fc;
            }

            /// <summary>User code that builds the model keeps compiling.</summary>
            public static class App
            {
                /// <summary>Builds it.</summary>
                public static Net Build() => new Net();
            }
            """);
        r.AssertNoGeneratorException();
        Assert.False(r.HasModule("Tests.Net.g.cs"));
        Assert.False(r.HasModule("Tests.BadBlock.g.cs"));
        Assert.Contains(r.GeneratorDiagnostics, d => d.Id == "ADSL0010");
        Assert.Contains(r.GeneratorDiagnostics, d => d.Id == "ADSL0002");
        // The harness reports every warning as an error; only the generator's own diagnostics may remain.
        var compiler = r.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(compiler.Count == 0, GeneratorResult.Describe(compiler));
    }

    /// <summary>
    /// Declarations with an ADSL error (no [Input]) in shapes where a generated constructor could clash with the
    /// user's code: whatever ArchDsl generates for them adds no compiler diagnostic that the same source without
    /// the generator does not already have, and none inside generated code.
    /// </summary>
    [Theory]
    [InlineData("primary constructor", "[Model] public partial class M(int x) { [Linear(10)] Linear fc; public int X => x; }")]
    [InlineData("static class", "[Model] public static partial class M { [Linear(10)] static Linear fc = null!; }")]
    [InlineData("own base and constructor", "[Model] public partial class M : nn.Module<Tensor, Tensor> { public M(int x) : base(\"m\") { } [Linear(10)] Linear fc = null!; public override Tensor forward(Tensor t) => fc.call(t); }")]
    [InlineData("same constructor signature", "[Model] public partial class M { public M(Device? device = null, ScalarType? dtype = null) { fc = null!; } [Linear(10)] Linear fc; public Linear F => fc; }")]
    [InlineData("field named _", "[Model] public partial class M { [Linear(10)] Linear _; [Conv2d(16, Kernel = 3)] Conv2d conv; }")]
    [InlineData("obsolete field", "[Model] public partial class M { [System.Obsolete, Linear(10)] Linear fc; }")]
    [InlineData("keyword name", "[Model] public partial class @event { [Linear(10)] Linear fc; }")]
    [InlineData("field declared twice", "[Model] public partial class M { [Linear(10)] Linear fc; } public partial class M { [Linear(10)] Linear fc; }")]
    [InlineData("file-local class", "[Model] file partial class M { [Linear(10)] Linear fc; }")]
    public void Generated_part_for_a_declaration_with_errors_adds_no_compiler_diagnostic(string shape, string declaration)
    {
        var source = TestModels.Usings + "/// <summary>Case.</summary>\n" + declaration.Replace("public partial class M {", "/// <summary>Part.</summary>\npublic partial class M {");
        var r = GeneratorHarness.Run(source);
        r.AssertNoGeneratorException();
        Assert.Contains(r.GeneratorDiagnostics, d => d.Id == "ADSL0010");
        var without = GeneratorHarness.CreateCompilation(source).GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.Id).ToHashSet();
        var with = r.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        var added = with.Where(d => !without.Contains(d.Id) || !d.Location.IsInSource || !r.Input.SyntaxTrees.Contains(d.Location.SourceTree)).ToList();
        Assert.True(added.Count == 0, shape + ": new diagnostics\n" + GeneratorResult.Describe(added));
    }

    /// <summary>Generated file names ignore case: two models whose names differ only in case both get their module
    /// (each file name gets a suffix), and [Model] on two parts of one class (CS0579) gives one module, not a
    /// generator crash.</summary>
    [Fact]
    public void Names_differing_only_in_case_both_generate()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>A.</summary>
            [Model, Input(4)] public partial class Net { [Linear(2)] Linear fc; }
            /// <summary>B.</summary>
            [Model, Input(4)] public partial class NET { [Linear(3)] Linear fc; }
            """);
        r.AssertNoGeneratorException();
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics);
        var modules = r.Sources.Where(s => s.Text.Contains(" : nn.Module<", StringComparison.Ordinal)).Select(s => s.HintName).ToList();
        Assert.Equal(2, modules.Count);
        Assert.Contains(modules, n => n.StartsWith("Tests.Net.", StringComparison.Ordinal));
        Assert.Contains(modules, n => n.StartsWith("Tests.NET.", StringComparison.Ordinal));
    }

    [Fact]
    public void Model_marked_on_two_parts_generates_once()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>A.</summary>
            [Model, Input(4)] public partial class Net { [Linear(2)] Linear fc; }
            [Model] public partial class Net { }
            """);
        r.AssertNoGeneratorException();
        Assert.True(r.HasModule("Tests.Net.g.cs"));
        Assert.Contains(r.Output.GetDiagnostics(), d => d.Id == "CS0579");
    }

    /// <summary>The same model with the generated constructors left out has the follow-on warnings the test above
    /// rules out (so that test can fail).</summary>
    [Fact]
    public void Without_the_generated_constructor_the_follow_on_warnings_appear()
    {
        var source = TestModels.Usings + """
            /// <summary>No [Input].</summary>
            [Model]
            public partial class Net
            {
                [Conv2d(16, Kernel = 3)] Conv2d conv;
                [Linear(10)] Linear fc;
                /// <summary>Reads a layer field.</summary>
                public Linear Head => fc;
            }
            """;
        var compiler = GeneratorHarness.CreateCompilation(source).GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.Id).ToList();
        Assert.Contains("CS0169", compiler);
        Assert.Contains("CS0649", compiler);
        Assert.Contains("CS8618", compiler);
    }

    [Fact]
    public void Block_expression_evaluating_to_zero_for_an_instance_ADSL0002()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>Narrows.</summary>
            [Block(Layout.Vector)]
            public partial class Narrow { [Linear("width - 4")] Linear fc; }

            [Model, Input(8)]
            public partial class Net { [Use(typeof(Narrow), "width = 4")] Narrow body; }
            """);
        r.AssertNoGeneratorException();
        Assert.False(r.HasModule("Tests.Net.g.cs"));
        var d = r.GeneratorDiagnostics.FirstOrDefault(x => x.Id == "ADSL0002");
        Assert.True(d != null, "no diagnostic for OutFeatures = 0; got:\n" + GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.Contains(GeneratorResult.LocatedText(r.Input, d!), new[] { "\"width - 4\"", "\"width = 4\"" });
        Assert.Contains("at least 1, got 0", d!.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
