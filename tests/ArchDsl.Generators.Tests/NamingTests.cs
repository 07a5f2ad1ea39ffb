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
    /// Types that hide the TorchSharp names generated code writes simply: in the model's namespace (Tensor, ScalarType,
    /// Parameter, Sequential), in the global namespace (Device, from a user's enum), and the model's own name (Tensor).
    /// A lookup reaches them before the file's using directives; generated code used to fail to compile (CS1503 inside
    /// the generated file, found by a user test). Generated code now reaches them through torch and TorchSharp.Modules.
    /// </summary>
    [Fact]
    public void TorchSharp_names_hidden_by_the_users_types_are_written_in_full()
    {
        var r = GeneratorHarness.Run("""
            using ArchDsl;
            using TorchSharp.Modules;

            internal enum Device { Cpu, Gpu }

            namespace Clash
            {
                internal class Tensor { }
                internal class ScalarType { }
                internal class Parameter { }
                internal class Sequential { }

                /// <summary>Projects its shortcut when the width changes: a Sequential field.</summary>
                [Block, Param("stride", 1)]
                public partial class Down
                {
                    [Conv2d("width", Kernel = 3, Padding = 1, With = "stride = stride")] Conv2d conv;
                    [BatchNorm2d, Residual(From = nameof(conv))] BatchNorm2d bn;
                }

                /// <summary>A class token (a Parameter) and a stage.</summary>
                [Model, Input(3, 8, 8)]
                public partial class Net
                {
                    [Stage(typeof(Down), 2, "width = 4, stride = 2")] TorchSharp.Modules.Sequential layer1;
                    [Conv2d(6, Kernel = 2, Stride = 2)] Conv2d patch;
                    [Tokens] ArchDsl.Layers.Tokens tokens;
                    [ClassToken] TorchSharp.Modules.Parameter cls;
                    [SelectToken(0)] ArchDsl.Layers.SelectToken first;
                    [Linear(3)] Linear fc;
                }
            }

            namespace Acme.TorchSharp { internal class Marker { } }

            namespace Acme.TorchSharp.Models
            {
                /// <summary>In a namespace with a TorchSharp of its own: a projected vector shortcut is a Linear field.</summary>
                [Model, Input(10)]
                public partial class Widen { [Linear(8)] Linear a; [Linear(4), Residual(From = nameof(a))] Linear b; }
            }

            namespace Clash2
            {
                /// <summary>Named like TorchSharp's Tensor.</summary>
                [Model, Input(5)]
                public partial class Tensor
                {
                    [Linear(3)] Linear fc;
                }
            }
            """);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));

        var results = RuntimeCheck.Run(r.Output, new[] { "Clash.Net", "Clash2.Tensor", "Acme.TorchSharp.Models.Widen" });
        Assert.All(results, m => Assert.True(m.Ok, m.Describe()));
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
