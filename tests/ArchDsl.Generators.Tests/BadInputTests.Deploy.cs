using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Deploy forms asked of declarations: an error at <c>Deploy = true</c> where nothing folds.</summary>
public partial class BadInputTests
{
    [Fact]
    public void Deploy_form_asked_of_a_block_with_nothing_to_fold_ADSL0030() => Expect("""
        /// <summary>Two activated convolutions: no batch norm, nothing to fold.</summary>
        [Block(Deploy = true)]
        public partial class Plain
        {
            [Conv2d("width", Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv1;
            [Conv2d("width", Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv2;
        }

        [Model, Input(3, 16, 16)]
        public partial class Net
        {
            [Use(typeof(Plain), "width = 8")] Plain body;
        }
        """, "ADSL0030", "Deploy = true", new[] { "Plain", "Deploy = true", "[BatchNorm2d] directly after a [Conv2d]" });

    [Fact]
    public void Deploy_form_asked_of_a_model_whose_norm_follows_an_activation_ADSL0030() => Expect("""
        [Model(Deploy = true), Input(3, 16, 16)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv;
            [BatchNorm2d] BatchNorm2d bn;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }
        """, "ADSL0030", "Deploy = true", new[] { "Net", "without an activation or join between them" });

    [Fact]
    public void Deploy_form_asked_of_a_model_with_errors_keeps_its_deploy_surface()
    {
        // Code that uses the deploy form gets ADSL0030 only, not CS0117 for each member it names.
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model(Deploy = true), Input(16)]
            public partial class Net { [Linear(10)] Linear fc; }

            /// <summary>Uses the deploy form.</summary>
            public static class User
            {
                /// <summary>Converts and counts.</summary>
                public static long Deployed(Net net)
                {
                    net.ToDeployForm();
                    return Net.DeployParameterCount + Net.DeployBufferCount + Net.DeployMacs;
                }
            }
            """);
        r.AssertNoGeneratorException();
        Assert.Contains(r.GeneratorDiagnostics, d => d.Id == "ADSL0030");
        Assert.Empty(r.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Deploy_form_asked_where_a_join_reads_between_the_convolution_and_its_norm_ADSL0030() => Expect("""
        [Model(Deploy = true), Input(8, 16, 16)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv;
            [BatchNorm2d] BatchNorm2d bn;
            [Conv2d(8, Kernel = 1), Concat(From = nameof(bn))] Conv2d mix;
        }
        """, "ADSL0030", "Deploy = true", new[] { "Net" });

    [Fact]
    public void Deploy_form_asked_of_declarations_that_fold_is_granted()
    {
        // A block whose only fold lies in a block it uses, and a model whose only fold is a shortcut projection.
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>A convolution and its batch norm.</summary>
            [Block(Deploy = true)]
            public partial class ConvBn
            {
                [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv;
                [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn;
            }

            /// <summary>Uses ConvBn: its deploy form is ConvBn's.</summary>
            [Block(Deploy = true)]
            public partial class Outer { [Use(typeof(ConvBn), "width = width")] ConvBn inner; }

            [Model(Deploy = true), Input(3, 16, 16)]
            public partial class Net
            {
                [Conv2d(8, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv;
                [Conv2d(16, Kernel = 3, Padding = 1), Residual(From = nameof(conv))] Conv2d widen;
                [Use(typeof(Outer), "width = 16")] Outer body;
            }
            """);
        r.AssertNoGeneratorException();
        Assert.DoesNotContain(r.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(r.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.True(r.HasModule("Tests.Net.g.cs"));
    }

    [Fact]
    public void Sum_of_differently_shaped_branches_ADSL0013() => Expect("""
        [Model, Input(8, 16, 16)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv1;
            [Conv2d(8, Kernel = 3, Stride = 2, Padding = 1), Sum(From = nameof(conv1))] Conv2d conv2;
        }
        """, "ADSL0013", "From = nameof(conv1)", new[] { "8×16×16", "8×8×8", "same shape" });

    [Fact]
    public void Sum_of_branches_with_different_widths_in_a_block_points_at_the_join_ADSL0013() => Expect("""
        /// <summary>A 3×3 branch beside the identity, its width bound by the model.</summary>
        [Block]
        public partial class Twin
        {
            [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv;
            [BatchNorm2d, Sum(From = nameof(conv))] BatchNorm2d bn;
        }

        [Model, Input(8, 16, 16)]
        public partial class Net { [Use(typeof(Twin), "width = 12")] Twin body; }
        """, "ADSL0013", "From = nameof(conv)", new[] { "8×16×16", "12×16×16" });
}
