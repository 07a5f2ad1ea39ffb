using System.Collections.Generic;
using System.Linq;
using ArchDsl.Samples;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// The generated per-layer table (read from the model's ArchitectureJson when the type initialises) against the
/// TorchSharp module that the same generated code constructs: every row's path names a real module or parameter with
/// that many parameters and of that kind; convolution and linear rows have the output size and MACs that the module's
/// weight gives; and the top-level rows' output shapes are what running those modules gives.
/// </summary>
public class LayerTableTests
{
    [Fact]
    public void ResNet50_rows_match_the_constructed_modules()
    {
        using var model = new ResNet50();
        AssertRowsMatch(model, ResNet50.Layers);
        // conv1, bn1, maxpool; per stage its row, 7 rows per bottleneck (itself and six layers) and the first block's
        // downsample; avgpool, flatten, fc.
        Assert.Equal(3 + (1 + 3 * 7 + 1) + (1 + 4 * 7 + 1) + (1 + 6 * 7 + 1) + (1 + 3 * 7 + 1) + 3, ResNet50.Layers.Count);
    }

    [Fact]
    public void Vit_rows_match_the_constructed_modules()
    {
        using var model = new VitB16();
        AssertRowsMatch(model, VitB16.Layers);
        Assert.Contains(VitB16.Layers, r => r.Path == "class_token" && r.Parameters == 768);
    }

    [Fact]
    public void ResNet18_top_level_output_shapes_are_what_its_modules_produce()
    {
        using var scope = NewDisposeScope();
        using var model = new ResNet18();
        model.eval();
        var modules = model.named_modules().ToDictionary(m => m.name, m => (nn.Module<Tensor, Tensor>)m.module);
        var x = randn(1, 3, 224, 224);
        using var _ = no_grad();
        foreach (var row in ResNet18.Layers.Where(r => r.Depth == 0))
        {
            // ResNet's forward calls its top-level modules in order (activations are in place, shape-preserving).
            x = modules[row.Path].call(x);
            Assert.Equal(x.shape.Skip(1), row.OutputShape);
        }
        Assert.Equal(ResNet18.OutputShape, x.shape.Skip(1));
    }

    [Fact]
    public void A_type_that_is_not_a_generated_model_is_refused_by_name()
    {
        var e = Assert.Throws<System.ArgumentException>(() => LayerInfo.Of(typeof(LayerTableTests)));
        Assert.Contains("ArchDsl.Models.Tests.LayerTableTests has no ArchitectureJson constant", e.Message);
    }

    private static void AssertRowsMatch(nn.Module model, IReadOnlyList<LayerInfo> rows)
    {
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.numel());
        Assert.NotEmpty(rows);
        int leaves = 0;
        foreach (var row in rows)
        {
            Assert.Equal(row.Path.Count(c => c == '.'), row.Depth);
            long actual = modules.TryGetValue(row.Path, out var m) ? m.parameters().Sum(p => p.numel())
                : parameters.TryGetValue(row.Path, out var n) ? n
                : -1;
            Assert.True(actual == row.Parameters, $"{row.Path} ({row.Kind}): table {row.Parameters}, module {actual}");
            if (m is null) continue;
            // The kind is the module's class (a stage is a Sequential of blocks; an MLP, as in torchvision, a
            // Sequential of its layers).
            Assert.Equal(row.Kind is "Stage" or "Mlp" ? "Sequential" : row.Kind, m.GetType().Name);
            // Leaf convolutions and linear layers: output size from the weight's shape, and MACs as the weight's
            // size times the output positions, from TorchSharp's own module.
            var weight = m.named_parameters().Where(p => p.name == "weight").Select(p => p.parameter).FirstOrDefault();
            if (weight is null) continue;
            var shape = row.OutputShape;
            switch (row.Kind)
            {
                case "Conv2d":
                    Assert.Equal(weight.shape[0], shape[0]);
                    Assert.Equal(weight.numel() * shape[1] * shape[2], row.Macs);
                    leaves++;
                    break;
                case "Linear":
                    Assert.Equal(weight.shape[0], shape[^1]);
                    Assert.Equal(weight.numel() * shape.Take(shape.Length - 1).Aggregate(1L, (a, b) => a * b), row.Macs);
                    leaves++;
                    break;
                case "BatchNorm2d":
                    Assert.Equal(weight.shape[0], shape[0]);
                    break;
            }
        }
        Assert.True(leaves > 0, "no convolution or linear row was checked");
        // Every top-level module, and every block in a stage, has a row (a compound layer's own insides, such as a
        // projection's convolution, do not).
        var paths = rows.Select(r => r.Path).ToHashSet();
        var stages = rows.Where(r => r.Kind == "Stage").Select(r => r.Path + ".").ToList();
        var expected = modules.Keys.Where(k => k.Length > 0 && (!k.Contains('.') || stages.Any(s => k.StartsWith(s, System.StringComparison.Ordinal) && !k.Substring(s.Length).Contains('.')))).ToList();
        Assert.NotEmpty(expected);
        Assert.All(expected, k => Assert.Contains(k, paths));
    }
}
