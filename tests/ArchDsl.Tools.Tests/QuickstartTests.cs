using System;
using System.IO;
using System.Text.Json;
using Xunit;

namespace ArchDsl.Tools.Tests;

public class QuickstartTests
{
    [Fact]
    public void Short_run_learns_well_above_chance_and_writes_a_png()
    {
        using var outDir = Tooling.NewTempDir("archdsl-quickstart");
        string dll = Tooling.Output("samples/Quickstart", "Quickstart.dll");
        var r = Tooling.Run(outDir, TimeSpan.FromMinutes(2), new[] { dll, "--epochs", "2", "--out", outDir });
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("Trainable parameters", r.Stdout);   // the generated summary was printed
        Assert.Contains("Device: ", r.Stdout);                 // says CPU or CUDA

        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        double accuracy = result.RootElement.GetProperty("accuracy").GetDouble();
        Assert.True(accuracy >= 0.5, $"accuracy {accuracy} is not at least 2× chance (0.25)");
        Assert.True(result.RootElement.GetProperty("gflops").GetDouble() > 0);

        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "loss.png"));
        Assert.True(png.Length > 1000);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
    }
}
