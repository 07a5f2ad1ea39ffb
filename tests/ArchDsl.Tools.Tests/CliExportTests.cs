using System;
using System.IO;
using System.Linq;
using Xunit;

namespace ArchDsl.Tools.Tests;

/// <summary>
/// archdsl export pytorch as a user runs it: the files it writes, and one-line errors with a non-zero exit on bad
/// input. (What PyTorch makes of the modules is tested in ArchDsl.Models.Tests' PyTorchExportTests.)
/// </summary>
public class CliExportTests
{
    static readonly string Cli = Tooling.Output("src/ArchDsl.Cli", "archdsl.dll");
    static readonly string Samples = Tooling.Output("samples/ArchDsl.Samples", "ArchDsl.Samples.dll");
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Export_writes_one_module_per_model_and_the_runtime_twins_deterministically()
    {
        using var first = Tooling.NewTempDir("archdsl-export");
        using var second = Tooling.NewTempDir("archdsl-export");
        foreach (var dir in new[] { first, second })
        {
            var r = Tooling.Run(Tooling.Root, Timeout, new[] { Cli, "export", "pytorch", Samples, "--out", dir });
            // Every sample is written, those with tasks, early exits and slimmable widths too.
            Assert.True(r.ExitCode == 0, r.All);
            Assert.Equal("", r.Stderr.Trim());
            Assert.Contains("ArchDsl.Samples.ResNet50: 25,557,032 parameters", r.Stdout);
            foreach (var model in new[] { "IptSmall", "EarlyExitNet", "SlimmableMobileNet" })
                Assert.True(File.Exists(Path.Combine(dir, model + ".py")), model);
        }
        // The forms' forwards and counts. EarlyExitNet's exit 0 after stage1, by hand: stem 3·16·9 + 16 = 448,
        // stage1 16·16·9 + 16 = 2,320, the exit's fc 16·10 + 10 = 170.
        string ipt = File.ReadAllText(Path.Combine(first, "IptSmall.py"));
        Assert.Contains("class Task(enum.IntEnum):", ipt);
        Assert.Contains("def forward(self, x, task=None):", ipt);
        string exits = File.ReadAllText(Path.Combine(first, "EarlyExitNet.py"));
        Assert.Contains("def forward_exits(self, x):", exits);
        Assert.Contains("def forward(self, x, threshold=None, mode=\"per_batch\"):", exits);
        Assert.Contains($"EXIT_PARAMETER_COUNTS = ({448 + 2320 + 170}, ", exits);
        string slim = File.ReadAllText(Path.Combine(first, "SlimmableMobileNet.py"));
        Assert.Contains("WIDTHS = (0.25, 0.5, 0.75, 1.0)", slim);
        Assert.Contains("def set_width(self, width):", slim);
        string resnet = File.ReadAllText(Path.Combine(first, "ResNet50.py"));
        // torchvision's resnet50 stem and its published 25,557,032 parameters, written as hand-written PyTorch.
        Assert.Contains("class ResNet50(nn.Module):", resnet);
        Assert.Contains("class Bottleneck(nn.Module):", resnet);
        Assert.Contains("self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False, **factory_kwargs)", resnet);
        Assert.Contains("PARAMETER_COUNT = 25557032", resnet);
        Assert.Contains("25,557,032", resnet.Split("class ")[0]);   // the module docstring
        Assert.True(File.Exists(Path.Combine(first, "archdsl_layers.py")));
        Assert.Contains("class SelfAttention(nn.Module):", File.ReadAllText(Path.Combine(first, "archdsl_layers.py")));
        Assert.Contains("torchrun", File.ReadAllText(Path.Combine(first, "train.py")));

        var names = Directory.GetFiles(first).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(names, Directory.GetFiles(second).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList());
        foreach (var name in names)
            Assert.True(File.ReadAllText(Path.Combine(first, name!)) == File.ReadAllText(Path.Combine(second, name!)), $"{name} differs between two exports");
    }

