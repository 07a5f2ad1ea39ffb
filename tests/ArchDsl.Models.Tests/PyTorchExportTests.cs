using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using ArchDsl.Checkpoints;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>Runs alone: the large models are built on TorchSharp's meta device by changing its default device.</summary>
[CollectionDefinition(nameof(PyTorchExportTests), DisableParallelization = true)]
public sealed class PyTorchExportCollection
{
}

/// <summary>
/// <c>archdsl export pytorch</c> against PyTorch itself (Debian's torch 1.13.1 at /usr/bin/python3, driven by
/// tests/Fixtures/pytorch/exported.py): for every sample model the exported module, built by PyTorch, has the generated
/// constants' parameter and buffer counts and the generated TorchSharp module's state_dict keys, shapes and order;
/// ResNet-50's and ViT-B/16's are also torchvision's; and weights the generated module saves load strictly into the
/// exported one and give the same eval outputs.
/// </summary>
[Collection(nameof(PyTorchExportTests))]
public class PyTorchExportTests(ExportedModules exported, ITestOutputHelper output) : IClassFixture<ExportedModules>
{
    /// <summary>Above this the generated module is built on the meta device (no memory for its weights).</summary>
    private const long MetaAbove = 200_000_000;

    /// <summary>Every model of the samples, and those declared in this test assembly (small language models, the
    /// export's coverage model), by assembly and name.</summary>
    public static TheoryData<string, string> AllModels
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var t in ModelTypes(typeof(ResNet50).Assembly)) data.Add("samples", t.Name);
            foreach (var t in ModelTypes(typeof(PyTorchExportTests).Assembly)) data.Add("tests", t.Name);
            return data;
        }
    }

    private static Type ModelType(string assembly, string name) =>
        ModelTypes(assembly == "samples" ? typeof(ResNet50).Assembly : typeof(PyTorchExportTests).Assembly).Single(t => t.Name == name);

    internal static IEnumerable<Type> ModelTypes(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.GetField("ArchitectureJson", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } &&
                        t.GetField("ParameterCount", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    private static long Constant(Type model, string name) => (long)model.GetField(name)!.GetRawConstantValue()!;

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Every_model_exports_with_the_generated_counts_and_state_dict(string assembly, string name)
    {
        var model = ModelType(assembly, name);
        string folder = assembly == "samples" ? exported.Samples : exported.Tests;
        var (parameters, buffers, keys, _) = exported.Describe(folder, name);
        long expectedParameters = Constant(model, "ParameterCount"), expectedBuffers = Constant(model, "BufferCount");
        Assert.Equal(expectedParameters, parameters);
        Assert.Equal(expectedBuffers, buffers);

        var generated = GeneratedKeys(model, expectedParameters > MetaAbove);
        output.WriteLine($"{name}: {parameters:N0} parameters, {keys.Count} parameters and buffers{(expectedParameters > MetaAbove ? " (TorchSharp on the meta device)" : "")}");
        AssertSameKeys(generated, keys, "generated TorchSharp module", "exported PyTorch module");
    }

    [Theory]
    [InlineData("ResNet50", "resnet50")]
    [InlineData("VitB16", "vit_b_16")]
    public void ResNet50_and_ViT_B16_export_with_torchvisions_state_dict(string name, string torchvision)
    {
        var (parameters, buffers, _, stateDict) = exported.Describe(exported.Samples, name);
        var reference = TorchvisionFixtures.Keys(torchvision);
        Assert.Equal(reference.Parameters, parameters);
        Assert.Equal(reference.Buffers, buffers);
        // The fixtures hold torchvision's state_dict in its order; the exported module's state_dict is PyTorch's too.
        var expected = reference.Entries.Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}]").ToList();
        AssertSameKeys(expected, stateDict, "torchvision " + torchvision, "exported PyTorch module");
    }

    /// <summary>Generated module → SaveCheckpoint → exported module (strict) → the same eval outputs.</summary>
    public static TheoryData<string, string> Agreement => new()
    {
        { "samples", "ResNet50" },
        { "samples", "VitB16" },
        { "samples", "SwinSmallConfig" },
        { "samples", "ConvNeXtSmallConfig" },
        { "samples", "DenseNetSmall" },
        { "samples", "EfficientNetSmall" },
        { "samples", "RegNetSmall" },
        { "samples", "RepVggSmall" },
        { "samples", "MobileNetV3Small" },
        { "samples", "UNet" },
        { "tests", "TinyGpt" },
        { "tests", "TinyLlama" },
        { "tests", "TinyMoe" },
        { "tests", "TinySharedMoe" },
        { "tests", "ExportCoverageNet" },
    };

    /// <summary>
    /// Every layer kind of the core's catalogue (read by reflection from the ArchDsl.Core the tool ships with, so a new
    /// kind fails here until a model uses it) is in a model exported above, where the export renders its recipe and
    /// forward form without error; and each such model is held to PyTorch by the theories above.
    /// </summary>
    [Fact]
    public void Every_layer_kind_of_the_catalogue_is_exported()
    {
        var core = Assembly.LoadFrom(Path.Combine(Path.GetDirectoryName(ExportedModules.Cli)!, "ArchDsl.Core.dll"));
        var kinds = core.GetType("ArchDsl.Core.Layers.LayerCatalog", throwOnError: true)!.GetField("Kinds")!.GetValue(null)!;
        var catalogue = ((System.Collections.IEnumerable)kinds.GetType().GetProperty("Keys")!.GetValue(kinds)!).Cast<string>().OrderBy(k => k, StringComparer.Ordinal).ToList();
        Assert.Contains("Conv2d", catalogue);

        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var assembly in new[] { typeof(ResNet50).Assembly, typeof(PyTorchExportTests).Assembly })
            foreach (var model in ModelTypes(assembly))
                foreach (var row in LayerInfo.Of(model))
                    // A block's rows carry its name as their kind; at the top level only [Use] places one.
                    used.Add(row.Depth == 0 && !catalogue.Contains(row.Kind) ? "Use" : row.Kind);
        output.WriteLine("kinds in the exported models: " + string.Join(", ", used));
        var missing = catalogue.Where(k => !used.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "no exported model uses " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(Agreement))]
    public void Weights_saved_by_the_generated_module_load_strictly_into_the_exported_one_and_give_its_outputs(string assembly, string name) =>
        Agree(assembly, name, null, (module, input) => new[] { module.call(input) });

    /// <summary>The forwards beside forward(x), each of every task, exit form and width (read from the generated module):
    /// IptSmall's forward(x, task), EarlyExitNet's ForwardExits and forward(x, threshold, mode) with a threshold every
    /// sample reaches at the first exit (0) and one none reaches (1.01, the model's own output), SlimmableMobileNet at
    /// each width after SetWidth.</summary>
    public static TheoryData<string, string> Forms
    {
        get
        {
            var data = new TheoryData<string, string>();
            var tasks = typeof(IptSmall).GetNestedType("Task")!;
            foreach (var t in Enum.GetValues(tasks)) data.Add(nameof(IptSmall), "task:" + Convert.ToInt32(t, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture));
            data.Add(nameof(EarlyExitNet), "exits");
            foreach (var threshold in new[] { "0", "1.01" })
                foreach (var mode in new[] { "per_batch", "per_sample" })
                    data.Add(nameof(EarlyExitNet), $"threshold:{threshold}:{mode}");
            foreach (var width in SlimmableMobileNet.Widths) data.Add(nameof(SlimmableMobileNet), "width:" + width.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Tasks_exits_and_widths_give_the_generated_modules_outputs(string name, string how) =>
        Agree("samples", name, how, (module, input) => Call(module, input, how));

    /// <summary>The generated module's side of exported.py's HOW: the outputs, in the same order.</summary>
    private static Tensor[] Call(nn.Module<Tensor, Tensor> module, Tensor input, string how)
    {
        var parts = how.Split(':');
        var type = module.GetType();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (parts[0])
        {
            case "task":
                var task = type.GetNestedType("Task")!;
                var forward = type.GetMethod("forward", new[] { typeof(Tensor), task })!;
                return new[] { (Tensor)forward.Invoke(module, new[] { input, Enum.ToObject(task, int.Parse(parts[1], inv)) })! };
            case "exits":
                return (Tensor[])type.GetMethod("ForwardExits")!.Invoke(module, new object[] { input })!;
            case "threshold":
                var mode = parts[2] == "per_batch" ? ExitMode.PerBatch : ExitMode.PerSample;
                var (logits, exit) = ((Tensor, Tensor))type.GetMethod("forward", new[] { typeof(Tensor), typeof(double), typeof(ExitMode) })!
                    .Invoke(module, new object[] { input, double.Parse(parts[1], inv), mode })!;
                return new[] { logits, exit.to_type(ScalarType.Float32) };
            case "width":
                type.GetMethod("SetWidth")!.Invoke(module, new object[] { double.Parse(parts[1], inv) });
                return new[] { module.call(input) };
            default:
                throw new ArgumentException("unknown call " + how, nameof(how));
        }
    }

    private void Agree(string assembly, string name, string? how, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor[]> call)
    {
        var model = ModelType(assembly, name);
        string folder = assembly == "samples" ? exported.Samples : exported.Tests;
        string checkpoint = Path.Combine(exported.Work, name + ".pt");
        string inputPath = Path.Combine(exported.Work, name + ".input");
        string outputPath = Path.Combine(exported.Work, name + ".output.f32");

        using var scope = NewDisposeScope();
        manual_seed(31);
        using var module = PyTorchCheckpointTests.Create(model);
        Randomise(module);
        module.eval();
        var inputShape = new long[] { 2 }.Concat((IReadOnlyList<long>)model.GetProperty("InputShape")!.GetValue(null)!).ToArray();
        bool tokens = inputShape.Length == 2 && model.GetField("MacsPerToken") != null;
        Tensor input;
        if (tokens)
        {
            long vocabulary = module.state_dict().First().Value.shape[0];   // the token embedding comes first
            input = randint(0, vocabulary, inputShape, dtype: ScalarType.Int64);
            File.WriteAllBytes(inputPath, MemoryMarshal.AsBytes(input.data<long>().ToArray().AsSpan()).ToArray());
        }
        else
        {
            input = randn(inputShape);
            PyTorch.WriteFloats(inputPath, input);
        }
        Tensor generated;
        using (no_grad()) generated = cat(call(module, input).Select(t => t.reshape(-1).to_type(ScalarType.Float32)).ToArray());
        // The forward may have switched the width: the checkpoint holds every width's weights, the same at each.
        module.SaveCheckpoint(checkpoint);

        var arguments = new List<string> { "run", folder, name, checkpoint, inputPath, outputPath };
        if (how != null) arguments.Add(how);
        output.WriteLine(exported.Python(arguments.ToArray()));
        var fromPyTorch = PyTorch.ReadFloats(outputPath, generated.shape);
        if (how?.StartsWith("threshold:", StringComparison.Ordinal) == true)
        {
            // The exit each sample took (the batch's last two values) is an index: equal, not close.
            long n = generated.shape[0];
            Assert.Equal(generated[TensorIndex.Slice(n - 2)].data<float>().ToArray(), fromPyTorch[TensorIndex.Slice(n - 2)].data<float>().ToArray());
            generated = generated[TensorIndex.Slice(0, n - 2)];
            fromPyTorch = fromPyTorch[TensorIndex.Slice(0, n - 2)];
        }
        double maxAbs = (generated - fromPyTorch).abs().max().item<float>();
        double scale = generated.abs().max().item<float>();
        // 1e-5 absolute; for outputs larger than 1 (a language model's logits reach ~60, where float32's own spacing
        // is 4e-6) 1e-5 relative to the largest output.
        double tolerance = 1e-5 * Math.Max(1.0, scale);
        output.WriteLine($"{name}{(how is null ? "" : " " + how)}: max |generated| = {scale:G4}, max |Δ| = {maxAbs:E3} (tolerance {tolerance:E2})");
        Assert.True(maxAbs <= tolerance, $"max |Δ| = {maxAbs:E3} over the tolerance {tolerance:E2} (max |generated| = {scale:G4})");
    }

    /// <summary>
    /// "P key [d1, d2]" for each parameter and then "B key [...]" for each buffer of the generated module, each in
    /// registration order. (TorchSharp's state_dict lists every parameter before every buffer, PyTorch's goes module by
    /// module; the registration orders are what both share, and what a strict load compares is the set of keys.)
    /// </summary>
    private static List<string> GeneratedKeys(Type model, bool meta)
    {
        var before = get_default_device();
        if (meta) set_default_device(META);
        try
        {
            using var module = PyTorchCheckpointTests.Create(model);
            var keys = module.named_parameters().Select(p => $"P {p.name} [{string.Join(", ", p.parameter.shape)}]")
                .Concat(module.named_buffers().Select(b => $"B {b.name} [{string.Join(", ", b.buffer.shape)}]")).ToList();
            if (meta) Assert.All(module.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));
            return keys;
        }
        finally
        {
            if (meta) set_default_device(before);
        }
    }

    private static void AssertSameKeys(List<string> expected, List<string> actual, string expectedName, string actualName)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
            Assert.True(expected[i] == actual[i], $"entry {i}: {expectedName} has {expected[i]}, {actualName} has {actual[i]}");
        Assert.True(expected.Count == actual.Count, $"{expectedName} has {expected.Count} entries, {actualName} {actual.Count}");
    }

    /// <summary>
    /// Makes eval mode depend on everything a checkpoint carries: batch-norm statistics, and every tensor that starts
    /// constant (biases, norm weights, class tokens, layer scales, zero-initialised heads) made random, at a scale that
    /// keeps the outputs near the initialisation's.
    /// </summary>
    private static void Randomise(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point()) { if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) tensor.fill_(321); }
            else if (name.EndsWith("running_mean", StringComparison.Ordinal)) tensor.copy_(randn(tensor.shape) * 0.2);
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) tensor.copy_(rand(tensor.shape) * 1.5 + 0.5);
            else if (tensor.numel() > 0 && tensor.max().item<float>() == tensor.min().item<float>())
            {
                if (tensor.max().item<float>() == 1f) tensor.copy_(rand(tensor.shape) * 0.6 + 0.5);
                else tensor.copy_(randn(tensor.shape) * 0.05);
            }
        }
    }
}

