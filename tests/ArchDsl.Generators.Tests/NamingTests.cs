using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// Names that generated code must not get wrong: blocks from another namespace, class names that TorchSharp's
/// Module base classes also declare as nested types (a simple name would bind to those first), and members named
/// like C# keywords. Each model must compile warning-free, construct, run, and read its layer table.
/// </summary>
public class NamingTests
{
    private const string Source = """
        using ArchDsl;
        using TorchSharp.Modules;

        namespace Other
        {
            /// <summary>A block in another namespace than the models using it.</summary>
            [Block]
            public partial class Body
            {
                [Conv2d("width", Kernel = 3, Padding = 1)] Conv2d conv;
            }

            /// <summary>Named like TorchSharp's HookableModule.HookRemover.</summary>
            [Block]
            public partial class HookRemover
            {
                [Conv2d("width", Kernel = 1)] Conv2d conv;
                [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv), Shortcut = "checked")] BatchNorm2d bn;
            }
        }

        namespace Main.Models
        {
            /// <summary>Uses both blocks by their namespace.</summary>
            [Model, Input(3, 8, 8)]
            public partial class UsesOther
            {
                [Stage(typeof(Other.Body), 2, "width = 4")] Sequential body;
                [Stage(typeof(Other.HookRemover), 1, "width = 6")] Sequential hooks;
                [Flatten] Flatten flatten;
                [Linear(3)] Linear fc;
            }

            /// <summary>Named like TorchSharp's Module.HType, with a member named like a keyword.</summary>
            [Model, Input(3, 8, 8)]
            public partial class HType
            {
                [Use(typeof(Other.Body), "width = 5")] Other.Body @int;
                [Flatten] Flatten flatten;
                [Linear(2)] Linear @class;
            }
        }
        """;

    [Fact]
    public void Generated_code_names_every_type_and_member_unambiguously()
    {
        var r = GeneratorHarness.Run(Source);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));

        var results = RuntimeCheck.Run(r.Output, new[] { "Main.Models.UsesOther", "Main.Models.HType" });
        Assert.All(results, m => Assert.True(m.Ok, m.Describe()));
        // By hand: UsesOther = 2 × (4→4 3×3 conv with bias; the first from 3) + (4→6 1×1 conv + batch norm, and a
        // 1×1 projection with its batch norm since the channels change) + 6·8·8 → 3 linear.
        long body = (3 * 4 * 9 + 4) + (4 * 4 * 9 + 4);
        long hooks = (4 * 6 + 6) + 2 * 6 + (4 * 6 + 2 * 6);
        Assert.Equal(body + hooks + (6 * 8 * 8 * 3 + 3), results.Single(m => m.TypeName == "Main.Models.UsesOther").Constant);
    }

    /// <summary>
    /// An identity shortcut (the shapes never differ) is a plain add and no field, so it may carry a member's name, in
    /// a block as in a model; the same name on a projected shortcut is ADSL0013 (BadInputTests).
    /// </summary>
    [Fact]
    public void An_identity_shortcut_may_share_a_members_name()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>b keeps the width it is given, so its residual never projects.</summary>
            [Block(Layout.Vector)]
            public partial class Keep
            {
                [Linear("width")] Linear downsample;
                [Linear("width"), Residual(From = nameof(b))] Linear b;
            }

            [Model, Input(8)]
            public partial class Net
            {
                [Linear(8)] Linear downsample;
                [Linear(8), Residual(From = nameof(downsample))] Linear a;
                [Use(typeof(Keep), "width = 8")] Keep k;
            }
            """);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        var result = RuntimeCheck.Run(r.Output, new[] { "Tests.Net" }).Single();
        Assert.True(result.Ok, result.Describe());
        Assert.Equal(4 * (8 * 8 + 8), result.Constant);
    }
}
