using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Judgement;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

public class UnitsTests
{
    [Theory]
    [InlineData("100M", 100e6)]
    [InlineData("1.5G", 1.5e9)]
    [InlineData("1e25", 1e25)]
    [InlineData("989T", 989e12)]
    [InlineData("100_000_000", 100e6)]
    [InlineData(" 2.5 k ", 2500)]
    [InlineData("3E+2", 300)]
    public void Parses_numbers(string text, double expected)
    {
        Assert.True(Units.TryParseNumber(text, out var v));
        Assert.Equal(expected, v, expected * 1e-12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-5")]
    [InlineData("10X")]
    [InlineData("0")]
    [InlineData("1e")]
    [InlineData("80GiB")]
    public void Rejects_bad_numbers(string text) => Assert.False(Units.TryParseNumber(text, out _));

    [Theory]
    [InlineData("80GiB", 80.0 * 1024 * 1024 * 1024)]
    [InlineData("40GB", 40e9)]
    [InlineData("512MiB", 512.0 * 1024 * 1024)]
    [InlineData("1024", 1024)]
    [InlineData("2TiB", 2.0 * 1024 * 1024 * 1024 * 1024)]
    public void Parses_bytes(string text, double expected)
    {
        Assert.True(Units.TryParseBytes(text, out var v));
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData("80 gigs")]
    [InlineData("80G")]
    [InlineData("GiB")]
    public void Rejects_bad_bytes(string text) => Assert.False(Units.TryParseBytes(text, out _));

    [Theory]
    [InlineData("40%", 0.4)]
    [InlineData("0.4", 0.4)]
    [InlineData("100%", 1.0)]
    public void Parses_fractions(string text, double expected)
    {
        Assert.True(Units.TryParseFraction(text, out var v));
        Assert.Equal(expected, v, 1e-12);
    }

    [Theory]
    [InlineData("140%")]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("40 percent")]
    public void Rejects_bad_fractions(string text) => Assert.False(Units.TryParseFraction(text, out _));

    [Theory]
    [InlineData(304_326_632, "304.33 M")]
    [InlineData(61_554_712_576, "61.555 G")]
    [InlineData(999_999, "1 M")]
    [InlineData(1000, "1 K")]
    [InlineData(10, "10")]
    public void Formats_counts(double v, string expected) => Assert.Equal(expected, Units.Count(v));

    [Fact]
    public void Formats_bytes_and_scientific()
    {
        Assert.Equal("4.535 GiB", Units.Bytes(16.0 * 304_326_632));
        Assert.Equal("80 GiB", Units.Bytes(80.0 * 1024 * 1024 * 1024));
        Assert.Equal("7.83e20", Units.Scientific(7.8335e20));
        Assert.Equal("1e25", Units.Scientific(1e25));
        Assert.Equal("1e26", Units.Scientific(9.999e25));
    }
}

public class EstimatesTests
{
    [Fact]
    public void Gpu_days_at_defaults()
    {
        // 1e25 FLOP at 989e12 × 0.4 FLOP/s: 1e25 / 3.956e14 = 2.5278e10 s = 292,570 days.
        Assert.Equal(292_570, Estimates.GpuDays(1e25, 989e12, 0.4), 0);
    }

    [Fact]
    public void Training_state_is_16_bytes_per_parameter() =>
        Assert.Equal(4_869_226_112, Estimates.TrainingStateBytes(304_326_632));

    [Fact]
    public void Options_report_malformed_values_and_keep_defaults()
    {
        var o = JudgementOptions.Read(new Dictionary<string, string>
        {
            ["archdsl.ADSL1001.max_parameters"] = "1.5G",
            ["build_property.ArchDslMaxMacs"] = "a lot",
            ["archdsl.training.device_utilization"] = "55%",
        });
        Assert.Equal(1.5e9, o.MaxParameters);
        Assert.Equal(100e9, o.MaxMacs);
        Assert.Equal(0.55, o.DeviceUtilization, 1e-12);
        var p = Assert.Single(o.Problems);
        Assert.Equal("ArchDslMaxMacs", p.Key);
        Assert.Equal("a lot", p.Value);
    }
}

/// <summary>The release-tracking file lists every rule of the core with its category and severity
/// (the RS2xxx analyzers cannot see data-driven descriptors, so this test keeps the file honest).</summary>
public class ReleaseTrackingTests
{
    [Fact]
    public void Unshipped_lists_exactly_the_core_rules()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "AnalyzerReleases.Unshipped.md");
        var rows = File.ReadAllLines(path)
            .Where(l => l.StartsWith("ADSL", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .ToDictionary(c => c[0], c => (Category: c[1], Severity: c[2]));
        var rules = Rules.All.ToList();
        Assert.Equal(rules.Select(r => r.Id).OrderBy(x => x), rows.Keys.OrderBy(x => x));
        foreach (var r in rules)
        {
            Assert.Equal(r.Category, rows[r.Id].Category);
            Assert.Equal(r.Severity.ToString(), rows[r.Id].Severity);
        }
    }

    [Fact]
    public void Every_judgement_rule_has_a_docs_page()
    {
        var dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "Directory.Build.props"))) dir = Path.GetDirectoryName(dir);
        Assert.NotNull(dir);
        foreach (var r in Rules.All.Where(r => string.CompareOrdinal(r.Id, "ADSL1000") >= 0))
            Assert.True(File.Exists(Path.Combine(dir!, "docs", "diagnostics", r.Id + ".md")), r.Id + " has no docs page");
    }
}
