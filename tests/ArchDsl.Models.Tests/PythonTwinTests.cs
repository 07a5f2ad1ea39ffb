using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ArchDsl.Checkpoints;
using ArchDsl.Layers;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// Every runtime module of ArchDsl.Layers against its PyTorch twin in src/ArchDsl.Cli/Python/archdsl_layers.py (what
/// <c>archdsl export pytorch</c> builds models from), run by Debian's PyTorch through tests/Fixtures/pytorch/twins.py:
/// the C# module is built with random weights and saved with SaveCheckpoint; the twin, built in Python with the same
/// arguments, has the same class name, state_dict keys, shapes and order, loads the file strictly and gives the same
/// eval outputs on the same inputs within 1e-5.
/// </summary>
public class PythonTwinTests(PythonTwinRuns runs, ITestOutputHelper output) : IClassFixture<PythonTwinRuns>
{
    /// <summary>Every case by name.</summary>
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in TwinCases.All) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_twin_has_the_same_keys_and_gives_the_same_eval_output(string name)
    {
        var result = runs.Results.Value[name];
        Assert.True(result.Error is null, $"{name}: the Python twin failed:\n{result.Error}");

        string[] lines = File.ReadAllLines(result.KeysFile);
        Assert.Equal(result.Case.Type.Name, lines[0]);
        var pythonKeys = lines.Skip(1).ToList();
        Assert.Equal(result.Keys, pythonKeys);

        if (result.Expected.Length == 0) return;
        var actual = File.ReadAllBytes(result.OutputFile);
        var fromPython = new float[actual.Length / sizeof(float)];
        Buffer.BlockCopy(actual, 0, fromPython, 0, actual.Length);
        Assert.Equal(result.Expected.Length, fromPython.Length);
        double maxAbs = result.Expected.Zip(fromPython, (a, b) => Math.Abs((double)a - b)).Max();
        double scale = result.Expected.Max(v => Math.Abs((double)v));
        output.WriteLine($"{name}: {result.Keys.Count} keys, {fromPython.Length} outputs, max |C#| = {scale:G4}, max |Δ| = {maxAbs:E3}");
        Assert.True(scale > 1e-3, "the output is all but zero: the comparison would prove nothing");
        Assert.True(maxAbs <= 1e-5, $"max |Δ| = {maxAbs:E3}");
    }

    [Fact]
    public void Every_runtime_module_has_a_twin_taking_the_same_arguments_and_a_parity_case()
    {
        var runtime = typeof(SelfAttention).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "ArchDsl.Layers" && !t.IsAbstract && typeof(nn.Module).IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        Assert.True(runtime.Count >= 18, $"only {runtime.Count} runtime modules found");
        var signatures = runs.Signatures.Value;
        var covered = TwinCases.All.Select(c => c.Type).ToHashSet();
        foreach (var type in runtime)
        {
            Assert.True(covered.Contains(type), $"{type.Name} has no parity case in TwinCases");
            Assert.True(signatures.ContainsKey(type.Name), $"archdsl_layers.py has no twin of {type.Name}");
            var constructor = Assert.Single(type.GetConstructors());
            var expected = constructor.GetParameters().Select(p => SnakeCase(p.Name!)).Concat(new[] { "device", "dtype" }).ToList();
            Assert.Equal(expected, signatures[type.Name]);
        }
        output.WriteLine(string.Join(", ", runtime.Select(t => t.Name)));
    }

    [Fact]
    public void The_twins_build_on_the_meta_device_without_memory()
    {
        // A 7B-parameter-sized layer stack: on "meta" nothing is allocated, so this takes no memory and no time.
        string script = """
            import sys, torch
            sys.path.insert(0, sys.argv[1])
            import archdsl_layers as L
            from torch import nn
            layers = nn.ModuleList()
            for _ in range(32):
                layers.append(L.CausalSelfAttention(4096, 32, 8, bias=False, rotary=True, device="meta"))
                layers.append(L.SwiGlu(4096, 14336, device="meta"))
                layers.append(L.RmsNorm(4096, device="meta"))
            layers.append(L.MixtureOfExperts(4096, 8, 2, 14336, device="meta"))
            layers.append(L.ShiftedWindowAttention(1024, 32, 7, 3, device="meta"))
            layers.append(L.RepVgg(512, 512, device="meta"))
            layers.append(L.SelfAttention(4096, 32, device="meta", dtype=torch.bfloat16))
            devices = {t.device.type for t in layers.state_dict().values()}
            dtypes = {t.dtype for t in layers[-1].state_dict().values()}
            print(sum(p.numel() for p in layers.parameters()), ",".join(sorted(devices)), dtypes == {torch.bfloat16})
            """;
        string text = PythonTwinRuns.Python(new[] { "-c", script, PythonTwinRuns.LayersFolder });
        output.WriteLine(text);
        // Per layer: attention 4096·4096·2 + 4096·1024·2, SwiGLU 3·4096·14336, RMSNorm 4096; then the extra layers.
        long perLayer = 2L * 4096 * 4096 + 2L * 4096 * 1024 + 3L * 4096 * 14336 + 4096;
        long moe = 4096L * 8 + 8L * 3 * 4096 * 14336;
        long swin = 13L * 13 * 32 + 1024L * 3072 + 3072 + 1024L * 1024 + 1024;
        long repvgg = 512L * 512 * 9 + 2 * 512 + 512L * 512 + 2 * 512 + 2 * 512;
        long attention = 3L * 4096 * 4096 + 3 * 4096 + 4096L * 4096 + 4096;
        long expected = 32 * perLayer + moe + swin + repvgg + attention;
        Assert.Equal($"{expected} meta True", text.Trim());
    }

    /// <summary>A tiny language model of runtime layers, the same in both engines, its embedding tied to its head.</summary>
    private const string TinyLanguageModelPy = """
        import sys
        from collections import OrderedDict
        import numpy as np
        import torch
        from torch import nn
        sys.path.insert(0, sys.argv[1])
        from archdsl_layers import CausalSelfAttention, LearnedPositions, RmsNorm, SwiGlu, TiedHead, generate
        checkpoint, prompt_file, out_file = sys.argv[2:]
        embedding = nn.Embedding(23, 16)
        model = nn.Sequential(OrderedDict(wte=embedding, wpe=LearnedPositions(32, 16), attn=CausalSelfAttention(16, 4, 2, packed=True),
                                          mlp=SwiGlu(16, 24), norm=RmsNorm(16), head=TiedHead(embedding)))
        model.load_state_dict(torch.load(checkpoint), strict=True)
        model.eval()
        prompt = torch.from_numpy(np.fromfile(prompt_file, dtype=np.int64).reshape(2, 5))
        cached = generate(model, prompt, 6)
        recomputed = generate(model, prompt, 6, use_cache=False)
        torch.cat([cached, recomputed]).numpy().astype(np.int64).tofile(out_file)
        """;

    [Fact]
    public void Greedy_generation_gives_the_same_tokens_as_the_Python_generate_with_and_without_the_cache()
    {
        string folder = Directory.CreateTempSubdirectory("archdsl-generate-").FullName;
        try
        {
            using var scope = NewDisposeScope();
            manual_seed(5);
            var embedding = nn.Embedding(23, 16);
            using var model = nn.Sequential(("wte", embedding), ("wpe", new LearnedPositions(32, 16)), ("attn", new CausalSelfAttention(16, 4, 2, packed: true)),
                ("mlp", new SwiGlu(16, 24)), ("norm", new RmsNorm(16)), ("head", new TiedHead(embedding)));
            PythonTwinRuns.Randomise(model);
            model.eval();
            string checkpoint = Path.Combine(folder, "lm.pt"), promptFile = Path.Combine(folder, "prompt.i64"), outFile = Path.Combine(folder, "tokens.i64");
            model.SaveCheckpoint(checkpoint);
            var prompt = randint(0, 23, new long[] { 2, 5 });
            File.WriteAllBytes(promptFile, prompt.data<long>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
            var generated = Generation.Generate(model, prompt, 6).data<long>().ToArray();
            Assert.Equal(generated, Generation.Generate(model, prompt, 6, useCache: false).data<long>().ToArray());

            PythonTwinRuns.Python(new[] { "-c", TinyLanguageModelPy, PythonTwinRuns.LayersFolder, checkpoint, promptFile, outFile });
            var bytes = File.ReadAllBytes(outFile);
            var fromPython = Enumerable.Range(0, bytes.Length / 8).Select(i => BitConverter.ToInt64(bytes, 8 * i)).ToArray();
            output.WriteLine($"C#: {string.Join(" ", generated)}");
            output.WriteLine($"Python (cached, then recomputed): {string.Join(" ", fromPython)}");
            Assert.Equal(2 * 2 * 11, fromPython.Length);
            Assert.Equal(generated, fromPython[..22]);
            Assert.Equal(generated, fromPython[22..]);
            // Each row keeps its 5 prompt tokens and 6 follow: more than one distinct new token, or the test proves little.
            Assert.True(generated.Where((_, i) => i % 11 >= 5).Distinct().Count() > 1, "greedy generation repeats one token");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static string SnakeCase(string name)
    {
        var result = new StringBuilder();
        foreach (char c in name)
        {
            if (char.IsUpper(c) && result.Length > 0) result.Append('_');
            result.Append(char.ToLowerInvariant(c));
        }
        return result.ToString();
    }
}

/// <summary>One runtime module, built in C# and, as Python source, from archdsl_layers.</summary>
/// <param name="Name">Unique name of the case.</param>
/// <param name="Type">The runtime class under test.</param>
/// <param name="Build">Builds the C# module and, where the module uses one it does not own (TiedHead's embedding), that
/// companion module, whose checkpoint the Python code reads from <c>companion</c>.</param>
/// <param name="Python">Python statements that set <c>module</c> (archdsl_layers' names, torch and nn in scope).</param>
/// <param name="Inputs">Shapes of the float inputs, fed one after the other (more than one: with the cache on).</param>
/// <param name="After">Applied to the C# module after saving its checkpoint and before running it, with the same
/// Python statements run after loading (RepVgg's folding).</param>
/// <param name="PythonAfter">Those Python statements.</param>
public sealed record TwinCase(string Name, Type Type, Func<(nn.Module Module, nn.Module? Companion)> Build, string Python, long[][] Inputs,
    Action<nn.Module>? After = null, string? PythonAfter = null);

/// <summary>The parity cases: each runtime class with its default and non-default arguments.</summary>
public static class TwinCases
{
    private static TwinCase Case(string name, Func<nn.Module> build, string python, params long[][] inputs) =>
        new(name, build().GetType(), () => (build(), null), python, inputs);

    private static long[] S(params long[] shape) => shape;

    /// <summary>All cases.</summary>
    public static IReadOnlyList<TwinCase> All { get; } = new List<TwinCase>
    {
        Case("Permute", () => new Permute(0, 2, 3, 1), "module = Permute(0, 2, 3, 1)", S(2, 3, 4, 5)),
        Case("LayerNorm2d", () => new LayerNorm2d(6, eps: 1e-6), "module = LayerNorm2d(6, eps=1e-6)", S(2, 6, 4, 5)),
        Case("StochasticDepth", () => new StochasticDepth(0.3), "module = StochasticDepth(0.3, row=True)", S(2, 3, 4)),
        Case("SqueezeExcitation", () => new SqueezeExcitation(8, 2, nn.ReLU(), nn.Sigmoid()),
            "module = SqueezeExcitation(8, 2, nn.ReLU(), nn.Sigmoid())", S(2, 8, 5, 5)),
        Case("SqueezeExcitation.hard", () => new SqueezeExcitation(8, 4, nn.SiLU(), nn.Hardsigmoid()),
            "module = SqueezeExcitation(8, 4, activation=nn.SiLU(), gate=nn.Hardsigmoid())", S(2, 8, 3, 3)),
        Case("Container", () =>
            {
                var container = new Container();
                Container.RegisterEach(container, nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)), i => $"block1-{i}");
                return container;
            },
            "module = Container()\nContainer.register_each(module, nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)), lambda i: f'block1-{i}')"),
        Case("Tokens", () => new Tokens(), "module = Tokens()", S(2, 6, 3, 4)),
        Case("SelectToken", () => new SelectToken(), "module = SelectToken()", S(2, 5, 6)),
        Case("SelectToken.2", () => new SelectToken(2), "module = SelectToken(index=2)", S(2, 5, 6)),
        Case("SelfAttention", () => new SelfAttention(16, 4), "module = SelfAttention(16, 4)", S(2, 7, 16)),
        Case("SelfAttention.nobias", () => new SelfAttention(16, 2, dropout: 0.1, bias: false),
            "module = SelfAttention(16, 2, dropout=0.1, bias=False)", S(2, 5, 16)),
        Case("LearnedPositions", () => new LearnedPositions(12, 8), "module = LearnedPositions(12, 8)", S(2, 5, 8)),
        Case("LearnedPositions.cached", () => new LearnedPositions(12, 8), "module = LearnedPositions(context=12, width=8)",
            S(2, 3, 8), S(2, 2, 8), S(2, 1, 8)),
        Case("RmsNorm", () => new RmsNorm(8, eps: 1e-5), "module = RmsNorm(8, eps=1e-5)", S(2, 5, 8)),
        Case("CausalSelfAttention.gpt2", () => new CausalSelfAttention(16, 4, 4, packed: true),
            "module = CausalSelfAttention(16, 4, 4, packed=True)", S(2, 6, 16)),
        Case("CausalSelfAttention.llama", () => new CausalSelfAttention(16, 4, 2, bias: false, rotary: true, theta: 500.0),
            "module = CausalSelfAttention(16, 4, 2, bias=False, rotary=True, theta=500.0)", S(2, 6, 16)),
        Case("CausalSelfAttention.outbias", () => new CausalSelfAttention(16, 4, 1, bias: false, outBias: true, dropout: 0.1),
            "module = CausalSelfAttention(16, 4, 1, bias=False, out_bias=True, dropout=0.1)", S(2, 5, 16)),
        Case("CausalSelfAttention.packed_gqa", () => new CausalSelfAttention(16, 4, 2, bias: true, outBias: false, packed: true, rotary: true),
            "module = CausalSelfAttention(16, 4, 2, bias=True, out_bias=False, packed=True, rotary=True)", S(1, 4, 16)),
        // Cached: 4 tokens, then 3 more (a shifted causal mask), then one (it sees every cached key).
        Case("CausalSelfAttention.cached", () => new CausalSelfAttention(16, 4, 2, bias: false, rotary: true),
            "module = CausalSelfAttention(16, 4, 2, bias=False, rotary=True)", S(2, 4, 16), S(2, 3, 16), S(2, 1, 16)),
        Case("SwiGlu", () => new SwiGlu(8, 12), "module = SwiGlu(8, 12)", S(2, 5, 8)),
        Case("SwiGlu.bias", () => new SwiGlu(8, 12, bias: true), "module = SwiGlu(8, 12, bias=True)", S(2, 5, 8)),
        Case("Expert", () => new Expert(8, 12), "module = Expert(8, 12)", S(2, 5, 8)),
        Case("MixtureOfExperts", () => new MixtureOfExperts(8, 4, 2, 12), "module = MixtureOfExperts(8, 4, 2, 12)", S(2, 5, 8)),
        Case("MixtureOfExperts.shared", () => new MixtureOfExperts(8, 4, 2, 6, renormalize: false, shared: 2),
            "module = MixtureOfExperts(8, 4, top_k=2, hidden=6, renormalize=False, shared=2)", S(3, 4, 8)),
        new("TiedHead", typeof(TiedHead), () => { var embedding = nn.Embedding(11, 8); return (new TiedHead(embedding), embedding); },
            "embedding = nn.Embedding(11, 8)\nembedding.load_state_dict(load(companion))\nmodule = TiedHead(embedding)", new[] { S(2, 5, 8) }),
        Case("ShiftedWindowAttention", () => new ShiftedWindowAttention(8, 2, 3, 0), "module = ShiftedWindowAttention(8, 2, 3, 0)", S(2, 6, 6, 8)),
        Case("ShiftedWindowAttention.shifted", () => new ShiftedWindowAttention(8, 2, 3, 1), "module = ShiftedWindowAttention(8, 2, 3, 1)", S(2, 6, 6, 8)),
        // Sides the window does not divide are padded; a side one window covers drops the shift.
        Case("ShiftedWindowAttention.padded", () => new ShiftedWindowAttention(8, 4, 4, 2, dropout: 0.1, attentionDropout: 0.1),
            "module = ShiftedWindowAttention(8, 4, 4, 2, dropout=0.1, attention_dropout=0.1)", S(1, 5, 7, 8)),
        Case("ShiftedWindowAttention.one_window", () => new ShiftedWindowAttention(8, 2, 4, 2),
            "module = ShiftedWindowAttention(8, 2, 4, 2)", S(1, 3, 6, 8)),
        Case("PatchMerging", () => new PatchMerging(4), "module = PatchMerging(4)", S(2, 6, 6, 4)),
        Case("PatchMerging.odd", () => new PatchMerging(4, eps: 1e-6), "module = PatchMerging(4, eps=1e-6)", S(1, 5, 7, 4)),
        Case("RepVgg", () => new RepVgg(4, 4), "module = RepVgg(4, 4)", S(2, 4, 6, 6)),
        Case("RepVgg.stride", () => new RepVgg(4, 8, 2), "module = RepVgg(4, 8, stride=2)", S(2, 4, 7, 7)),
        Case("ExitHead", () => new ExitHead(8, 5, true), "module = ExitHead(8, 5, True)", S(2, 8, 3, 3)),
        Case("ExitHead.vector", () => new ExitHead(8, 5, pool: false), "module = ExitHead(8, 5, pool=False)", S(2, 8)),
        Case("SlimmableConv2d", () => new SlimmableConv2d(4, 8, 3, new long[] { 2, 4 }, new long[] { 4, 8 }, padding: 1),
            "module = SlimmableConv2d(4, 8, 3, [2, 4], [4, 8], padding=1)", S(2, 4, 6, 6)),
        new("SlimmableConv2d.narrow", typeof(SlimmableConv2d), () => (new SlimmableConv2d(4, 8, 3, new long[] { 2, 4 }, new long[] { 4, 8 }, stride: 2, bias: false), null),
            "module = SlimmableConv2d(4, 8, 3, in_per_width=[2, 4], out_per_width=[4, 8], stride=2, bias=False)", new[] { S(2, 2, 7, 7) },
            m => ((SlimmableConv2d)m).WidthIndex = 0, "module.width_index = 0"),
        new("SlimmableConv2d.depthwise", typeof(SlimmableConv2d), () => (new SlimmableConv2d(8, 8, 3, new long[] { 4, 8 }, new long[] { 4, 8 }, padding: 1, groups: 8), null),
            "module = SlimmableConv2d(8, 8, 3, [4, 8], [4, 8], padding=1, groups=8)", new[] { S(1, 4, 5, 5) },
            m => ((SlimmableConv2d)m).WidthIndex = 0, "module.width_index = 0"),
        new("SlimmableLinear.narrow", typeof(SlimmableLinear), () => (new SlimmableLinear(6, 10, new long[] { 3, 6 }, new long[] { 5, 10 }), null),
            "module = SlimmableLinear(6, 10, [3, 6], [5, 10])", new[] { S(2, 3) },
            m => ((SlimmableLinear)m).WidthIndex = 0, "module.width_index = 0"),
        Case("SlimmableLinear", () => new SlimmableLinear(6, 10, new long[] { 3, 6 }, new long[] { 5, 10 }, hasBias: false),
            "module = SlimmableLinear(6, 10, [3, 6], [5, 10], has_bias=False)", S(2, 6)),
        Case("SwitchableBatchNorm2d", () => new SwitchableBatchNorm2d(new long[] { 4, 8 }, eps: 1e-3), "module = SwitchableBatchNorm2d([4, 8], eps=1e-3)", S(2, 8, 3, 3)),
        new("SwitchableBatchNorm2d.narrow", typeof(SwitchableBatchNorm2d), () => (new SwitchableBatchNorm2d(new long[] { 4, 8 }), null),
            "module = SwitchableBatchNorm2d([4, 8])", new[] { S(2, 4, 3, 3) },
            m => ((SwitchableBatchNorm2d)m).WidthIndex = 0, "module.width_index = 0"),
        // Folded in each language from the same training-form weights.
        new("RepVgg.folded", typeof(RepVgg), () => (new RepVgg(4, 4), null), "module = RepVgg(in_channels=4, out_channels=4)",
            new[] { S(2, 4, 6, 6) }, m => ((RepVgg)m).ToDeployForm(), "module.to_deploy_form()"),
    };
}

