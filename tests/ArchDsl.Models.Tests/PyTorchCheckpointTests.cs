using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using ArchDsl.Checkpoints;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// Checkpoints both ways against PyTorch itself (Debian's torch 1.13.1 and torchvision 0.14.1 via /usr/bin/python3,
/// driven by tests/Fixtures/pytorch/checkpoints.py): torchvision's weights load strictly into the generated models
/// and give PyTorch's outputs; the generated models' files load strictly into torchvision's models and give the
/// generated outputs; faulty checkpoints are one-line errors naming the problem and the key.
/// </summary>
public class PyTorchCheckpointTests(PyTorchCheckpointFiles files, ITestOutputHelper output) : IClassFixture<PyTorchCheckpointFiles>
{
    private static readonly long[] ImageBatch = { 1, 3, 224, 224 };

    /// <summary>Generated model, torchvision builder, checkpoint extension.</summary>
    public static TheoryData<Type, string, string> FromPyTorch => new()
    {
        { typeof(ResNet50), "resnet50", "pt" },
        { typeof(ResNet50), "resnet50", "safetensors" },
        { typeof(VitB16), "vit_b_16", "pt" },
        { typeof(VitB16), "vit_b_16", "safetensors" },
    };

    /// <summary>Generated model, torchvision builder, checkpoint extension.</summary>
    public static TheoryData<Type, string, string> ToPyTorch => new()
    {
        { typeof(ResNet50), "resnet50", "pt" },
        { typeof(ResNet50), "resnet50", "safetensors" },
        { typeof(VitB16), "vit_b_16", "pt" },
    };

    internal static nn.Module<Tensor, Tensor> Create(Type model) =>
        (nn.Module<Tensor, Tensor>)model.GetConstructor(new[] { typeof(Device), typeof(ScalarType?) })!.Invoke(new object?[] { null, null });

