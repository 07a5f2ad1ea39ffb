using System.Collections.Generic;
using System.Linq;
using ArchDsl.Samples;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// The IPT-style sample (IptSmall): forward(x, task) runs each task with its own output size, and the counts of each
/// path equal the parameters of the top-level modules that a forward hook sees run.
/// </summary>
public class TaskModelTests
{
    /// <summary>Each task with the size a hand computation gives: ×2, ×3 and ×4 upsampling, and the input size.</summary>
    public static IEnumerable<object[]> Paths() => new[]
    {
        new object[] { IptSmall.Task.SuperResolution2x, 96L },
        new object[] { IptSmall.Task.SuperResolution3x, 144L },
        new object[] { IptSmall.Task.SuperResolution4x, 192L },
        new object[] { IptSmall.Task.Denoising, 48L },
        new object[] { IptSmall.Task.Deraining, 48L },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Each_task_gives_its_size(IptSmall.Task task, long side)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        using var model = new IptSmall();
        model.eval();
        var y = model.forward(randn(2, 3, 48, 48), task);
        Assert.Equal(new[] { 2L, 3L, side, side }, y.shape);
        Assert.Equal(new[] { 3L, side, side }, IptSmall.OutputShapeOf(task));
    }

    /// <summary>
    /// Which top-level modules run is observed (a forward hook on each), not read from the declaration: their
    /// parameters' numel is the path's count. The whole module's numel is the total, every module counted once.
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Path_counts_equal_the_numel_of_the_modules_that_ran(IptSmall.Task task, long side)
    {
        _ = side;
        using var scope = NewDisposeScope();
        using var model = new IptSmall();
        var ran = new HashSet<string>();
        var hooks = new List<System.Action>();
        foreach (var (name, child) in model.named_children())
            if (child is nn.Module<Tensor, Tensor> m)
                {
                var remover = m.register_forward_hook((_, _, output) => { ran.Add(name); return output; });
                hooks.Add(remover.remove);
            }
        using (no_grad()) model.forward(randn(1, 3, 48, 48), task);
        foreach (var remove in hooks) remove();

        long numel = model.named_parameters().Where(p => ran.Contains(p.name.Split('.')[0])).Sum(p => p.parameter.numel());
        Assert.Equal(IptSmall.ParameterCountOf(task), numel);
        // Five heads, eight body modules, five tails: a path runs one head, the body and one tail, leaving out the
        // other four heads and four tails.
        Assert.Single(ran, n => n.StartsWith("head_"));
        Assert.Single(ran, n => n.StartsWith("tail_"));
        Assert.Equal(model.named_children().Count() - 8, ran.Count);
        Assert.Equal(IptSmall.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    /// <summary>The denoising path by hand: a head (3×3 conv, two residual blocks of two 3×3 convs), the body (3×3
    /// patch embedding, two Transformer layers, norm, 1×1 unpatching conv) and a 3×3 tail, width 16, tokens of 64.</summary>
    [Fact]
    public void Denoising_path_equals_a_hand_count()
    {
        const long c = 16, d = 64, tokens = 16 * 16, map = 48 * 48;
        long conv3(long cin, long cout) => cin * cout * 9 + cout;
        long head = conv3(3, c) + 4 * conv3(c, c);
        long encoder = 2 * d                                   // norm1
            + (d * 3 * d + 3 * d) + (d * d + d)                  // qkv and proj
            + (2 * 16 - 1) * (2 * 16 - 1) * 4                    // relative position bias table, 4 heads
            + 2 * d                                            // norm2
            + (d * 4 * d + 4 * d) + (4 * d * d + d);             // MLP ×4
        long body = conv3(c, d) + 2 * encoder + 2 * d + (d * 9 * c + 9 * c);
        long tail = conv3(c, 3);
        long macs = map * 3 * c * 9 + 4 * map * c * c * 9      // head
            + tokens * c * 9 * d                               // patch embedding
            + 2 * (tokens * d * 3 * d + 2 * tokens * tokens * d + tokens * d * d + tokens * 2 * d * 4 * d)
            + tokens * d * 9 * c                               // unpatching 1×1 conv
            + map * c * 3 * 9;                                 // tail
        long parameters = IptSmall.DenoisingParameterCount, generatedMacs = IptSmall.DenoisingMacs;
        Assert.Equal(head + body + tail, parameters);
        Assert.Equal(macs, generatedMacs);
        // The summary closes with one line per task; ArchitectureJson names each task's head and tail.
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Contains(string.Format(inv, "task Denoising (Denoising): head_denoise, body, tail_denoise: output 3×48×48, {0:N0} parameters, {1:N0} MACs\n",
            head + body + tail, macs), IptSmall.Summary);
        using var json = System.Text.Json.JsonDocument.Parse(IptSmall.ArchitectureJson);
        var tasks = json.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("name").GetString() + ":" + t.GetProperty("tail").GetString());
        Assert.Equal(new[] { "SuperResolution2x:tail_sr2", "SuperResolution3x:tail_sr3", "SuperResolution4x:tail_sr4", "Denoising:tail_denoise", "Deraining:tail_derain" }, tasks);
    }

    /// <summary>One SGD step per task: the loss falls, and only that task's head and tail (and the body) get gradients.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Each_task_trains_a_step(IptSmall.Task task, long side)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = new IptSmall();
        var x = randn(2, 3, 48, 48);
        var target = randn(2, 3, side, side);
        var optimizer = optim.SGD(model.parameters(), 0.01);
        var loss = nn.functional.mse_loss(model.forward(x, task), target);
        loss.backward();
        string head = "head_" + Suffix(task) + ".", tail = "tail_" + Suffix(task) + ".";
        foreach (var (name, p) in model.named_parameters())
        {
            bool own = name.StartsWith(head) || name.StartsWith(tail) || !(name.StartsWith("head_") || name.StartsWith("tail_"));
            Assert.True(own == p.grad is not null, name);
        }
        optimizer.step();
        float before = loss.item<float>();
        float after;
        using (no_grad()) after = nn.functional.mse_loss(model.forward(x, task), target).item<float>();
        Assert.True(after < before, $"{task}: loss {before} → {after}");
    }

    private static string Suffix(IptSmall.Task task) => task switch
    {
        IptSmall.Task.SuperResolution2x => "sr2",
        IptSmall.Task.SuperResolution3x => "sr3",
        IptSmall.Task.SuperResolution4x => "sr4",
        IptSmall.Task.Denoising => "denoise",
        _ => "derain",
    };

    /// <summary>An input libtorch refuses (no batch axis: the body's permute needs four): the error names the task
    /// and both shapes.</summary>
    [Fact]
    public void Wrong_input_names_the_task_and_the_declared_shape()
    {
        using var scope = NewDisposeScope();
        using var model = new IptSmall();
        var e = Assert.Throws<System.ArgumentException>(() => model.forward(randn(3, 48, 48), IptSmall.Task.Deraining));
        Assert.Contains("forward(x, Deraining) failed on an input of shape (3, 48, 48); the declared input is (batch, 3, 48, 48)", e.Message);
    }

    [Fact]
    public void Plain_forward_runs_the_first_task()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        using var model = new IptSmall();
        model.eval();
        var x = randn(1, 3, 48, 48);
        using var _ = no_grad();
        Assert.True(model.call(x).equal(model.forward(x, IptSmall.Task.SuperResolution2x)).all().item<bool>());
        long macs = IptSmall.Macs, first = IptSmall.SuperResolution2xMacs;
        Assert.Equal(first, macs);
    }
}
