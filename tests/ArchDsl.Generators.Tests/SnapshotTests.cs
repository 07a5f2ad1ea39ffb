using System.Linq;
using System.Text.RegularExpressions;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Generated source of small models, compared with reviewed files under Snapshots/.</summary>
public class SnapshotTests
{
    private static GeneratorResult RunClean(string source)
    {
        var r = GeneratorHarness.Run(source);
        r.AssertNoGeneratorException();
        Assert.True(r.GeneratorDiagnostics.IsEmpty, GeneratorResult.Describe(r.GeneratorDiagnostics));
        // Warnings as errors, nullable enabled, documentation diagnosed: nothing at all may be reported.
        Assert.True(r.CompilationDiagnostics.IsEmpty, GeneratorResult.Describe(r.CompilationDiagnostics));
        return r;
    }

    private static long Constant(string source, string name)
    {
        var m = Regex.Match(source, $@"public const long {name} = (\d+)L;");
        Assert.True(m.Success, $"no {name} constant");
        return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("TinyCnn", "Tests.TinyCnn.g.cs")]
    [InlineData("TinyCnn", "Tests.TinyBlock.g.cs")]
    [InlineData("TinyVit", "Tests.TinyVit.g.cs")]
    [InlineData("TinyVit", "Tests.TinyEncoderLayer.g.cs")]
    [InlineData("DefaultParam", "Tests.Widen.g.cs")]
    [InlineData("DefaultParam", "Tests.Expand.g.cs")]
    [InlineData("Vocabulary", "Tests.Vocab.g.cs")]
    [InlineData("Vocabulary", "Tests.Inverted.g.cs")]
    [InlineData("TinyTasks", "Tests.TinyTasks.g.cs")]
    [InlineData("TinyExits", "Tests.TinyExits.g.cs")]
    [InlineData("TinySlim", "Tests.Slim.g.cs")]
    public void Generated_source_matches_snapshot(string model, string hintName)
    {
        var source = (string)typeof(TestModels).GetField(model)!.GetValue(null)!;
        var r = RunClean(source);
        var text = r.Source(hintName);
        Assert.True(text != null, $"no {hintName}; generated: {string.Join(", ", r.Sources.Select(s => s.HintName))}");
        Snapshot.Match(hintName.Replace(".g.cs", ""), text!);
    }

    [Fact]
    public void TinyCnn_counts_match_hand_computation()
    {
        var text = RunClean(TestModels.TinyCnn).Source("Tests.TinyCnn.g.cs")!;
        long conv(long cin, long cout, long k) => cin * cout * k * k;
        long bn(long c) => 2 * c;
        long block0 = conv(16, 32, 3) + bn(32) + conv(32, 32, 3) + bn(32) + (16 * 32 + bn(32)); // with downsample
        long block1 = conv(32, 32, 3) + bn(32) + conv(32, 32, 3) + bn(32);
        long parameters = conv(3, 16, 3) + bn(16) + block0 + block1 + (32 * 10 + 10);
        Assert.Equal(parameters, Constant(text, "ParameterCount"));
        // MACs: conv1 at 32×32, block 0 at 16×16 (stride 2) with its 1×1 projection, block 1 at 16×16, fc.
        long macs = 32 * 32 * conv(3, 16, 3) + 16 * 16 * (conv(16, 32, 3) + conv(32, 32, 3) + conv(16, 32, 1))
                    + 16 * 16 * 2 * conv(32, 32, 3) + 32 * 10;
        Assert.Equal(macs, Constant(text, "Macs"));
        Assert.Equal(2 * macs, Constant(text, "Flops"));
        Assert.Equal(2 * 16 + 1 + 5 * (2 * 32 + 1), Constant(text, "BufferCount"));
    }

    [Fact]
    public void TinyVit_counts_match_hand_computation()
    {
        var text = RunClean(TestModels.TinyVit).Source("Tests.TinyVit.g.cs")!;
        const long d = 64, n = 17, mlp = 128;
        long layer = 2 * d + (4 * d * d + 4 * d) + 2 * d + (d * mlp + mlp + mlp * d + d);
        long parameters = (3 * 8 * 8 * d + d) + d + n * d + 2 * layer + 2 * d + (d * 10 + 10);
        Assert.Equal(parameters, Constant(text, "ParameterCount"));
        long layerMacs = 4 * n * d * d + 2 * n * n * d + 2 * n * d * mlp;
        Assert.Equal(16 * 3 * 8 * 8 * d + 2 * layerMacs + d * 10, Constant(text, "Macs"));
    }

    [Fact]
    public void Default_parameter_is_used_unless_overridden()
    {
        var text = RunClean(TestModels.DefaultParam).Source("Tests.Widen.g.cs")!;
        long first = (16 * 64 + 64) + (64 * 16 + 16);   // expansion 4 (default)
        long second = (16 * 32 + 32) + (32 * 16 + 16);  // expansion 2
        Assert.Equal((24 * 16 + 16) + first + second + 16 * 3, Constant(text, "ParameterCount"));
    }
}
