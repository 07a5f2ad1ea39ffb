using ArchDsl.Samples;
using Xunit;

namespace ArchDsl.Models.Tests;

/// <summary>Compile-time counts against torchvision's published figures (docs: num_params, GFLOPS = GMACs at 224×224).</summary>
public class PublishedFigureTests
{
    [Theory]
    [InlineData(nameof(ResNet18), ResNet18.ParameterCount, ResNet18.Macs, 11_689_512L, 1.814e9)]
    [InlineData(nameof(ResNet50), ResNet50.ParameterCount, ResNet50.Macs, 25_557_032L, 4.089e9)]
    [InlineData(nameof(VitB16), VitB16.ParameterCount, VitB16.Macs, 86_567_656L, 17.564e9)]
    public void Counts_match_torchvision(string model, long parameters, long macs, long publishedParameters, double publishedMacs)
    {
        Assert.True(parameters == publishedParameters, $"{model}: {parameters} parameters, torchvision publishes {publishedParameters}");
        double error = System.Math.Abs(macs - publishedMacs) / publishedMacs;
        Assert.True(error < 0.001, $"{model}: {macs} MACs is {error:P3} away from torchvision's {publishedMacs:E4}");
    }

    [Fact]
    public void Flops_are_twice_the_macs()
    {
        Assert.Equal(2 * ResNet50.Macs, ResNet50.Flops);
        Assert.Equal(2 * VitB16.Macs, VitB16.Flops);
    }

    [Fact]
    public void Vit_macs_follow_the_hand_formula_of_the_counting_conventions()
    {
        // Per encoder layer at 197 tokens, width 768, MLP 3072: QKV + Q·Kᵀ + A·V + out-projection + MLP.
        long t = 197, d = 768, m = 3072;
        long layer = t * d * 3 * d + 2 * t * t * d + t * d * d + 2 * t * d * m;
        long patch = 196L * 768 * (3 * 16 * 16);
        long head = 768L * 1000;
        long handCount = 12 * layer + patch + head;
        Assert.True(VitB16.Macs == handCount, $"{VitB16.Macs} vs {handCount}");
    }

    [Fact]
    public void Summary_and_table_state_the_totals()
    {
        Assert.Contains("25,557,032", ResNet50.Summary);
        Assert.Equal(new long[] { 3, 224, 224 }, ResNet50.InputShape);
        Assert.Equal(new long[] { 1000 }, ResNet50.OutputShape);
        // The table's top-level rows add up to the totals.
        long sum = 0, macs = 0;
        foreach (var row in ResNet50.Layers)
            if (row.Depth == 0) { sum += row.Parameters; macs += row.Macs; }
        Assert.Equal(25_557_032L, sum);
        Assert.Equal(ResNet50.Macs, macs);
        Assert.Contains(ResNet50.Layers, r => r.Path == "layer2.0.downsample" && r.Parameters == 256L * 512 + 2 * 512);
    }
}
