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
        if (plan.Exits.Count > 0)
        {
            // The [Exit] classifiers, as the generated module holds them: a ModuleList named exits.
            long p = 0, m = 0;
            foreach (var e in plan.Exits) { p += e.Parameters; m += e.Macs; }
            var classes = new[] { plan.Exits[0].Classes };
            rows.Add(new ReportRow("exits", "ModuleList", 0, classes, p, m, 1, null, false, null));
            for (int k = 0; k < plan.Exits.Count; k++)
                rows.Add(new ReportRow("exits." + k.ToString(Inv), "ExitHead", 1, classes, plan.Exits[k].Parameters, plan.Exits[k].Macs, 1, null, false, null));
        }
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
        return SummaryText.Format(plan.Name, plan.Input.Values(), plan.Output.Values(), plan.Parameters, plan.Buffers, plan.Macs, plan.Flops, lines, Paths(plan));
    }

    /// <summary>The model's [Task] paths, or its [Exit]s with the model's own output last; empty for neither.</summary>
    internal static List<SummaryPath> Paths(ModelPlan plan)
    {
        var paths = new List<SummaryPath>();
        foreach (var t in plan.Tasks)
            paths.Add(new SummaryPath(SummaryPath.TaskLabel(t.Name, t.Kind, t.Head?.Name, t.Tail.Name), t.Output.Values(), t.Parameters, t.Macs));
        if (plan.Exits.Count == 0) return paths;
        long exitMacs = 0;
        for (int k = 0; k < plan.Exits.Count; k++)
        {
            var e = plan.Exits[k];
            exitMacs = checked(exitMacs + e.Macs);
            paths.Add(new SummaryPath(SummaryPath.ExitLabel(k, e.After), new[] { e.Classes }, e.ParametersToExit, e.MacsToExit));
        }
        paths.Add(new SummaryPath(SummaryPath.ExitLabel(plan.Exits.Count, null), plan.Output.Values(), plan.Parameters, checked(plan.Macs + exitMacs)));
        return paths;
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
        WritePaths(o, plan);
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

    /// <summary>Written only for models with tasks or exits: "paths", each with its label, output and counts (the
    /// summary's closing lines), and "tasks" with the members each task runs.</summary>
    private static void WritePaths(JsonOut o, ModelPlan plan)
    {
        var paths = Paths(plan);
        if (paths.Count == 0) return;
        o.Raw(","); o.Key("paths"); o.Raw("[");
        for (int i = 0; i < paths.Count; i++)
        {
            var p = paths[i];
            if (i > 0) o.Raw(",");
            o.Raw("{"); o.Key("label"); o.String(p.Label);
            o.Raw(","); o.Key("output"); o.Array(p.Output);
            o.Raw(","); o.Key("parameters"); o.Number(p.Parameters);
            o.Raw(","); o.Key("macs"); o.Number(p.Macs);
            o.Raw("}");
        }
        o.Raw("]");
        if (plan.Tasks.Count == 0) return;
        o.Raw(","); o.Key("tasks"); o.Raw("[");
        for (int i = 0; i < plan.Tasks.Count; i++)
        {
            var t = plan.Tasks[i];
            if (i > 0) o.Raw(",");
            o.Raw("{"); o.Key("name"); o.String(t.Name);
            o.Raw(","); o.Key("kind"); o.String(t.Kind);
            if (t.Head != null) { o.Raw(","); o.Key("head"); o.String(t.Head.Name); }
            o.Raw(","); o.Key("tail"); o.String(t.Tail.Name);
            o.Raw("}");
        }
        o.Raw("]");
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