/// <summary>The result of one case: what C# computed and where Python wrote its side.</summary>
public sealed record TwinResult(TwinCase Case, List<string> Keys, float[] Expected, string KeysFile, string OutputFile, string? Error);

/// <summary>Builds every case in C#, writes checkpoints and inputs to a temporary folder, and runs twins.py once.</summary>
public sealed class PythonTwinRuns : IDisposable
{
    private const string PythonPath = "/usr/bin/python3";

    /// <summary>Creates the (empty) folder.</summary>
    public PythonTwinRuns()
    {
        Folder = Directory.CreateTempSubdirectory("archdsl-twins-").FullName;
        Results = new Lazy<Dictionary<string, TwinResult>>(RunAll);
        Signatures = new Lazy<Dictionary<string, List<string>>>(() =>
        {
            string path = Path.Combine(Folder, "signatures.json");
            Python(new[] { Script, "signatures", LayersFolder, path });
            return JsonSerializer.Deserialize<Dictionary<string, List<string>>>(File.ReadAllText(path))!;
        });
    }

    /// <summary>The temporary folder.</summary>
    public string Folder { get; }

    /// <summary>Each case's result, by name.</summary>
    public Lazy<Dictionary<string, TwinResult>> Results { get; }

    /// <summary>The twins' constructor parameters (self left out), by class name.</summary>
    public Lazy<Dictionary<string, List<string>>> Signatures { get; }

