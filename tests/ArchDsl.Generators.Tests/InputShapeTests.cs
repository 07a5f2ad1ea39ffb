using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>A forward pass on an input the layers cannot take says the declared input and the one received
/// (TorchSharp's own message alone named neither), and an input of another size that the layers do take still runs.</summary>
public class InputShapeTests
{
    // 3×8×8 → conv 3×3 padding 1 (4×8×8) → flatten (256) → Linear(10): a 16×16 input flattens to 1024, not 256.
    private const string Source = TestModels.Usings + """
        /// <summary>Fixed-size head.</summary>
        [Model, Input(3, 8, 8)]
        public partial class Net
        {
            [Conv2d(4, Kernel = 3, Padding = 1)] Conv2d conv;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }

        /// <summary>Adaptive pooling: any size runs.</summary>
        [Model, Input(3, 8, 8)]
        public partial class Pooled
        {
            [Conv2d(4, Kernel = 3, Padding = 1)] Conv2d conv;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }
        """;

    [Fact]
    public void A_wrong_input_names_the_declared_and_received_shapes()
    {
        var r = GeneratorHarness.Run(Source);
        r.AssertNoGeneratorException();
        Assert.Empty(r.GeneratorDiagnostics);
        var (message, inner, pooled) = Run(RuntimeCheck.Emit(r.Output));
        Assert.StartsWith("Net: forward failed on an input of shape (2, 3, 16, 16); the declared input is (batch, 3, 8, 8): ", message);
        Assert.Equal("System.Runtime.InteropServices.ExternalException", inner);
        Assert.Equal("2,10", pooled);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (string Message, string Inner, string Pooled) Run(byte[] image)
    {
        var context = new AssemblyLoadContext("input-shape", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image));
            using var x = TorchSharp.torch.randn(2, 3, 16, 16);
            object Build(string name) => Activator.CreateInstance(assembly.GetType(name)!, new object?[] { null, null })!;
            var net = (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)Build("Tests.Net");
            var pooledNet = (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)Build("Tests.Pooled");
            var e = Assert.Throws<ArgumentException>(() => net.forward(x));
            using var y = pooledNet.forward(x);
            return (e.Message, e.InnerException?.GetType().FullName ?? "", string.Join(",", y.shape));
        }
        finally { context.Unload(); }
    }
}
