using System.Linq;
using ArchDsl.Samples;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>ConvNeXt beyond its counts, layout and outputs (<see cref="TorchvisionModelTests"/>): stochastic depth.</summary>
public class ConvNeXtTests
{
    [Fact]
    public void Stochastic_depth_rises_as_torchvision_sets_it()
    {
        // torchvision's ConvNeXt: block b of 36 drops with 0.4 · b / 35.
        using var model = new ConvNeXtSmall();
        var p = model.modules().OfType<ArchDsl.Layers.StochasticDepth>().Select(m => m.P).ToList();
        Assert.Equal(36, p.Count);
        for (int b = 0; b < p.Count; b++) Assert.Equal(0.4 * b / 35, p[b], 12);
        using var small = new ConvNeXtSmallConfig();
        Assert.All(small.modules().OfType<ArchDsl.Layers.StochasticDepth>(), m => Assert.Equal(0.0, m.P));
    }
}
