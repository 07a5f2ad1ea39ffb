using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using ArchDsl.Checkpoints;
using ArchDsl.Layers;
using ArchDsl.Tests.Fixtures;
using ArchDsl.Samples;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>The slimmable sample (four widths from one set of weights): the counts at each width against the modules'
/// active slices, a hand count and PyTorch (the paper's slimmable modules, tests/Fixtures/pytorch/slimmable.py), the
/// outputs at each width against PyTorch's, switching without a rebuild, and one training step at each width.</summary>
public class SlimmableTests(ITestOutputHelper output)
{
    [Fact]
    public void PyTorch_reference_gives_the_counts_and_outputs_at_each_width()
    {
        var folder = Directory.CreateTempSubdirectory("archdsl-slimmable-").FullName;
        try
        {
            if (PyTorch.MissingReason("/usr/bin/python3") is { } missing) throw new InvalidOperationException(missing);
            string script = Path.Combine(TorchvisionFixtures.FindRepositoryRoot(AppContext.BaseDirectory), "tests", "Fixtures", "pytorch", "slimmable.py");
            var (code, stdout, stderr) = PyTorch.Execute("/usr/bin/python3", new[] { script, "write", folder });
            Assert.True(code == 0, $"slimmable.py exited with {code}: {stderr.Trim().Split('\n').Last()}");
            using var counts = JsonDocument.Parse(stdout);
            var root = counts.RootElement;
            var parameters = root.GetProperty("parameters").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var macs = root.GetProperty("macs").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(parameters, SlimmableMobileNet.WidthParameterCounts);
            Assert.Equal(macs, SlimmableMobileNet.WidthMacs);
            long stored = SlimmableMobileNet.ParameterCount, buffers = SlimmableMobileNet.BufferCount;
            Assert.Equal(root.GetProperty("stored").GetInt64(), stored);
            Assert.Equal(root.GetProperty("buffers").GetInt64(), buffers);

            // PyTorch's state_dict loads strictly (same names and shapes: bn1.bn.0.weight ...) and gives its outputs at every width.
            using var scope = NewDisposeScope();
            using var model = new SlimmableMobileNet();
            model.LoadCheckpoint(Path.Combine(folder, "slimmable.pt"));
            model.eval();
            var input = PyTorch.ReadFloats(Path.Combine(folder, "slimmable.input.f32"), new long[] { 2, 3, 32, 32 });
            using var noGrad = no_grad();
            for (int i = 0; i < SlimmableMobileNet.Widths.Count; i++)
            {
                model.SetWidth(SlimmableMobileNet.Widths[i]);
                var expected = PyTorch.ReadFloats(Path.Combine(folder, $"slimmable.output.{i}.f32"), new long[] { 2, 10 });
                double maxAbs = (model.call(input) - expected).abs().max().item<float>();
                output.WriteLine($"width {SlimmableMobileNet.Widths[i]}: max |PyTorch| = {expected.abs().max().item<float>():G4}, max |Δ| = {maxAbs:E3}");
                Assert.True(maxAbs <= 1e-4, $"width {SlimmableMobileNet.Widths[i]}: max |Δ| = {maxAbs:E3}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>What the active width uses at run time: the weight slices the convolutions and linear layers read, and
    /// the parameters of the batch norm of that width.</summary>
    private static long ActiveNumel(nn.Module model)
    {
        long n = 0;
        foreach (var m in model.modules())
            switch (m)
            {
                case SlimmableConv2d c:
                    using (var w = c.ActiveWeight) n += w.numel();
                    using (var b = c.ActiveBias) n += b?.numel() ?? 0;
                    break;
                case SlimmableLinear l:
                    using (var w = l.ActiveWeight) n += w.numel();
                    using (var b = l.ActiveBias) n += b?.numel() ?? 0;
                    break;
                case SwitchableBatchNorm2d bn:
                    n += bn.Active.parameters().Sum(p => p.numel());
                    break;
            }
        return n;
    }

    private static bool Equal(Tensor a, Tensor b)
    {
        using var eq = a.eq(b);
        using var same = eq.all();
        return same.item<bool>();
    }

    [Fact]
    public void Runtime_numel_of_each_active_width_equals_the_widths_constant()
    {
        using var model = new SlimmableMobileNet();
        Assert.Equal(new[] { 0.25, 0.5, 0.75, 1.0 }, SlimmableMobileNet.Widths);
        for (int i = 0; i < SlimmableMobileNet.Widths.Count; i++)
        {
            model.SetWidth(SlimmableMobileNet.Widths[i]);
            Assert.Equal(SlimmableMobileNet.WidthParameterCounts[i], ActiveNumel(model));
        }
        // Stored: the full weights once and every width's private batch norms.
        Assert.Equal(SlimmableMobileNet.ParameterCount, model.parameters().Sum(p => p.numel()));
        Assert.Equal(SlimmableMobileNet.BufferCount, model.buffers().Sum(b => b.numel()));
    }

    [Fact]
    public void Counts_at_half_width_equal_a_hand_count()
    {
        // At 0.5 every layer runs int(0.5·C) channels; the 3 input channels and the 10 classes stay.
        // (in, out, kernel, output side, depthwise) of each convolution at 0.5, then the batch norms' channels.
        var convs = new (long In, long Out, long K, long Side, bool Depthwise)[]
        {
            (3, 16, 3, 16, false),   // conv1, stride 2: 32 → 16
            (16, 16, 3, 16, true),   // dw2
            (16, 32, 1, 16, false),  // pw2
            (32, 32, 3, 8, true),    // dw3, stride 2: 16 → 8
            (32, 32, 1, 8, false),   // pw3
            (32, 64, 1, 8, false),   // expand
            (64, 64, 3, 8, true),    // dw4
            (64, 32, 1, 8, false),   // project
        };
        long[] norms = { 16, 16, 32, 32, 32, 64, 64, 32 };
        long parameters = 0, macs = 0;
        foreach (var c in convs)
        {
            long perOut = (c.Depthwise ? 1 : c.In) * c.K * c.K;
            parameters += c.Out * perOut;
            macs += c.Side * c.Side * c.Out * perOut;
        }
        parameters += norms.Sum(c => 2 * c);
        parameters += 32 * 10 + 10;   // fc
        macs += 32 * 10;
        Assert.Equal(7_978, parameters);
        Assert.Equal(661_824, macs);
        long generatedParameters = SlimmableMobileNet.WidthParameterCounts[1], generatedMacs = SlimmableMobileNet.WidthMacs[1];
        Assert.Equal(parameters, generatedParameters);
        Assert.Equal(macs, generatedMacs);

        // At full width the MACs are the model's; the stored parameters add the narrower widths' batch norms.
        long fullMacs = SlimmableMobileNet.WidthMacs[3], fullParameters = SlimmableMobileNet.WidthParameterCounts[3];
        Assert.Equal(SlimmableMobileNet.Macs, fullMacs);
        long narrowerNorms = new[] { 0.25, 0.5, 0.75 }.Sum(m => new long[] { 32, 32, 64, 64, 64, 128, 128, 64 }.Sum(c => 2 * (long)(m * c)));
        Assert.Equal(SlimmableMobileNet.ParameterCount, fullParameters + narrowerNorms);
    }

    [Fact]
    public void State_dict_keeps_full_weights_and_one_batch_norm_per_width()
    {
        using var model = new SlimmableMobileNet();
        var sd = model.state_dict();
        Assert.Equal(new long[] { 32, 3, 3, 3 }, sd["conv1.weight"].shape);
        Assert.Equal(new long[] { 32, 1, 3, 3 }, sd["dw2.weight"].shape);
        Assert.Equal(new long[] { 10, 64 }, sd["fc.weight"].shape);
        Assert.Equal(new long[] { 8 }, sd["bn1.bn.0.weight"].shape);
        Assert.Equal(new long[] { 16 }, sd["bn1.bn.1.running_mean"].shape);
        Assert.Equal(new long[] { 32 }, sd["bn1.bn.3.running_var"].shape);
        Assert.DoesNotContain("bn1.bn.4.weight", sd.Keys);
    }

    [Fact]
    public void Switching_widths_needs_no_rebuild_and_changes_the_output()
    {
        using var model = new SlimmableMobileNet();
        model.eval();
        using var x = randn(4, 3, 32, 32);
        var handles = model.parameters().Select(p => p.Handle).ToList();
        var outputs = new List<Tensor>();
        foreach (var m in SlimmableMobileNet.Widths)
        {
            model.SetWidth(m);
            Assert.Equal(m, model.Width);
            using var _ = no_grad();
            var y = model.call(x);
            Assert.Equal(new long[] { 4, 10 }, y.shape);
            outputs.Add(y);
        }
        for (int i = 0; i < outputs.Count; i++)
            for (int j = i + 1; j < outputs.Count; j++)
                Assert.False(outputs[i].allclose(outputs[j], 1e-4, 1e-5), $"widths {i} and {j} gave the same output");
        // Back to a width gives its output again: the same module, the same weights.
        model.SetWidth(0.5);
        using (no_grad())
        using (var again = model.call(x))
            Assert.True(again.allclose(outputs[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.SetWidth(0.3));
        // The same parameter tensors throughout: switching selects slices, it allocates no module or weight.
        Assert.Equal(handles, model.parameters().Select(p => p.Handle).ToList());
        foreach (var o in outputs) o.Dispose();
    }

    [Fact]
    public void Each_width_trains_a_step_and_leaves_the_other_widths_batch_norms()
    {
        manual_seed(7);
        using var model = new SlimmableMobileNet();
        long[] active = { 8, 16, 24, 32 };   // conv1's filters at each width: int(m·32)
        using var x = randn(8, 3, 32, 32);
        using var labels = randint(0, 10, new long[] { 8 });
        for (int i = 0; i < SlimmableMobileNet.Widths.Count; i++)
        {
            model.SetWidth(SlimmableMobileNet.Widths[i]);
            model.train();
            var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            using var optimizer = optim.SGD(model.parameters(), 0.1);
            optimizer.zero_grad();
            using var logits = model.call(x);
            using var loss = nn.functional.cross_entropy(logits, labels);
            Assert.True(double.IsFinite(loss.item<float>()), $"width {SlimmableMobileNet.Widths[i]}: loss {loss.item<float>()}");
            loss.backward();
            optimizer.step();
            var after = model.state_dict();

            // This width's filters and batch norm changed; the filters beyond it did not.
            Assert.False(Equal(after["conv1.weight"].narrow(0, 0, active[i]), before["conv1.weight"].narrow(0, 0, active[i])));
            if (active[i] < 32)
                Assert.True(Equal(after["conv1.weight"].narrow(0, active[i], 32 - active[i]), before["conv1.weight"].narrow(0, active[i], 32 - active[i])));
            foreach (var name in new[] { "weight", "bias", "running_mean", "running_var" })
                Assert.False(Equal(after[$"bn1.bn.{i}.{name}"], before[$"bn1.bn.{i}.{name}"]), $"width {i}: bn1.bn.{i}.{name} did not change");
            // Every other width's private batch norms stayed, in every layer.
            foreach (var key in after.Keys.Where(k => k.Contains(".bn.") && !k.Contains($".bn.{i}.")))
                Assert.True(Equal(after[key], before[key]), $"width {i} changed {key}");
            foreach (var t in before.Values) t.Dispose();
        }
    }
}