/// <summary>The samples' and this test assembly's models exported once per run, with the archdsl tool as a user runs it.</summary>
public sealed class ExportedModules : IDisposable
{
    public ExportedModules()
    {
        Work = Directory.CreateTempSubdirectory("archdsl-export-").FullName;
        // The samples' export is shared with the round-trip and training tests.
        Samples = ExportedSamples.Folder;
        Tests = Path.Combine(Work, "tests");
        Export(typeof(PyTorchExportTests).Assembly.Location, Tests);
    }

    public string Work { get; }
    public string Samples { get; }
    public string Tests { get; }

    static string Root => TorchvisionFixtures.FindRepositoryRoot(AppContext.BaseDirectory);

    /// <summary>The archdsl tool of the same configuration as these tests (built through the project reference).</summary>
    internal static string Cli => Path.Combine(Root, "src", "ArchDsl.Cli", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "archdsl.dll");

    static void Export(string assembly, string folder)
    {
        var (code, stdout, stderr) = Execute("dotnet", new[] { Cli, "export", "pytorch", assembly, "--out", folder });
        ExportedSamples.CheckExit(code, stdout, stderr);
    }

    public static string Script => Path.Combine(Root, "tests", "Fixtures", "pytorch", "exported.py");

    /// <summary>Runs exported.py; returns its output, or fails with its last error line.</summary>
    public string Python(params string[] arguments)
    {
        if (PyTorch.MissingReason("/usr/bin/python3") is { } missing) throw new InvalidOperationException(missing);
        var (code, stdout, stderr) = Execute("/usr/bin/python3", new[] { Script }.Concat(arguments).ToArray());
        if (code != 0)
            throw new InvalidOperationException($"exported.py {string.Join(' ', arguments)} exited with {code}: {stderr.Trim().Split('\n').Last()}");
        return stdout.Trim();
    }

