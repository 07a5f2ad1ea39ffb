using System.Globalization;
using System.Linq;
using System.Threading;
using ArchDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>Generated sources are byte-identical across runs and whatever the current culture.</summary>
public class DeterminismTests
{
    private static readonly string[] Sources = TestModels.ThreeNamespaces;

    private static string[] Generate()
    {
        var r = GeneratorHarness.Run(Sources);
        r.AssertNoGeneratorException();
        Assert.Empty(r.GeneratorDiagnostics);
        var texts = r.Sources.Select(s => s.HintName + "\n" + s.Text).ToArray();
        Assert.Equal(6, texts.Length);
        return texts;
    }

    [Fact]
    public void Two_runs_give_identical_sources() => Assert.Equal(Generate(), Generate());

    [Theory]
    [InlineData("en-US")]
    [InlineData("de-DE")]
    [InlineData("tr-TR")]
    [InlineData("ar-SA")]
    [InlineData("fr-FR")]
    public void Culture_does_not_change_generated_sources(string culture)
    {
        var reference = WithCulture(CultureInfo.InvariantCulture, Generate);
        var actual = WithCulture(new CultureInfo(culture), Generate);
        Assert.Equal(reference, actual);
        // The invariant formatting shows in the figures themselves.
        Assert.Contains(actual, t => t.Contains("33,882 trainable parameters") && t.Contains("eps: 1E-06") == false);
        Assert.Contains(actual, t => t.Contains("eps: 1E-06"));
    }

    private static T WithCulture<T>(CultureInfo culture, System.Func<T> action)
    {
        var (saved, savedUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }
}
