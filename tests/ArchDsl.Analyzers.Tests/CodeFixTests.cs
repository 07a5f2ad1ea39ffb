using ArchDsl.CodeFixes;
using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

public class AddAcceptCodeFixTests
{
    private const string Justification = "TODO: explain why this is acceptable for this model";

    [Fact]
    public Task Adds_accept_with_placeholder() =>
        Verify.Fix<AddAcceptCodeFix>(Sources.VitL(""),
            Sources.Usings + "[Model, Input(3, 224, 224)]\n[Accept(\"ADSL1001\", Justification = \"" + Justification + "\")]\npublic partial class VitL16\n" + Sources.VitLBody + "\n" + Sources.VitBlocks,
            new[] { Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("VitL16", "304,326,632", "100 M", "4.535 GiB", "") });

    [Fact]
    public Task Fix_all_adds_accept_to_every_model() =>
        Verify.Fix<AddAcceptCodeFix>(
            Sources.Usings + "[Model, Input(3, 224, 224)]\npublic partial class {|#0:A|}\n" + Sources.VitLBody + "\n[Model, Input(3, 224, 224)]\npublic partial class {|#1:B|}\n" + Sources.VitLBody + "\n" + Sources.VitBlocks,
            Sources.Usings + "[Model, Input(3, 224, 224)]\n[Accept(\"ADSL1001\", Justification = \"" + Justification + "\")]\npublic partial class A\n" + Sources.VitLBody +
                "\n[Model, Input(3, 224, 224)]\n[Accept(\"ADSL1001\", Justification = \"" + Justification + "\")]\npublic partial class B\n" + Sources.VitLBody + "\n" + Sources.VitBlocks,
            new[]
            {
                Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("A", "304,326,632", "100 M", "4.535 GiB", ""),
                Verify.Diagnostic("ADSL1001").WithLocation(1).WithArguments("B", "304,326,632", "100 M", "4.535 GiB", ""),
            },
            incrementalIterations: 2, fixAllIterations: 1);

    /// <summary>In a file without `using ArchDsl;` the added attribute is qualified, so it binds (found by a user test:
    /// an unqualified Accept did not compile and the warning stayed).</summary>
    [Fact]
    public Task Accept_is_qualified_where_the_file_does_not_import_ArchDsl() =>
        Verify.Fix<AddAcceptCodeFix>(
            "using TorchSharp.Modules;\n\n[ArchDsl.Model, ArchDsl.Input(3, 32, 32)]\npublic partial class Net\n{\n    [ArchDsl.Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;\n" +
            "    [ArchDsl.AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;\n    [ArchDsl.Linear(10)] Linear {|#1:fc|};\n}\n",
            "using TorchSharp.Modules;\n\n[ArchDsl.Model, ArchDsl.Input(3, 32, 32)]\n[ArchDsl.Accept(\"ADSL1017\", Justification = \"" + Justification + "\")]\npublic partial class Net\n{\n    [ArchDsl.Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;\n" +
            "    [ArchDsl.AdaptiveAvgPool2d(1, 1)] AdaptiveAvgPool2d avgpool;\n    [ArchDsl.Linear(10)] Linear fc;\n}\n",
            new[] { Verify.Diagnostic("ADSL1017").WithLocation(1).WithArguments("fc", "Linear", "16×1×1", "16×1×10", "put [Flatten] (after pooling) before it to use all 16 features") });

    [Fact]
    public Task Accepts_compute_rule_on_vit_l_384() =>
        // 191,066,300,416 MACs at 384 (577 tokens), above 100 G.
        Verify.Fix<AddAcceptCodeFix>(
            Sources.Usings + "[Model, Input(3, 384, 384), Accept(\"ADSL1001\", Justification = \"fine-tuned\")]\npublic partial class {|#0:VitL16At384|}\n" + Sources.VitLBody + Sources.VitBlocks,
            Sources.Usings + "[Model, Input(3, 384, 384), Accept(\"ADSL1001\", Justification = \"fine-tuned\")]\n[Accept(\"ADSL1002\", Justification = \"" + Justification + "\")]\npublic partial class VitL16At384\n" + Sources.VitLBody + Sources.VitBlocks,
            new[] { Verify.Diagnostic("ADSL1002").WithLocation(0).WithArguments("VitL16At384", "191.07 G", "382.13 G", "3×384×384", "100 G") });
}
