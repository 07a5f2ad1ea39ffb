using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using ArchDsl.Generators.Tests.Infrastructure;
using ArchDsl.Layers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generators.Tests;

/// <summary>A slimmable model with a hidden Linear after Flatten and Dropout (the sample has neither): its counts at
/// each width against a hand count, and the generated module's active slices and outputs at each width.</summary>
public class SlimmableEmissionTests
{
    private const string Declaration = """
        [Model, Input(3, 8, 8), Slimmable(0.5, 1.0)]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] SlimmableConv2d conv;
            [BatchNorm2d] SwitchableBatchNorm2d bn;
            [ReLU] ReLU relu;
            [MaxPool2d(2)] MaxPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(32)] SlimmableLinear hidden;
            [Dropout(0.1)] Dropout drop;
            [Linear(5)] SlimmableLinear head;
        }
        """;

    [Fact]
    public void Hidden_linear_after_flatten_slims_with_the_channels_before_it()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + Declaration);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        var result = RuntimeCheck.Run(r.Output, new[] { "Tests.Net" }).Single();
        Assert.True(result.Ok, result.Describe());

        // By hand. At 0.5: conv 3→4 (3×3, bias) on 8×8; bn 4 channels; the 4×4×4 map flattens to 64 features; hidden
        // 64→16 and head 16→5 (the classes stay). At 1.0: 3→8, 8, 128 features, 128→32, 32→5.
        long[] parameters =
        {
            (4 * 3 * 9 + 4) + 2 * 4 + (64 * 16 + 16) + (16 * 5 + 5),
            (8 * 3 * 9 + 8) + 2 * 8 + (128 * 32 + 32) + (32 * 5 + 5),
        };
        long[] macs =
        {
            8 * 8 * 4 * 3 * 9 + 64 * 16 + 16 * 5,
            8 * 8 * 8 * 3 * 9 + 128 * 32 + 32 * 5,
        };
        long stored = parameters[1] + 2 * 4, buffers = (2 * 4 + 1) + (2 * 8 + 1);
        var outcome = RunWidths(RuntimeCheck.Emit(r.Output));
        Assert.Equal(parameters, outcome.ParameterConstants);
        Assert.Equal(macs, outcome.MacConstants);
        Assert.Equal(stored, outcome.Stored);
        Assert.Equal(buffers, outcome.Buffers);
        Assert.Equal(parameters, outcome.ActiveNumel);
        Assert.All(outcome.OutputShapes, s => Assert.Equal(new long[] { 2, 5 }, s));
        Assert.False(outcome.SameOutputs, "both widths gave the same output");
    }

    [Fact]
    public void Projected_shortcut_slims_as_a_convolution_and_a_batch_norm_per_width()
    {
        var r = GeneratorHarness.Run(TestModels.Usings + """
            [Model, Input(3, 8, 8), Slimmable(0.5, 1.0)]
            public partial class Net
            {
                [Conv2d(8, Kernel = 3, Padding = 1, Bias = false)] SlimmableConv2d conv;
                [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn;
                [Conv2d(16, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] SlimmableConv2d conv2;
                [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv2), Shortcut = "downsample")] SwitchableBatchNorm2d bn2;
                [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;
                [Flatten] Flatten flatten;
                [Linear(5)] SlimmableLinear head;
            }
            """);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        var result = RuntimeCheck.Run(r.Output, new[] { "Tests.Net" }).Single();
        Assert.True(result.Ok, result.Describe());

        // By hand. At 0.5: conv 3→4 and bn 4 on 8×8; conv2 4→8 (stride 2, 4×4); bn2 8; the downsample 1×1 4→8 on 4×4
        // and its batch norm 8; head 8→5. At 1.0: 3→8, 8, 8→16, 16, downsample 8→16 and 16, head 16→5.
        long[] parameters =
        {
            4 * 3 * 9 + 2 * 4 + 8 * 4 * 9 + 2 * 8 + (4 * 8 + 2 * 8) + (8 * 5 + 5),
            8 * 3 * 9 + 2 * 8 + 16 * 8 * 9 + 2 * 16 + (8 * 16 + 2 * 16) + (16 * 5 + 5),
        };
        long[] macs =
        {
            64 * 4 * 3 * 9 + 16 * 8 * 4 * 9 + 16 * 8 * 4 + 8 * 5,
            64 * 8 * 3 * 9 + 16 * 16 * 8 * 9 + 16 * 16 * 8 + 16 * 5,
        };
        // Stored: full weights once, the batch norms of both widths (bn, bn2, downsample.1).
        long stored = parameters[1] + 2 * 4 + 2 * 8 + 2 * 8, buffers = 3 * 2 + 2 * (4 + 8 + 8 + 8 + 16 + 16);
        var outcome = RunWidths(RuntimeCheck.Emit(r.Output));
        Assert.Equal(parameters, outcome.ParameterConstants);
        Assert.Equal(macs, outcome.MacConstants);
        Assert.Equal(stored, outcome.Stored);
        Assert.Equal(buffers, outcome.Buffers);
        Assert.Equal(parameters, outcome.ActiveNumel);
        Assert.All(outcome.OutputShapes, s => Assert.Equal(new long[] { 2, 5 }, s));
        Assert.False(outcome.SameOutputs, "both widths gave the same output");
        Assert.Contains("downsample = nn.Sequential(new global::ArchDsl.Layers.SlimmableConv2d(8, 16, 1, new long[] { 4, 8 }, new long[] { 8, 16 }, stride: 2, bias: false), " +
            "new global::ArchDsl.Layers.SwitchableBatchNorm2d(new long[] { 8, 16 }));", r.Source("Tests.Net.g.cs"));
    }

    /// <summary>
    /// Random slimmable CNNs (seeded): stems, depthwise and pointwise convolutions, identity and projected residuals, a
    /// hidden Linear. Where some width leaves a layer int(m·C) = 0 channels (worked out here), the model gets ADSL0002 at
    /// that width's argument; otherwise it builds warning-free, runs at every width with the declared output, and its
    /// active slices add up to each width's constant.
    /// </summary>
    [Fact]
    public void Random_slimmable_models_build_and_run_at_every_width_or_name_the_width_that_empties_a_layer()
    {
        var random = new Random(20261205);
        double[][] widthSets = { new[] { 0.25, 0.5, 0.75, 1.0 }, new[] { 0.5, 1.0 }, new[] { 0.35, 0.7, 1.0 }, new[] { 0.3, 1.0 } };
        var source = new System.Text.StringBuilder(TestModels.Usings);
        var valid = new List<(string Name, int Classes)>();
        var emptied = new List<(string Name, string Width)>();
        for (int model = 0; model < 16; model++)
        {
            var widths = widthSets[random.Next(widthSets.Length)];
            var slimmed = new List<long>();   // every channel count that slims
            var layers = new List<string>();
            long c = random.Next(2, 17), side = 8;
            slimmed.Add(c);
            layers.Add($"[Conv2d({c}, Kernel = 3, Padding = 1, Bias = false)] SlimmableConv2d stem;");
            layers.Add("[BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d stem_bn;");
            for (int u = 0, units = random.Next(1, 4); u < units; u++)
                switch (random.Next(4))
                {
                    case 0:
                        layers.Add($"[Conv2d({c}, Kernel = 3, Padding = 1, Groups = {c}, Bias = false)] SlimmableConv2d dw{u};");
                        layers.Add($"[BatchNorm2d(Activation = Act.ReLU6)] SwitchableBatchNorm2d dw{u}_bn;");
                        break;
                    case 1:
                        c = random.Next(2, 33);
                        slimmed.Add(c);
                        layers.Add($"[Conv2d({c}, Kernel = 1, Bias = false)] SlimmableConv2d pw{u};");
                        layers.Add($"[BatchNorm2d] SwitchableBatchNorm2d pw{u}_bn;");
                        break;
                    case 2:
                        layers.Add($"[Conv2d({c}, Kernel = 3, Padding = 1, Bias = false)] SlimmableConv2d res{u};");
                        layers.Add($"[BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(res{u}))] SwitchableBatchNorm2d res{u}_bn;");
                        break;
                    default:
                        if (side < 2) goto case 2;
                        c = random.Next(2, 33);
                        side = (side + 1) / 2;
                        slimmed.Add(c);
                        layers.Add($"[Conv2d({c}, Kernel = 3, Stride = 2, Padding = 1, Bias = false)] SlimmableConv2d down{u};");
                        layers.Add($"[BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(down{u}), Shortcut = \"proj{u}\")] SwitchableBatchNorm2d down{u}_bn;");
                        break;
                }
            layers.Add("[AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d pool;");
            layers.Add("[Flatten] Flatten flatten;");
            if (random.Next(2) == 0)
            {
                long hidden = random.Next(2, 33);
                slimmed.Add(hidden);
                layers.Add($"[Linear({hidden})] SlimmableLinear hidden;");
                layers.Add("[Dropout(0.2)] Dropout drop;");
            }
            int classes = random.Next(2, 11);
            layers.Add($"[Linear({classes})] SlimmableLinear head;");

            string name = "Net" + model.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string list = string.Join(", ", widths.Select(w => w.ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture)));
            source.Append($"[Model, Input({random.Next(1, 5)}, 8, 8), Slimmable({list})]\npublic partial class {name}\n{{\n    ")
                  .Append(string.Join("\n    ", layers)).Append("\n}\n\n");
            // int(m·C) rounds down: the smallest width empties a layer where m·C < 1.
            var empty = widths.FirstOrDefault(m => slimmed.Any(ch => (long)Math.Floor(m * ch) == 0));
            if (empty > 0) emptied.Add((name, empty.ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture)));
            else valid.Add((name, classes));
        }

        var r = GeneratorHarness.Run(source.ToString());
        r.AssertNoGeneratorException();
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        foreach (var (name, width) in emptied)
        {
            var d = r.GeneratorDiagnostics.Where(x => x.GetMessage(System.Globalization.CultureInfo.InvariantCulture).StartsWith(name + ":", StringComparison.Ordinal)).ToList();
            Assert.True(d.Count > 0 && d.All(x => x.Id == "ADSL0002"), $"{name}: expected ADSL0002 at width {width}; got\n{GeneratorResult.Describe(d)}");
            Assert.Contains(d, x => GeneratorResult.LocatedText(r.Input, x) == width);
        }
        Assert.True(r.GeneratorDiagnostics.Length == r.GeneratorDiagnostics.Count(x => emptied.Any(e => x.GetMessage(System.Globalization.CultureInfo.InvariantCulture).StartsWith(e.Name + ":", StringComparison.Ordinal))),
            GeneratorResult.Describe(r.GeneratorDiagnostics));
        // Both outcomes are exercised by this seed.
        Assert.True(valid.Count >= 3 && emptied.Count >= 1, $"{valid.Count} valid and {emptied.Count} emptied of the random models");
        var image = RuntimeCheck.Emit(r.Output);
        foreach (var (name, classes) in valid)
        {
            var outcome = RunWidths(image, "Tests." + name);
            Assert.Equal(outcome.ParameterConstants, outcome.ActiveNumel);
            Assert.All(outcome.OutputShapes, s => Assert.Equal(new long[] { 2, classes }, s));
        }
    }

    private sealed record Outcome(long[] ParameterConstants, long[] MacConstants, long Stored, long Buffers, long[] ActiveNumel,
        List<long[]> OutputShapes, bool SameOutputs);

    // Not inlined, so nothing from the loaded assembly stays on the caller's stack and the context can unload.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Outcome RunWidths(byte[] image, string typeName = "Tests.Net")
    {
        var context = new AssemblyLoadContext("ArchDslSlimmable", isCollectible: true);
        try
        {
            var type = context.LoadFromStream(new MemoryStream(image)).GetType(typeName, throwOnError: true)!;
            T Static<T>(string name) => (T)type.GetProperty(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            var widths = Static<IReadOnlyList<double>>("Widths");
            using var model = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type, new object?[] { null, null })!;
            model.eval();
            var setWidth = type.GetMethod("SetWidth")!;
            using var x = randn(new long[] { 2 }.Concat(Static<IReadOnlyList<long>>("InputShape")).ToArray());
            var active = new long[widths.Count];
            var shapes = new List<long[]>();
            var outputs = new List<Tensor>();
            for (int i = 0; i < widths.Count; i++)
            {
                setWidth.Invoke(model, new object[] { widths[i] });
                foreach (var m in model.modules())
                    switch (m)
                    {
                        case SlimmableConv2d c:
                            using (var w = c.ActiveWeight) active[i] += w.numel();
                            using (var b = c.ActiveBias) active[i] += b?.numel() ?? 0;
                            break;
                        case SlimmableLinear l:
                            using (var w = l.ActiveWeight) active[i] += w.numel();
                            using (var b = l.ActiveBias) active[i] += b?.numel() ?? 0;
                            break;
                        case SwitchableBatchNorm2d bn:
                            active[i] += bn.Active.parameters().Sum(p => p.numel());
                            break;
                    }
                using var _ = no_grad();
                var y = model.call(x);
                shapes.Add(y.shape);
                outputs.Add(y);
            }
            bool same = outputs.Count > 1 && outputs[0].allclose(outputs[1], 1e-4, 1e-5);
            foreach (var o in outputs) o.Dispose();
            return new Outcome(Static<IReadOnlyList<long>>("WidthParameterCounts").ToArray(), Static<IReadOnlyList<long>>("WidthMacs").ToArray(),
                model.parameters().Sum(p => p.numel()), model.buffers().Sum(b => b.numel()), active, shapes, same);
        }
        finally
        {
            context.Unload();
        }
    }
}
