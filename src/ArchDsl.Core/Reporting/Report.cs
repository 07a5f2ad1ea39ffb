using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Reporting;

/// <summary>One row of a model's per-layer table.</summary>
public sealed record ReportRow(string Path, string Kind, int Depth, long[] Output, long Parameters, long Macs,
    long Count, string? ResidualFrom, bool Projected, string? Head);

/// <summary>Tables, summaries and the JSON description of an evaluated model, formatted invariantly.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static List<ReportRow> Rows(ModelPlan plan)
    {
        var rows = new List<ReportRow>(64);
        foreach (var n in plan.Layers) AddRows(n, rows);
        return rows;
    }

    private static void AddRows(LayerNode n, List<ReportRow> rows)
    {
        string kind = n.Kind == LayerCatalog.Use && n.BlockName is { } b ? b : n.Kind;
        long count = n.Kind == LayerCatalog.Stage ? n.Count.Value : 1;
        // The shortcut projection gets a row of its own, so the layer's row leaves it out.
        var shortcut = n.Residual is { Projects: true } p ? p : null;
        rows.Add(new ReportRow(n.Path, kind, n.Depth, n.Output.Values(), n.Parameters - (shortcut?.Parameters ?? 0), n.Macs - (shortcut?.Macs ?? 0), count,
            n.Residual?.From, n.Residual?.Projects ?? false, n.HeadTask));
        foreach (var c in n.Children) AddRows(c, rows);
        if (n.Residual is { Projects: true } r)
        {
            var owner = n.Path.Contains(".") ? n.Path.Substring(0, n.Path.LastIndexOf('.')) + "." : "";
            rows.Add(new ReportRow(owner + r.ShortcutName, r.ProjectionKind, n.Depth, r.ToShape.Values(), r.Parameters, r.Macs, 1, null, false, null));
        }
    }

    /// <summary>"4.089 G", "118.0 M": three significant decimals in the largest fitting unit.</summary>
    public static string Human(double value) => SummaryText.Human(value);

    /// <summary>A count with its unit: "1.814 GMACs", "32 MACs".</summary>
    public static string Human(double value, string unit)
    {
        var text = SummaryText.Human(value);
        return char.IsLetter(text[text.Length - 1]) ? text + unit : text + " " + unit;
    }

    public static string Number(long value) => SummaryText.Grouped(value);

    /// <summary>
    /// A torchinfo-like text table with totals. Generated models do not hold it: their <c>Summary</c> formats the same
    /// text from the <see cref="Json"/> description with the same formatter (<see cref="SummaryText"/>).
    /// </summary>
    public static string Summary(ModelPlan plan)
    {
        var rows = Rows(plan);
        var lines = new SummaryRow[rows.Count];
        for (int i = 0; i < lines.Length; i++)
        {
            var r = rows[i];
            lines[i] = new SummaryRow(r.Path, r.Kind, r.Depth, r.Output, r.Parameters, r.Macs, r.Count);
        }
        return SummaryText.Format(plan.Name, plan.Input.Values(), plan.Output.Values(), plan.Parameters, plan.Buffers, plan.Macs, plan.Flops, lines);
    }

    /// <summary>The model's description as JSON, the text of its <c>ArchitectureJson</c> constant (which <c>Layers</c>,
    /// <c>Summary</c> and <c>archdsl report</c> read; no shapes are derived twice).</summary>
    public static string Json(ModelPlan plan)
    {
        var rows = Rows(plan);
        var sb = new StringBuilder(256 + 160 * rows.Count);
        WriteJson(new JsonOut(sb, asCSharpLiteral: false), plan, rows);
        return sb.ToString();
    }

    /// <summary>
    /// The JSON description written straight into <paramref name="sb"/> as a C# string literal, without building the
    /// JSON first (the generator writes one per model). With <paramref name="raw"/> (C# 11 and later) it is a raw
    /// literal, <c>"""{"name":...}"""</c>, holding the JSON as it is, which csc lexes at less cost than the escaped
    /// form. The JSON never ends such a literal early: it holds no line break (escaped, with U+0085, U+2028 and
    /// U+2029) and never three quotes in a row (at most an escaped quote and a closing one). Otherwise it is the
    /// escaped literal <see cref="Quote"/>(<see cref="Json"/>) gives.
    /// </summary>
    public static void AppendJsonLiteral(StringBuilder sb, ModelPlan plan, IReadOnlyList<ReportRow> rows, bool raw)
    {
        const string RawQuotes = "\"\"\"";
        sb.Append(raw ? RawQuotes : "\"");
        WriteJson(new JsonOut(sb, asCSharpLiteral: !raw), plan, rows);
        sb.Append(raw ? RawQuotes : "\"");
    }

    private static void WriteJson(JsonOut o, ModelPlan plan, IReadOnlyList<ReportRow> rows)
    {
        o.Raw("{"); o.Key("name"); o.String(plan.Name);
        o.Raw(","); o.Key("namespace"); o.String(plan.Declaration.Namespace);
        o.Raw(","); o.Key("input"); o.Array(plan.Input.Values());
        o.Raw(","); o.Key("output"); o.Array(plan.Output.Values());
        o.Raw(","); o.Key("parameters"); o.Number(plan.Parameters);
        o.Raw(","); o.Key("buffers"); o.Number(plan.Buffers);
        o.Raw(","); o.Key("macs"); o.Number(plan.Macs);
        o.Raw(","); o.Key("flops"); o.Number(plan.Flops);
        o.Raw(","); o.Key("layers"); o.Raw("[");
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            if (i > 0) o.Raw(",");
            o.Raw("{"); o.Key("path"); o.String(r.Path);
            o.Raw(","); o.Key("kind"); o.String(r.Kind);
            o.Raw(","); o.Key("depth"); o.Number(r.Depth);
            o.Raw(","); o.Key("output"); o.Array(r.Output);
            o.Raw(","); o.Key("parameters"); o.Number(r.Parameters);
            o.Raw(","); o.Key("macs"); o.Number(r.Macs);
            o.Raw(","); o.Key("count"); o.Number(r.Count);
            if (r.ResidualFrom != null)
            {
                o.Raw(","); o.Key("residualFrom"); o.String(r.ResidualFrom);
                o.Raw(","); o.Key("projected"); o.Raw(r.Projected ? "true" : "false");
            }
            if (r.Head != null) { o.Raw(","); o.Key("head"); o.String(r.Head); }
            o.Raw("}");
        }
        o.Raw("]}");
    }

    /// <summary>JSON text into a builder, either as it is or already escaped for the inside of a C# string literal.</summary>
    private readonly struct JsonOut
    {
        private readonly StringBuilder _sb;
        private readonly bool _literal;

        public JsonOut(StringBuilder sb, bool asCSharpLiteral)
        {
            _sb = sb;
            _literal = asCSharpLiteral;
        }

        /// <summary>JSON text that has no quotes or backslashes of its own (punctuation, numbers, true/false).</summary>
        public void Raw(string text) => _sb.Append(text);

        public void Number(long value) => _sb.Append(value.ToString(Inv));

        public void Key(string name)
        {
            String(name);
            _sb.Append(':');
        }

        public void Array(long[] values)
        {
            _sb.Append('[');
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) _sb.Append(',');
                _sb.Append(values[i].ToString(Inv));
            }
            _sb.Append(']');
        }

        public void String(string s)
        {
            if (!_literal)
            {
                AppendQuoted(_sb, s);
                return;
            }
            // Each character of the JSON string (quotes and escapes included) is escaped once more for C#.
            _sb.Append("\\\"");
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': _sb.Append("\\\\\\\""); break;   // JSON \"  → C# \\\"
                    case '\\': _sb.Append("\\\\\\\\"); break; // JSON \\ → C# \\\\
                    case '\n': _sb.Append("\\\\n"); break;
                    case '\r': _sb.Append("\\\\r"); break;
                    case '\t': _sb.Append("\\\\t"); break;
                    default:
                        if (NeedsUnicodeEscape(c)) _sb.Append("\\\\u").Append(((int)c).ToString("x4", Inv));
                        else _sb.Append(c);
                        break;
                }
            }
            _sb.Append("\\\"");
        }
    }

    /// <summary>A string literal valid in both JSON and C#: quotes, backslashes and control characters escaped.</summary>
    public static string Quote(string s)
    {
        int escapes = 0;
        foreach (var c in s)
            if (c == '"' || c == '\\' || NeedsUnicodeEscape(c)) escapes++;
        if (escapes == 0) return "\"" + s + "\"";
        var sb = new StringBuilder(s.Length + 5 * escapes + 2);
        AppendQuoted(sb, s);
        return sb.ToString();
    }

    /// <summary>Control characters, and the line separators a C# string literal cannot hold (U+0085, U+2028, U+2029).</summary>
    private static bool NeedsUnicodeEscape(char c) => c < 0x20 || c == '\u0085' || c == '\u2028' || c == '\u2029';

    /// <summary><see cref="Quote"/>, written into <paramref name="sb"/>.</summary>
    public static void AppendQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '"' && c != '\\' && !NeedsUnicodeEscape(c)) continue;
            sb.Append(s, start, i - start);
            start = i + 1;
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append("\\u").Append(((int)c).ToString("x4", Inv)); break;
            }
        }
        sb.Append(s, start, s.Length - start).Append('"');
    }
}
