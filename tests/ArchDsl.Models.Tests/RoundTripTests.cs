using System;
using System.IO;
using System.Linq;
using ArchDsl.Checkpoints;
using ArchDsl.Samples;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// Checkpoints through both engines: the generated TorchSharp module → file → the exported PyTorch module (archdsl
/// export pytorch, run by Debian's PyTorch) → file → a fresh generated module. Every hop loads strictly and gives
/// the first module's eval outputs within 1e-5.
/// </summary>
public class RoundTripTests(ITestOutputHelper output)
{
    /// <summary>Loads the generated module's checkpoint into the exported module, runs it, and saves its state_dict.</summary>
    private const string ThroughPyTorch = """
        import importlib, sys
        import numpy as np
        import torch
        folder, name, checkpoint, inputs, shape, outputs, saved = sys.argv[1:]
        sys.path.insert(0, folder)
        torch.manual_seed(7)  # other initial values than the C# module's: only the checkpoint can make them agree
        model = getattr(importlib.import_module(name), name)()
        model.load_state_dict(torch.load(checkpoint), strict=True)
        model.eval()
        x = torch.from_numpy(np.fromfile(inputs, dtype=np.float32).reshape([int(s) for s in shape.split(",")]))
        with torch.no_grad():
            model(x).numpy().astype(np.float32).tofile(outputs)
        torch.save(model.state_dict(), saved)
        """;

    /// <summary>Small samples covering the layer kinds the image models use: batch norm and RepVGG, depthwise and
    /// squeeze-excitation blocks, layer scale and stochastic depth, dense concatenation, Swin's windows.</summary>
    public static TheoryData<Type, long[]> Samples => new()
    {
        { typeof(RepVggSmall), new long[] { 2, 3, 32, 32 } },
        { typeof(ConvNeXtSmallConfig), new long[] { 2, 3, 32, 32 } },
        { typeof(EfficientNetSmall), new long[] { 2, 3, 32, 32 } },
        { typeof(DenseNetSmall), new long[] { 2, 3, 32, 32 } },
        { typeof(RegNetSmall), new long[] { 2, 3, 32, 32 } },
        { typeof(SwinSmallConfig), new long[] { 2, 3, 32, 32 } },
        { typeof(MobileNetV3Small), new long[] { 1, 3, 224, 224 } },
    };

    /// <summary>
    /// Makes eval outputs depend on every kind of tensor a checkpoint carries while keeping activations of ordinary
    /// size through deep stacks: batch-norm statistics, biases, norm weights, layer scales and position tables move;
    /// kernels keep their (Kaiming-like) initial values, which differ between the two engines' initialisations anyway.
    /// </summary>
    private static void Randomise(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point()) continue;
            if (name.EndsWith("running_var", StringComparison.Ordinal)) tensor.copy_(rand(tensor.shape) + 0.5);
            else if (name.EndsWith("running_mean", StringComparison.Ordinal)) tensor.copy_(randn(tensor.shape) * 0.2);
            else if (tensor.dim() <= 1 || !name.EndsWith("weight", StringComparison.Ordinal)) tensor.add_(randn(tensor.shape) * 0.2);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Generated_to_PyTorch_to_generated_keeps_the_eval_outputs(Type model, long[] shape)
    {
        string exported = ExportedSamples.Folder;
        string folder = Directory.CreateTempSubdirectory("archdsl-roundtrip-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(31);
            using var first = PyTorchCheckpointTests.Create(model);
            Randomise(first);
            first.eval();
            var input = randn(shape);
            Tensor expected;
            using (no_grad()) expected = first.call(input);
            string fromTorchSharp = Path.Combine(folder, "generated.pt"), fromPyTorch = Path.Combine(folder, "pytorch.pt");
            first.SaveCheckpoint(fromTorchSharp);
            File.WriteAllBytes(Path.Combine(folder, "input.f32"), input.data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());

            PythonTwinRuns.Python(new[]
            {
                "-c", ThroughPyTorch, exported, model.Name, fromTorchSharp, Path.Combine(folder, "input.f32"), string.Join(",", shape),
                Path.Combine(folder, "output.f32"), fromPyTorch,
            });
            var bytes = File.ReadAllBytes(Path.Combine(folder, "output.f32"));
            var pytorch = tensor(Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, 4 * i)).ToArray()).reshape(expected.shape);

            manual_seed(32);
            using var second = PyTorchCheckpointTests.Create(model);
            second.LoadCheckpoint(fromPyTorch).eval();
            Tensor back;
            using (no_grad()) back = second.call(input);

            double toPyTorch = (pytorch - expected).abs().max().item<float>();
            double toGenerated = (back - pytorch).abs().max().item<float>();
            output.WriteLine($"{model.Name}: max |generated| = {expected.abs().max().item<float>():G4}, TorchSharp→PyTorch max |Δ| = {toPyTorch:E3}, PyTorch→TorchSharp max |Δ| = {toGenerated:E3}");
            Assert.True(expected.abs().max().item<float>() > 1e-3, "the outputs are all but zero: the comparison would prove nothing");
            Assert.True(toPyTorch <= 1e-5, $"TorchSharp → PyTorch: max |Δ| = {toPyTorch:E3}");
            Assert.True(toGenerated <= 1e-5, $"PyTorch → TorchSharp: max |Δ| = {toGenerated:E3}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
