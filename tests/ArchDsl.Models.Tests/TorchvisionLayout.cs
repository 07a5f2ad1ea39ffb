using System.Collections.Generic;
using System.Linq;
using ArchDsl.Tests.Fixtures;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// A generated module held to a key list recorded from PyTorch's torchvision: parameters and buffers, each in
/// PyTorch's order, with the same shapes (TorchSharp lists all parameters before all buffers, PyTorch module by module,
/// so each kind is compared in order on its own), and the generated constants against PyTorch's counts.
/// </summary>
internal static class TorchvisionLayout
{
    public static void AssertSameLayout(nn.Module module, KeyList expected)
    {
        var parameters = module.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
        var buffers = module.named_buffers().Select(b => (b.name, b.buffer.shape)).ToList();
        var bufferNames = new HashSet<string>(buffers.Select(b => b.name));
        var expectedParameters = expected.Entries.Where(e => !bufferNames.Contains(e.Key)).ToList();
        var expectedBuffers = expected.Entries.Where(e => bufferNames.Contains(e.Key)).ToList();
        Assert.Equal(expectedParameters.Select(e => e.Key), parameters.Select(p => p.name));
        Assert.Equal(expectedBuffers.Select(e => e.Key), buffers.Select(b => b.name));
        foreach (var (e, p) in expectedParameters.Zip(parameters))
            Assert.True(e.Shape.SequenceEqual(p.shape), $"{e.Key}: ours {string.Join("×", p.shape)}, torchvision {string.Join("×", e.Shape)}");
        foreach (var (e, b) in expectedBuffers.Zip(buffers))
            Assert.True(e.Shape.SequenceEqual(b.shape), $"{e.Key}: ours {string.Join("×", b.shape)}, torchvision {string.Join("×", e.Shape)}");
        // Each tensor once: a layer registered under two names would add keys that PyTorch's checkpoints lack.
        Assert.Equal(parameters.Count + buffers.Count, module.state_dict().Count);
        Assert.Equal(expected.Parameters, parameters.Sum(p => p.shape.Aggregate(1L, (a, d) => a * d)));
        Assert.Equal(expected.Buffers, buffers.Sum(b => b.shape.Aggregate(1L, (a, d) => a * d)));
    }

    /// <summary>
    /// Loads a recorded PyTorch state_dict into the module (strictly: every key, no other), runs the recorded input in
    /// eval mode, and returns the largest absolute difference from PyTorch's recorded output.
    /// </summary>
    public static double MaxDifferenceFromPyTorch(nn.Module<Tensor, Tensor> module, TensorFixture fixture)
    {
        using var scope = NewDisposeScope();
        var state = new Dictionary<string, Tensor>();
        foreach (var t in fixture.StateDict)
            state[t.Name] = t.DType == "int64" ? tensor(t.AsLongs(), t.Shape) : tensor(t.AsFloats(), t.Shape);
        module.load_state_dict(state, strict: true);
        module.eval();
        using var _ = no_grad();
        var input = tensor(fixture.Input.AsFloats(), fixture.Input.Shape);
        var expected = tensor(fixture.Output.AsFloats(), fixture.Output.Shape);
        var actual = module.call(input);
        Assert.Equal(expected.shape, actual.shape);
        return (expected - actual).abs().max().item<float>();
    }

    /// <summary>The generated constants against PyTorch's counts: parameters and buffers exactly, MACs within 0.5 %.</summary>
    public static void AssertCounts(KeyList expected, long parameters, long buffers, long macs)
    {
        Assert.Equal(expected.Parameters, parameters);
        Assert.Equal(expected.Buffers, buffers);
        AssertMacsClose(expected.Macs, macs);
    }

    /// <summary>Within 0.5 % (the catalogue issue's bound); the figures printed on failure say how far.</summary>
    public static void AssertMacsClose(long expected, long actual)
    {
        double ratio = (double)actual / expected;
        Assert.True(System.Math.Abs(ratio - 1) <= 0.005, $"MACs {actual:N0} against PyTorch's {expected:N0} (×{ratio:F5})");
    }
}
