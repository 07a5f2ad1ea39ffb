using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Reporting;
using Xunit;
using static ArchDsl.Core.Tests.Decl;

namespace ArchDsl.Core.Tests;

/// <summary>
/// The JSON description and the string literals the generator writes, checked with independent decoders:
/// System.Text.Json for JSON, Regex.Unescape for the C# escapes (\" \\ \n \uXXXX).
/// </summary>
public class ReportTests
{
    // Names a real declaration cannot have, to exercise every escape: quotes, backslashes, control characters and the
    // line separators a C# string literal cannot hold.
    private const string Hostile = "N\"a\\m\ne\t\u0001\u0085\u2028\u2029é";

    private static ModelPlan PlanNamed(string ns)
    {
        var model = new ModuleDecl("Net", ns, ns + ".Net", true, "public", true, false, false, false,
            new EquatableArray<AttributeDecl>(new[] { A("Model"), A("Input", Ints(new long[] { 3, 8, 8 })) }),
            new EquatableArray<MemberDecl>(new[] { M("conv", A("Conv2d", 4, N("Kernel", 3))), M("flatten", A("Flatten")), M("fc", A("Linear", 10)) }),
            Span());
        var plan = Evaluator.EvaluateModel(model, System.Array.Empty<ModuleDecl>());
        Assert.False(plan.HasErrors);
        return plan;
    }

    [Fact]
    public void Json_keeps_every_character_of_a_name()
    {
        var plan = PlanNamed(Hostile);
        using var doc = JsonDocument.Parse(Report.Json(plan));
        Assert.Equal(Hostile, doc.RootElement.GetProperty("namespace").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("layers").GetArrayLength());
        // conv: 4 × 3 × 3 × 3 + 4; fc: 4·6·6 → 10 with bias.
        Assert.Equal(4 * 27 + 4 + 144 * 10 + 10, doc.RootElement.GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void Json_literal_is_the_quoted_json_and_decodes_to_it()
    {
        var plan = PlanNamed(Hostile);
        var rows = Report.Rows(plan);
        var sb = new StringBuilder();
        Report.AppendJsonLiteral(sb, plan, rows, raw: false);
        string literal = sb.ToString();

        Assert.Equal(Report.Quote(Report.Json(plan)), literal);
        Assert.DoesNotContain('\n', literal);
        Assert.DoesNotContain('\u2028', literal);
        Assert.DoesNotContain('\u0085', literal);
        Assert.StartsWith("\"", literal);
        Assert.EndsWith("\"", literal);
        string decoded = Regex.Unescape(literal.Substring(1, literal.Length - 2));
        Assert.Equal(Report.Json(plan), decoded);
        using var doc = JsonDocument.Parse(decoded);
        Assert.Equal(Hostile, doc.RootElement.GetProperty("namespace").GetString());
    }

    /// <summary>
    /// The raw form (C# 11 and later) holds the JSON unchanged, so it must obey a single-line raw literal's rules (C#
    /// spec, raw string literals): three quotes each side, content on one line (no CR, LF, U+0085, U+2028, U+2029),
    /// never three quotes in a row inside, and neither starting nor ending with a quote.
    /// </summary>
    [Fact]
    public void Raw_json_literal_holds_the_json_unescaped_and_cannot_end_early()
    {
        const string EndsInQuotes = Hostile + "\"\"";
        var plan = PlanNamed(EndsInQuotes);
        var sb = new StringBuilder();
        Report.AppendJsonLiteral(sb, plan, Report.Rows(plan), raw: true);
        string literal = sb.ToString();

        Assert.StartsWith("\"\"\"{", literal);
        Assert.EndsWith("}\"\"\"", literal);
        string content = literal.Substring(3, literal.Length - 6);
        Assert.Equal(Report.Json(plan), content);
        foreach (char c in new[] { '\r', '\n', '\u0085', '\u2028', '\u2029' })
            Assert.DoesNotContain(c, content);
        Assert.DoesNotContain("\"\"\"", content);
        // A name ending in quotes gives an escaped quote next to the closing one: the longest run JSON can make.
        var longest = Regex.Matches(content, "\"+").Max(m => m.Length);
        Assert.Equal(2, longest);
        using var doc = JsonDocument.Parse(content);
        Assert.Equal(EndsInQuotes, doc.RootElement.GetProperty("namespace").GetString());
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData(Hostile)]
    public void Quote_round_trips(string text)
    {
        string quoted = Report.Quote(text);
        Assert.Equal(text, Regex.Unescape(quoted.Substring(1, quoted.Length - 2)));
        Assert.Equal(text, JsonSerializer.Deserialize<string>(quoted));
    }

    [Fact]
    public void Summary_lines_align_and_total()
    {
        var plan = PlanNamed("Tests");
        string summary = Report.Summary(plan);
        var lines = summary.Split('\n');
        // Header, rule, column titles, rule, three layers, rule: every table line equally wide.
        Assert.Equal(lines[1].Length, lines[2].Length);
        Assert.Equal(lines[1].Length, lines[4].Length);
        Assert.Contains("Trainable parameters: 1,562", summary);
    }

    [Fact]
    public void Summary_cells_are_the_invariant_grouped_numbers_at_any_size()
    {
        // A linear layer of 2³¹−1 features on as many: counts near 4.6 × 10¹⁸, printed as .NET's own "N0" prints them.
        const long n = int.MaxValue;
        var plan = Evaluator.EvaluateModel(Model("Wide", new[] { n }, M("fc", A("Linear", n))), System.Array.Empty<ModuleDecl>());
        Assert.False(plan.HasErrors);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string parameters = (n * n + n).ToString("N0", inv), macs = (n * n).ToString("N0", inv);
        var lines = Report.Summary(plan).Split('\n');
        Assert.Matches($@"^fc \(Linear\) +{n} +{Regex.Escape(parameters)} +{Regex.Escape(macs)}$", lines.Single(l => l.StartsWith("fc ")));
        // The header and the row end at the same column: widths are measured, not guessed.
        Assert.Equal(lines.Single(l => l.StartsWith("Layer (type)")).Length, lines.Single(l => l.StartsWith("fc ")).Length);
    }

    /// <summary>Three decimals in the largest unit the value reaches as printed: a value that rounds up to 1000 moves on.</summary>
    [Theory]
    [InlineData(0, "0")]
    [InlineData(999, "999")]
    [InlineData(1_000, "1.000 K")]
    [InlineData(999_999, "999.999 K")]
    [InlineData(999_999_999, "1.000 G")]
    [InlineData(999_499_999, "999.500 M")]
    [InlineData(4_089_184_256, "4.089 G")]        // ResNet-50's MACs
    [InlineData(-999_999_999, "-1.000 G")]
    public void Human_reads_as_printed(long value, string expected) => Assert.Equal(expected, Report.Human(value));

    [Theory]
    [InlineData(32, "32 MACs")]
    [InlineData(1_814_073_344, "1.814 GMACs")]   // ResNet-18's
    public void Human_with_a_unit_spaces_it_only_without_a_prefix(long value, string expected) => Assert.Equal(expected, Report.Human(value, "MACs"));
}