    /// <summary>src/ArchDsl.Cli/Python, where archdsl_layers.py and train.py live.</summary>
    public static string LayersFolder => Path.Combine(TorchvisionFixtures.FindRepositoryRoot(AppContext.BaseDirectory), "src", "ArchDsl.Cli", "Python");

    private static string Script => Path.Combine(TorchvisionFixtures.FindRepositoryRoot(AppContext.BaseDirectory), "tests", "Fixtures", "pytorch", "twins.py");

    private Dictionary<string, TwinResult> RunAll()
    {
        var results = new Dictionary<string, TwinResult>(StringComparer.Ordinal);
        var caseFiles = new List<string>();
        foreach (var c in TwinCases.All)
        {
            using var scope = NewDisposeScope();
            manual_seed(11);
            var (module, companion) = c.Build();
            Randomise(module);
            string id = c.Name;
            module.SaveCheckpoint(Path.Combine(Folder, $"{id}.pt"));
            if (companion is not null)
            {
                Randomise(companion);
                companion.SaveCheckpoint(Path.Combine(Folder, $"{id}.companion.pt"));
            }
            // TorchSharp lists all parameters before all buffers, PyTorch module by module: each kind in its order.
            var keys = module.named_parameters().Select(p => Line("parameter", p.name, p.parameter))
                .Concat(module.named_buffers().Select(b => Line("buffer", b.name, b.buffer))).ToList();
            Assert.Equal(module.state_dict().Keys.Order(StringComparer.Ordinal), keys.Select(k => k.Split('\t')[1]).Order(StringComparer.Ordinal));
            c.After?.Invoke(module);
            module.eval();
            if (module is IKvCache cache) cache.ResetCache(c.Inputs.Length > 1);
            var expected = new List<float>();
            var inputs = new List<object>();
            for (int i = 0; i < c.Inputs.Length; i++)
            {
                var input = randn(c.Inputs[i]);
                string file = $"{id}.in{i}.f32";
                File.WriteAllBytes(Path.Combine(Folder, file), Bytes(input));
                inputs.Add(new { file, shape = c.Inputs[i] });
                using var noGrad = no_grad();
                expected.AddRange(((nn.Module<Tensor, Tensor>)module).call(input).contiguous().data<float>().ToArray());
            }
            var json = new Dictionary<string, object?>
            {
                ["build"] = c.Python,
                ["after"] = c.PythonAfter,
                ["checkpoint"] = $"{id}.pt",
                ["companion"] = companion is null ? null : $"{id}.companion.pt",
                ["inputs"] = inputs,
                ["cache"] = c.Inputs.Length > 1,
                ["keys"] = $"{id}.keys.txt",
                ["output"] = $"{id}.out.f32",
                ["error"] = $"{id}.error.txt",
            };
            string caseFile = Path.Combine(Folder, $"{id}.json");
            File.WriteAllText(caseFile, JsonSerializer.Serialize(json));
            caseFiles.Add(caseFile);
            results[id] = new TwinResult(c, keys, expected.ToArray(), Path.Combine(Folder, $"{id}.keys.txt"), Path.Combine(Folder, $"{id}.out.f32"), null);
            module.Dispose();
        }
        Python(new[] { Script, "run", LayersFolder }.Concat(caseFiles).ToArray());
        foreach (var (id, result) in results.ToList())
        {
            string error = Path.Combine(Folder, $"{id}.error.txt");
            if (File.Exists(error)) results[id] = result with { Error = File.ReadAllText(error) };
        }
        return results;
    }