    [Fact]
    public void Export_of_a_project_builds_it_first()
    {
        using var dir = Tooling.NewTempDir("archdsl-export-proj");
        string project = Path.Combine(Tooling.Root, "samples/Quickstart/Quickstart.csproj");
        var r = Tooling.Run(Tooling.Root, TimeSpan.FromMinutes(3), new[] { Cli, "export", "pytorch", project, "--out", dir });
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("class SmallCnn(nn.Module):", File.ReadAllText(Path.Combine(dir, "SmallCnn.py")));
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("no-models", "contains no ArchDsl models")]
    [InlineData("corrupt", "not a valid .NET assembly")]
    [InlineData("not-a-pe", "not a valid .NET assembly")]
    [InlineData("no-pdb", "has no portable PDB")]
    [InlineData("unwritable", "cannot write to")]
    [InlineData("unknown-target", "unknown export target 'onnx'")]
    public void Bad_input_gives_one_line_on_stderr_and_nonzero_exit(string kind, string fragment)
    {
        using var dir = Tooling.NewTempDir("archdsl-export-bad");
        string outDir = Path.Combine(dir, "out");
        string path = kind switch
        {
            "missing" => Path.Combine(dir, "nothing-here.dll"),
            "no-models" => Cli, // a real assembly, with its PDB and sources, without [Model] classes
            "corrupt" => Corrupt(dir),
            "not-a-pe" => Text(dir),
            "no-pdb" => WithoutPdb(dir),
            _ => Samples,
        };
        if (kind == "unwritable")
        {
            // A folder inside a file cannot be made, whoever runs the test (root included).
            string file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "");
            outDir = Path.Combine(file, "out");
        }
        var args = kind == "unknown-target"
            ? new[] { Cli, "export", "onnx", path, "--out", outDir }
            : new[] { Cli, "export", "pytorch", path, "--out", outDir };
        var r = Tooling.Run(dir, Timeout, args);
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("archdsl: error:", lines[0]);
        Assert.Contains(fragment, lines[0]);
        Assert.DoesNotContain("   at ", r.All);
        if (kind != "unwritable") Assert.False(Directory.Exists(outDir), "nothing is written when the input is bad");
    }

    [Fact]
    public void A_recipe_the_export_cannot_write_is_an_error_naming_the_kind_and_the_model()
    {
        var unknownFactory = Assert.Throws<ArchDsl.Cli.CliException>(() =>
            ArchDsl.Cli.Export.PyTorchExporter.RenderRecipe(ArchDsl.Core.Layers.ModuleRecipe.Nn("Bilinear"), "Fancy", "MyNet"));
        Assert.Equal("layer kind 'Fancy' (layer in MyNet) creates TorchSharp's nn.Bilinear, which the PyTorch export has no mapping for", unknownFactory.Message);

        var unknownSymbol = Assert.Throws<ArchDsl.Cli.CliException>(() => ArchDsl.Cli.Export.PyTorchExporter.RenderRecipe(
            ArchDsl.Core.Layers.ModuleRecipe.Nn("Upsample").Add(ArchDsl.Core.Layers.RecipeArg.OfSymbol("TorchSharp.torch.PaddingModes.Reflect", "mode")), "Upsample", "MyNet"));
        Assert.Contains("layer kind 'Upsample' (layer in MyNet) passes TorchSharp's TorchSharp.torch.PaddingModes.Reflect", unknownSymbol.Message);

        // And what it can write, it writes as torch.nn spells it (TorchSharp's hasBias is PyTorch's bias).
        var linear = ArchDsl.Core.Layers.ModuleRecipe.Nn("Linear").Add(ArchDsl.Core.Shapes.Dim.Of(8)).Add(ArchDsl.Core.Shapes.Dim.Of(4))
            .AddUnless("hasBias", false, true);
        Assert.Equal("nn.Linear(8, 4, bias=False, **factory_kwargs)", ArchDsl.Cli.Export.PyTorchExporter.RenderRecipe(linear, "Linear", "MyNet"));
    }

    static string Corrupt(string dir)
    {
        byte[] bytes = File.ReadAllBytes(Samples);
        string path = Path.Combine(dir, "corrupt.dll");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        return path;
    }

    static string Text(string dir)
    {
        string path = Path.Combine(dir, "notes.dll");
        File.WriteAllText(path, "this is not an assembly\n");
        return path;
    }

    static string WithoutPdb(string dir)
    {
        string path = Path.Combine(dir, "ArchDsl.Samples.dll");
        File.Copy(Samples, path);
        return path;
    }
}
