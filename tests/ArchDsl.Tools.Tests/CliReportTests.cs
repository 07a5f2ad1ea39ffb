using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace ArchDsl.Tools.Tests;

public class CliReportTests
{
    static readonly string Cli = Tooling.Output("src/ArchDsl.Cli", "archdsl.dll");
    static readonly string Samples = Tooling.Output("samples/ArchDsl.Samples", "ArchDsl.Samples.dll");
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    static readonly string[] ResNet50TopLevel = { "conv1", "bn1", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "flatten", "fc" };

    [Fact]
    public void Report_on_samples_writes_wellformed_svg_and_markdown_with_torchvision_totals()
    {
        using var outDir = Tooling.NewTempDir("archdsl-report");
        var r = Tooling.Run(Tooling.Root, Timeout, new[] { Cli, "report", Samples, "--out", outDir });
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal("", r.Stderr);

        var svg = XDocument.Load(Path.Combine(outDir, "ResNet50.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        foreach (var layer in ResNet50TopLevel)
            Assert.Contains(texts, t => Regex.IsMatch(t, $@"^{layer}\b"));
        Assert.Contains(texts, t => t.Contains("Bottleneck ×6"));   // layer3 collapsed with its count
        Assert.Contains(texts, t => t.StartsWith("residual"));       // skip edges drawn
        Assert.Contains(texts, t => t == "2048×7×7");                // shapes on edges
        Assert.Contains(texts, t => t.Contains("head"));             // the classifier marked

        string md = File.ReadAllText(Path.Combine(outDir, "ResNet50.md"));
        Assert.Contains("| **Total** | | 1000 | **25,557,032** |", md);
        Assert.Contains("**4,089,184,256**", md);
        Assert.Contains("- MACs (batch 1): 4,089,184,256 (4.089 G)", md);   // torchvision's 4.09 GMACs, as the summaries write it
        foreach (var layer in ResNet50TopLevel)
            Assert.Contains($"| `{layer}` |", md);

        // Every model in the assembly gets both files; ViT names its top-level layers too.
        var vit = XDocument.Load(Path.Combine(outDir, "VitB16.svg"));
        var vitTexts = vit.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        foreach (var layer in new[] { "conv_proj", "patches", "class_token", "encoder", "cls", "heads" })
            Assert.Contains(vitTexts, t => Regex.IsMatch(t, $@"^{layer}\b"));
        Assert.Contains(vitTexts, t => t.Contains("VitEncoderLayer ×12"));
        string vitMd = File.ReadAllText(Path.Combine(outDir, "VitB16.md"));
        Assert.Contains("**86,567,656**", vitMd);
        Assert.Contains("| `heads` | VitHead (head: Classification) |", vitMd);    // the member marked [Head]
        Assert.DoesNotContain("(head", File.ReadAllText(Path.Combine(outDir, "ResNet50.md")));  // none marked
        Assert.True(File.Exists(Path.Combine(outDir, "ResNet18.svg")));
    }

    [Fact]
    public void Report_on_a_project_builds_it_and_reads_its_models()
    {
        using var outDir = Tooling.NewTempDir("archdsl-report-proj");
        string project = Path.Combine(Tooling.Root, "samples/ArchDsl.Samples/ArchDsl.Samples.csproj");
        var r = Tooling.Run(Tooling.Root, TimeSpan.FromMinutes(3), new[] { Cli, "report", project, "--out", outDir });
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("**25,557,032**", File.ReadAllText(Path.Combine(outDir, "ResNet50.md")));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("no-models")]
    [InlineData("corrupt")]
    [InlineData("not-a-pe")]
    public void Bad_input_gives_one_line_on_stderr_and_nonzero_exit(string kind)
    {
        using var dir = Tooling.NewTempDir("archdsl-bad");
        string path = kind switch
        {
            "missing" => Path.Combine(dir, "nothing-here.dll"),
            "no-models" => Cli, // a real assembly without ArchitectureJson constants
            "corrupt" => Corrupt(dir),
            _ => Text(dir),
        };
        var r = Tooling.Run(dir, Timeout, new[] { Cli, "report", path, "--out", Path.Combine(dir, "out") });
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("archdsl: error:", lines[0]);
        Assert.DoesNotContain("   at ", r.All);
    }

    static string Corrupt(string dir)
    {
        // A real assembly, truncated in the middle of its metadata.
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
}
