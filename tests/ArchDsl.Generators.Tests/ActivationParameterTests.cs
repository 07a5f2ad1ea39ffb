using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using ArchDsl.Generators.Tests.Infrastructure;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generators.Tests;

/// <summary>An activation as a block parameter: one block class, its activation chosen where it is used.</summary>
public class ActivationParameterTests
{
    private const string Declarations = """
        /// <summary>A linear layer whose activation is the block's parameter.</summary>
        [Block(Layout.Vector), Param("act", Act.ReLU)]
        public partial class Gate { [Linear("inFeatures", With = "activation = act")] Linear fc; }

        /// <summary>A block passing its own activation parameter on.</summary>
        [Block(Layout.Vector), Param("inner", Act.Sigmoid)]
        public partial class Outer { [Use(typeof(Gate), "act = inner")] Gate gate; }

        [Model, Input(4)]
        public partial class Net
        {
            [Use(typeof(Gate), "act = Tanh")] Gate a;
            [Use(typeof(Gate))] Gate b;
            [Use(typeof(Outer), "inner = Hardswish")] Outer c;
        }
        """;

    [Fact]
    public void The_activation_is_chosen_where_the_block_is_used()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + Declarations);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        Assert.Contains("public Gate(long inFeatures, global::ArchDsl.Act act)", r.Source("Tests.Gate.g.cs"));
        var net = r.Source("Tests.Net.g.cs")!;
        Assert.Contains("act: global::ArchDsl.Act.Tanh", net);
        Assert.Contains("act: global::ArchDsl.Act.ReLU", net);   // the default
        Assert.Contains("new global::Tests.Gate(inFeatures: inFeatures, act: inner)", r.Source("Tests.Outer.g.cs"));

        // With every weight the identity and no bias, x ↦ hardswish(relu(tanh(x))): each activation is the one chosen.
        var x = new float[] { -1.0f, 0.5f, 2.0f, -0.25f };
        var expected = x.Select(v => Hardswish(Math.Max(0.0, Math.Tanh(v)))).ToArray();
        var actual = RunWithIdentityWeights(RuntimeCheck.Emit(r.Output), "Tests.Net", x);
        for (int i = 0; i < x.Length; i++) Assert.Equal(expected[i], actual[i], 5);
    }

    [Fact]
    public void A_binding_that_names_no_activation_ADSL0002()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            /// <summary>A linear layer whose activation is the block's parameter.</summary>
            [Block(Layout.Vector), Param("act", Act.ReLU)]
            public partial class Gate { [Linear("inFeatures", With = "activation = act")] Linear fc; }

            [Model, Input(4)]
            public partial class Net { [Use(typeof(Gate), "act = Relu")] Gate a; }
            """);
        r.AssertNoGeneratorException();
        var d = Assert.Single(r.GeneratorDiagnostics);
        Assert.Equal("ADSL0002", d.Id);
        Assert.Contains("act = Relu gives no activation", d.GetMessage());
        Assert.Contains("ReLU", d.GetMessage());
    }

    private static double Hardswish(double v) => v * Math.Min(Math.Max(v + 3, 0), 6) / 6;

    private static float[] RunWithIdentityWeights(byte[] image, string typeName, float[] input)
    {
        var assembly = Assembly.Load(image);
        var type = assembly.GetType(typeName)!;
        using var model = (nn.Module<Tensor, Tensor>)type.GetConstructor(new[] { typeof(Device), typeof(ScalarType?) })!
            .Invoke(new object?[] { null, null });
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                p.copy_(name.EndsWith("weight", StringComparison.Ordinal) ? eye(p.shape[0]) : zeros_like(p));
        model.eval();
        using var _ = no_grad();
        return model.call(tensor(input).reshape(1, input.Length)).data<float>().ToArray();
    }
}