    [Theory]
    [MemberData(nameof(FromPyTorch))]
    public void PyTorch_weights_load_strictly_and_give_PyTorch_outputs(Type model, string builder, string extension)
    {
        string folder = files.Reference(builder);
        using var scope = NewDisposeScope();
        using var module = Create(model);
        module.LoadCheckpoint(Path.Combine(folder, $"{builder}.{extension}"));
        module.eval();
        var input = PyTorch.ReadFloats(Path.Combine(folder, $"{builder}.input.f32"), ImageBatch);
        var expected = PyTorch.ReadFloats(Path.Combine(folder, $"{builder}.output.f32"), new long[] { 1, 1000 });
        using var noGrad = no_grad();
        var actual = module.call(input);
        double maxAbs = (actual - expected).abs().max().item<float>();
        output.WriteLine($"{builder}.{extension}: max |PyTorch| = {expected.abs().max().item<float>():G4}, max |Δ| = {maxAbs:E3}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    [Theory]
    [MemberData(nameof(ToPyTorch))]
    public void Generated_weights_load_strictly_into_torchvision_and_give_the_generated_outputs(Type model, string builder, string extension)
    {
        string folder = files.Folder;
        string checkpoint = Path.Combine(folder, $"generated_{builder}.{extension}");
        string inputPath = Path.Combine(folder, $"generated_{builder}.input.f32");
        string outputPath = Path.Combine(folder, $"generated_{builder}.{extension}.output.f32");
        using var scope = NewDisposeScope();
        manual_seed(23);
        using var module = Create(model);
        Randomise(module);
        module.eval();
        var input = randn(ImageBatch);
        PyTorch.WriteFloats(inputPath, input);
        Tensor generated;
        using (no_grad()) generated = module.call(input);
        module.SaveCheckpoint(checkpoint);

        output.WriteLine(PyTorch.Run("run", builder, checkpoint, inputPath, outputPath));
        var fromPyTorch = PyTorch.ReadFloats(outputPath, new long[] { 1, 1000 });
        double maxAbs = (generated - fromPyTorch).abs().max().item<float>();
        output.WriteLine($"{builder}.{extension}: max |generated| = {generated.abs().max().item<float>():G4}, max |Δ| = {maxAbs:E3}");
        Assert.True(maxAbs <= 1e-5, $"max |Δ| = {maxAbs:E3}");

        // And back: the same file into a differently initialised module gives the same outputs exactly.
        manual_seed(24);
        using var reloaded = Create(model);
        reloaded.LoadCheckpoint(checkpoint).eval();
        using (no_grad()) Assert.Equal(0.0, (reloaded.call(input) - generated).abs().max().item<float>());
        File.Delete(checkpoint);
    }

    /// <summary>A fault file of checkpoints.py's <c>bad</c> command and the fragments its one-line error holds.</summary>
    public static TheoryData<string, string[]> Faults => new()
    {
        { "missing.pt", new[] { "missing key: layer2.0.downsample.1.running_var" } },
        { "extra.pt", new[] { "unexpected key: fc.extra_scale" } },
        { "shape.pt", new[] { "mis-shaped key: fc.weight (expected [1000, 512], found [10, 512])" } },
        { "truncated.pt", new[] { "cannot be read as a PyTorch state_dict file (torch.save)", "truncated" } },
        { "truncated.safetensors", new[] { "is truncated", "safetensors" } },
        { "absent.pt", new[] { "does not exist" } },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_faulty_checkpoint_is_one_line_naming_the_problem_and_the_key(string file, string[] fragments)
    {
        string path = Path.Combine(files.Faults(), file);
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var module = Create(typeof(ResNet18));
        var before = module.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        var error = Assert.Throws<CheckpointException>(() => module.LoadCheckpoint(path));
        output.WriteLine(error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(file, error.Message);
        foreach (var fragment in fragments) Assert.Contains(fragment, error.Message);
        // Strict means all or nothing: a rejected checkpoint leaves the module as it was.
        foreach (var (name, tensor) in module.state_dict())
            Assert.True(tensor.eq(before[name]).all().item<bool>(), $"{name} changed although the checkpoint was rejected");
    }

    [Fact]
    public void Saving_where_nothing_can_be_written_is_one_line()
    {
        using var module = Create(typeof(ResNet18));
        string path = Path.Combine(files.Folder, "no-such-folder", "resnet18.pt");
        var error = Assert.Throws<CheckpointException>(() => module.SaveCheckpoint(path));
        output.WriteLine(error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"Checkpoint '{path}' cannot be written: ", error.Message);
    }

    [Fact]
    public void Without_PyTorch_these_tests_fail_with_one_line_saying_what_to_install()
    {
        Assert.Null(PyTorch.MissingReason("/usr/bin/python3"));
        string absent = PyTorch.MissingReason("/nonexistent/python3")!;
        // -S leaves out site-packages, where Debian's torch lives: a Python without torch.
        string withoutTorch = PyTorch.MissingReason("/usr/bin/python3", "-S")!;
        output.WriteLine(absent);
        output.WriteLine(withoutTorch);
        foreach (var reason in new[] { absent, withoutTorch })
        {
            Assert.DoesNotContain('\n', reason);
            Assert.Contains("apt-get install -y python3-torch python3-torchvision", reason);
        }
        Assert.EndsWith("/nonexistent/python3 does not exist.", absent);
        Assert.EndsWith("import failed: ModuleNotFoundError: No module named 'torch'", withoutTorch);
    }

    /// <summary>
    /// Makes eval mode depend on everything a checkpoint carries: batch-norm statistics and affine weights, biases,
    /// and the zero-initialised class token and head.
    /// </summary>
    private static void Randomise(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            string leaf = name[(name.LastIndexOf('.') + 1)..];
            if (leaf == "running_mean") tensor.copy_(randn(tensor.shape) * 0.2);
            else if (leaf == "running_var") tensor.copy_(rand(tensor.shape) * 1.5 + 0.5);
            else if (leaf == "num_batches_tracked") tensor.fill_(321);
            else if (leaf == "bias" || name == "class_token" || name.StartsWith("heads.", StringComparison.Ordinal))
                tensor.copy_(randn(tensor.shape) * 0.05);
        }
        foreach (var (_, submodule) in module.named_modules())
        {
            if (submodule is TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.LayerNorm)
            {
                var weight = submodule.named_parameters().First(p => p.name == "weight").parameter;
                weight.copy_(rand(weight.shape) * 0.6 + 0.5);
            }
        }
    }
}

/// <summary>The checkpoints PyTorch writes for the tests, made once per run in a temporary folder.</summary>
public sealed class PyTorchCheckpointFiles : IDisposable
{
    private readonly Dictionary<string, Lazy<string>> references = new(StringComparer.Ordinal);
    private readonly Lazy<string> faults;

    /// <summary>Creates the (empty) folder.</summary>
    public PyTorchCheckpointFiles()
    {
        Folder = Directory.CreateTempSubdirectory("archdsl-checkpoints-").FullName;
        foreach (var builder in new[] { "resnet50", "vit_b_16" })
            references[builder] = new Lazy<string>(() => { PyTorch.Run("write", builder, Folder); return Folder; }, LazyThreadSafetyMode.ExecutionAndPublication);
        faults = new Lazy<string>(() => { PyTorch.Run("bad", Folder); return Folder; }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The temporary folder.</summary>
    public string Folder { get; }

    /// <summary>The folder once PyTorch has written the builder's checkpoints, input and output.</summary>
    public string Reference(string builder) => references[builder].Value;

    /// <summary>The folder once PyTorch has written the faulty checkpoints.</summary>
    public string Faults() => faults.Value;

    /// <inheritdoc/>
    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Runs tests/Fixtures/pytorch/checkpoints.py with Debian's PyTorch, and exchanges raw float32 files.</summary>
internal static class PyTorch
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() => MissingReason(Python));

    /// <summary>
    /// Null when <paramref name="python"/> (run with <paramref name="flags"/>) imports torch and torchvision; else one
    /// line saying what to install, so that these tests fail, never skip, without PyTorch.
    /// </summary>
    public static string? MissingReason(string python, params string[] flags)
    {
        string need = $"PyTorch checkpoint tests need {python} with torch and torchvision: install Debian's python3-torch and python3-torchvision (apt-get install -y python3-torch python3-torchvision; .ci/run does this)";
        if (!File.Exists(python)) return $"{need}; {python} does not exist.";
        var (code, _, error) = Execute(python, flags.Concat(new[] { "-c", "import torch, torchvision" }).ToArray());
        return code == 0 ? null : $"{need}; import failed: {error.Trim().Split('\n').Last()}";
    }

    public static string Script => Path.Combine(TorchvisionFixtures.FindRepositoryRoot(AppContext.BaseDirectory), "tests", "Fixtures", "pytorch", "checkpoints.py");

    /// <summary>Runs the script with the arguments; returns its output, or fails with its last error line.</summary>
    public static string Run(params string[] arguments)
    {
        if (Missing.Value is { } missing) throw new InvalidOperationException(missing);
        var (code, stdout, stderr) = Execute(Python, new[] { Script }.Concat(arguments).ToArray());
        if (code != 0)
            throw new InvalidOperationException($"checkpoints.py {string.Join(' ', arguments)} exited with {code}: {stderr.Trim().Split('\n').Last()}");
        return stdout.Trim();
    }

    public static Tensor ReadFloats(string path, long[] shape)
    {
        var values = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
        Assert.Equal(shape.Aggregate(1L, (a, b) => a * b), values.Length);
        return tensor(values).reshape(shape);
    }

    public static void WriteFloats(string path, Tensor values) =>
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.contiguous().data<float>().ToArray().AsSpan()).ToArray());

    /// <summary>Runs a program to its end (ten minutes at most): exit code, standard output, standard error. The one
    /// process runner of the PyTorch tests.</summary>
    internal static (int Code, string Stdout, string Stderr) Execute(string program, string[] arguments, string? workingDirectory = null,
        IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments.Take(2))} ran over 10 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