    /// <summary>
    /// Moves every float parameter and buffer away from its initial value (biases and norms' zeros and ones would
    /// hide a swapped or ignored weight); running variances stay positive; index buffers keep their values.
    /// </summary>
    internal static void Randomise(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point()) continue;
            if (name.EndsWith("running_var", StringComparison.Ordinal)) tensor.copy_(rand(tensor.shape) + 0.5);
            else tensor.add_(randn(tensor.shape) * 0.2);
        }
    }

    private static string Line(string kind, string name, Tensor tensor) => $"{kind}\t{name}\t[{string.Join(", ", tensor.shape)}]";

    private static byte[] Bytes(Tensor values)
    {
        var floats = values.contiguous().data<float>().ToArray();
        var bytes = new byte[floats.Length * sizeof(float)];
        Buffer.BlockCopy(floats, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>Runs Debian's Python with PyTorch; fails with one line saying what to install when it has none.</summary>
    internal static string Python(string[] arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        if (PyTorch.MissingReason(PythonPath) is { } missing) throw new InvalidOperationException(missing);
        return Run(PythonPath, arguments, workingDirectory, environment);
    }

    /// <summary>Runs a program; returns its standard output, or fails with its exit code and standard error.</summary>
    internal static string Run(string program, string[] arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var (code, stdout, stderr) = Execute(program, arguments, workingDirectory, environment);
        if (code != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments.Take(2))} exited with {code}:\n{stdout}\n{stderr}");
        return stdout;
    }

    /// <summary>Runs a program to its end: exit code, standard output, standard error.</summary>
    internal static (int Code, string Stdout, string Stderr) Execute(string program, string[] arguments, string? workingDirectory = null,
        IDictionary<string, string>? environment = null) => PyTorch.Execute(program, arguments, workingDirectory, environment);

    /// <inheritdoc/>
    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
    }
}