    /// <summary>
    /// Parameter and buffer counts of an exported module as PyTorch builds it, its parameters then its buffers
    /// ("P key [shape]", "B key [shape]", each in registration order), and its state_dict ("key [shape]", in order).
    /// </summary>
    public (long Parameters, long Buffers, List<string> Registered, List<string> StateDict) Describe(string folder, string model)
    {
        Dictionary<string, List<string>> all;
        lock (described)
        {
            // One Python process describes every model of a folder: starting PyTorch costs more than most models.
            if (!described.TryGetValue(folder, out all!))
            {
                var names = Directory.GetFiles(folder, "*.py").Select(p => Path.GetFileNameWithoutExtension(p)!).Where(n => char.IsUpper(n[0])).OrderBy(n => n, StringComparer.Ordinal).ToArray();
                all = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                List<string>? current = null;
                foreach (var line in Python(new[] { "describe", folder }.Concat(names).ToArray()).Split('\n').Select(l => l.TrimEnd('\r')))
                {
                    if (line.StartsWith("model ", StringComparison.Ordinal)) all[line[6..]] = current = new List<string>();
                    else if (line.Length > 0) current!.Add(line);
                }
                described[folder] = all;
            }
        }
        var lines = all[model];
        long parameters = long.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        long buffers = long.Parse(lines[1].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var entries = lines.Skip(2).Select(l => l.Split('\t'))
            // A scalar's shape is empty (the output's final tab may have been trimmed with it).
            .Select(p => (Kind: p[0], Text: $"{p[1]} [{string.Join(", ", (p.Length > 2 ? p[2] : "").Split(',', StringSplitOptions.RemoveEmptyEntries))}]")).ToList();
        var registered = entries.Where(e => e.Kind is "P" or "B").Select(e => e.Kind + " " + e.Text).ToList();
        var stateDict = entries.Where(e => e.Kind == "S").Select(e => e.Text).ToList();
        return (parameters, buffers, registered, stateDict);
    }

    readonly Dictionary<string, Dictionary<string, List<string>>> described = new(StringComparer.Ordinal);

    static (int Code, string Stdout, string Stderr) Execute(string program, string[] arguments) => PyTorch.Execute(program, arguments);

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("ARCHDSL_KEEP_TEMP") == "1") return;
        try { Directory.Delete(Work, recursive: true); }
        catch (IOException) { }
    }
}
