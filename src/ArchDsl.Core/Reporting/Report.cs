using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ArchDsl.Core.Evaluation;
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
        string kind = n.Kind == "Use" && n.Texts.TryGetValue("BlockName", out var b) ? b : n.Kind;
        long count = n.Kind == "Stage" ? n.Count.Value : 1;
        // The shortcut projection gets a row of its own, so the layer's row leaves it out.
        var shortcut = n.Residual is { Projects: true } p ? p : null;
        rows.Add(new ReportRow(n.Path, kind, n.Depth, n.Output.Values(), n.Parameters - (shortcut?.Parameters ?? 0), n.Macs - (shortcut?.Macs ?? 0), count,
            n.Residual?.From, n.Residual?.Projects ?? false, n.HeadTask));
        foreach (var c in n.Children) AddRows(c, rows);
        if (n.Residual is { Projects: true } r)
        {
            var owner = n.Path.Contains(".") ? n.Path.Substring(0, n.Path.LastIndexOf('.')) + "." : "";
            rows.Add(new ReportRow(owner + r.ShortcutName, "Sequential", n.Depth, r.ToShape.Values(), r.Parameters, r.Macs, 1, null, false, null));
        }
    }

    /// <summary>"4.089 G", "118.0 M": three significant decimals in the largest fitting unit.</summary>
    public static string Human(double value)
    {
        string[] units = { "", " K", " M", " G", " T", " P", " E" };
        int u = 0;
        while (System.Math.Abs(value) >= 1000 && u < units.Length - 1) { value /= 1000; u++; }
        return value.ToString(u == 0 ? "0" : "0.000", Inv) + units[u];
    }

    public static string Number(long value) => value.ToString("N0", Inv);

    /// <summary>A torchinfo-like text table with totals.</summary>
    public static string Summary(ModelPlan plan)
    {
        var sb = new StringBuilder(1024);
        WriteSummary(sb, plan, Rows(plan), verbatimLiteral: false);
        return sb.ToString();
    }

    /// <summary>
    /// The summary written straight into <paramref name="sb"/> as the inside of a C# verbatim literal (quotes doubled),
    /// the same text as <see cref="Summary"/> once the compiler reads it. <paramref name="rows"/> are the plan's
    /// <see cref="Rows"/>, taken once by the generator for the layer table, the summary and the JSON.
    /// </summary>
    public static void AppendSummaryVerbatim(StringBuilder sb, ModelPlan plan, IReadOnlyList<ReportRow> rows) =>
        WriteSummary(sb, plan, rows, verbatimLiteral: true);

    private static void WriteSummary(StringBuilder sb, ModelPlan plan, IReadOnlyList<ReportRow> rows, bool verbatimLiteral)
    {
        // Column widths come from lengths alone; each cell is then written once, straight into the builder (a
        // generator run writes tens of thousands of cells). Widths count characters as displayed.
        string[] header = { "Layer (type)", "Output shape", "Param #", "MACs" };
        int w0 = header[0].Length, w1 = header[1].Length, w2 = header[2].Length, w3 = header[3].Length;
        foreach (var r in rows)
        {
            w0 = System.Math.Max(w0, NameWidth(r));
            w1 = System.Math.Max(w1, ShapeWidth(r.Output));
            w2 = System.Math.Max(w2, GroupedWidth(r.Parameters));
            w3 = System.Math.Max(w3, GroupedWidth(r.Macs));
        }
        int width = w0 + w1 + w2 + w3 + 6;
        var digits = new char[32];   // long.MinValue grouped: 20 characters and 6 commas

        // Only names can hold a quote, doubled inside a verbatim literal.
        void Text(string text, int start, int length)
        {
            for (int i = start; i < start + length; i++)
                if (text[i] == '"' && verbatimLiteral)
                {
                    sb.Append(text, start, i + 1 - start).Append('"');
                    length -= i + 1 - start;
                    start = i + 1;
                }
            sb.Append(text, start, length);
        }

        Text(plan.Name, 0, plan.Name.Length);
        sb.Append(" — input ").Append(plan.Input).Append('\n').Append('=', width).Append('\n');
        sb.Append(header[0]).Append(' ', w0 - header[0].Length).Append("  ")
          .Append(header[1]).Append(' ', w1 - header[1].Length).Append("  ")
          .Append(' ', w2 - header[2].Length).Append(header[2]).Append("  ")
          .Append(' ', w3 - header[3].Length).Append(header[3]).Append('\n')
          .Append('-', width).Append('\n');
        foreach (var r in rows)
        {
            int dot = r.Path.LastIndexOf('.');
            sb.Append(' ', 2 * r.Depth);
            Text(r.Path, dot + 1, r.Path.Length - dot - 1);
            sb.Append(" (");
            Text(r.Kind, 0, r.Kind.Length);
            if (r.Count > 1) AppendDigits(sb.Append(" ×"), r.Count, digits, grouped: false);
            sb.Append(')').Append(' ', w0 - NameWidth(r)).Append("  ");
            for (int i = 0; i < r.Output.Length; i++)
            {
                if (i > 0) sb.Append('×');
                AppendDigits(sb, r.Output[i], digits, grouped: false);
            }
            sb.Append(' ', w1 - ShapeWidth(r.Output)).Append("  ");
            AppendDigits(sb.Append(' ', w2 - GroupedWidth(r.Parameters)), r.Parameters, digits, grouped: true);
            sb.Append("  ");
            AppendDigits(sb.Append(' ', w3 - GroupedWidth(r.Macs)), r.Macs, digits, grouped: true);
            sb.Append('\n');
        }
        sb.Append('=', width).Append('\n');
        sb.Append("Trainable parameters: ").Append(Number(plan.Parameters)).Append('\n');
        sb.Append("Buffers: ").Append(Number(plan.Buffers)).Append('\n');
        sb.Append("MACs (batch 1): ").Append(Number(plan.Macs)).Append(" (").Append(Human(plan.Macs)).Append(")\n");
        sb.Append("FLOPs (2 × MACs): ").Append(Number(plan.Flops)).Append(" (").Append(Human(plan.Flops)).Append(")\n");
        sb.Append("Output: ").Append(plan.Output).Append('\n');
    }

    /// <summary>"  conv1 (Conv2d)", "layer3 (Stage ×6)": the summary's first cell, as displayed.</summary>
    private static int NameWidth(ReportRow r) =>
        2 * r.Depth + (r.Path.Length - r.Path.LastIndexOf('.') - 1) + 2 + r.Kind.Length + (r.Count > 1 ? 2 + DigitCount(r.Count) : 0) + 1;

    /// <summary>"2048×7×7", as <see cref="Shape.Format"/> writes it.</summary>
    private static int ShapeWidth(long[] dims)
    {
        int n = dims.Length > 0 ? dims.Length - 1 : 0;
        foreach (var d in dims) n += DigitCount(d);
        return n;
    }

    /// <summary>The length of <paramref name="value"/> in <see cref="Number"/>'s format ("25,557,032").</summary>
    private static int GroupedWidth(long value)
    {
        int d = DigitCount(value), sign = value < 0 ? 1 : 0;
        return d + (d - sign - 1) / 3;
    }

    /// <summary>Characters of the invariant decimal form, minus sign included.</summary>
    private static int DigitCount(long value)
    {
        int n = value < 0 ? 2 : 1;
        // Negated in the negative range, where long.MinValue has no positive counterpart.
        for (long v = value < 0 ? value : -value; v <= -10; v /= 10) n++;
        return n;
    }

    /// <summary>Writes <paramref name="value"/> in invariant digits, with "," every three when <paramref name="grouped"/>
    /// (the same text as <see cref="Number"/>), without an intermediate string.</summary>
    private static void AppendDigits(StringBuilder sb, long value, char[] buffer, bool grouped)
    {
        int i = buffer.Length, written = 0;
        long v = value < 0 ? value : -value;   // negative, so long.MinValue works too
        do
        {
            if (grouped && written > 0 && written % 3 == 0) buffer[--i] = ',';
            buffer[--i] = (char)('0' - (int)(v % 10));
            v /= 10;
            written++;
        } while (v != 0);
        if (value < 0) sb.Append('-');
        sb.Append(buffer, i, buffer.Length - i);
    }

    /// <summary>The model's description as JSON (read by the command-line tool; no shapes are derived twice).</summary>
    public static string Json(ModelPlan plan)
    {
        var rows = Rows(plan);
        var sb = new StringBuilder(256 + 160 * rows.Count);
        WriteJson(new JsonOut(sb, asCSharpLiteral: false), plan, rows);
        return sb.ToString();
    }

    /// <summary>
    /// The JSON description written straight into <paramref name="sb"/> as a C# string literal ("{\"name\":...}"),
    /// the same text <see cref="Quote"/>(<see cref="Json"/>) gives, without
    /// building the JSON first (the generator writes one per model).
    /// </summary>
    public static void AppendJsonLiteral(StringBuilder sb, ModelPlan plan, IReadOnlyList<ReportRow> rows)
    {
        sb.Append('"');
        WriteJson(new JsonOut(sb, asCSharpLiteral: true), plan, rows);
        sb.Append('"');
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
