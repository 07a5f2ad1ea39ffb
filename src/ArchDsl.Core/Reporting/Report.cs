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
        var rows = new List<ReportRow>();
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
    public static string Summary(ModelPlan plan, int maxDepth = int.MaxValue)
    {
        var rows = Rows(plan);
        var lines = new List<string[]>();
        lines.Add(new[] { "Layer (type)", "Output shape", "Param #", "MACs" });
        foreach (var r in rows)
        {
            if (r.Depth > maxDepth) continue;
            string name = new string(' ', 2 * r.Depth) + r.Path.Substring(r.Path.LastIndexOf('.') + 1) + " (" + r.Kind + (r.Count > 1 ? " ×" + r.Count.ToString(Inv) : "") + ")";
            lines.Add(new[] { name, Shape.Format(r.Output), Number(r.Parameters), Number(r.Macs) });
        }
        var widths = new int[4];
        foreach (var l in lines)
            for (int i = 0; i < 4; i++) widths[i] = System.Math.Max(widths[i], l[i].Length);
        var sb = new StringBuilder();
        string rule = new string('=', widths[0] + widths[1] + widths[2] + widths[3] + 6);
        sb.Append(plan.Name).Append(" — input ").Append(plan.Input).Append('\n').Append(rule).Append('\n');
        for (int k = 0; k < lines.Count; k++)
        {
            var l = lines[k];
            sb.Append(l[0].PadRight(widths[0])).Append("  ").Append(l[1].PadRight(widths[1])).Append("  ")
              .Append(l[2].PadLeft(widths[2])).Append("  ").Append(l[3].PadLeft(widths[3])).Append('\n');
            if (k == 0) sb.Append(rule.Replace('=', '-')).Append('\n');
        }
        sb.Append(rule).Append('\n');
        sb.Append("Trainable parameters: ").Append(Number(plan.Parameters)).Append('\n');
        sb.Append("Buffers: ").Append(Number(plan.Buffers)).Append('\n');
        sb.Append("MACs (batch 1): ").Append(Number(plan.Macs)).Append(" (").Append(Human(plan.Macs)).Append(")\n");
        sb.Append("FLOPs (2 × MACs): ").Append(Number(plan.Flops)).Append(" (").Append(Human(plan.Flops)).Append(")\n");
        sb.Append("Output: ").Append(plan.Output).Append('\n');
        return sb.ToString();
    }

    /// <summary>The model's description as JSON (read by the command-line tool; no shapes are derived twice).</summary>
    public static string Json(ModelPlan plan)
    {
        var sb = new StringBuilder();
        sb.Append("{\"name\":").Append(Quote(plan.Name))
          .Append(",\"namespace\":").Append(Quote(plan.Declaration.Namespace))
          .Append(",\"input\":").Append(Array(plan.Input.Values()))
          .Append(",\"output\":").Append(Array(plan.Output.Values()))
          .Append(",\"parameters\":").Append(plan.Parameters.ToString(Inv))
          .Append(",\"buffers\":").Append(plan.Buffers.ToString(Inv))
          .Append(",\"macs\":").Append(plan.Macs.ToString(Inv))
          .Append(",\"flops\":").Append(plan.Flops.ToString(Inv))
          .Append(",\"layers\":[");
        bool first = true;
        foreach (var r in Rows(plan))
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append("{\"path\":").Append(Quote(r.Path))
              .Append(",\"kind\":").Append(Quote(r.Kind))
              .Append(",\"depth\":").Append(r.Depth.ToString(Inv))
              .Append(",\"output\":").Append(Array(r.Output))
              .Append(",\"parameters\":").Append(r.Parameters.ToString(Inv))
              .Append(",\"macs\":").Append(r.Macs.ToString(Inv))
              .Append(",\"count\":").Append(r.Count.ToString(Inv));
            if (r.ResidualFrom != null) sb.Append(",\"residualFrom\":").Append(Quote(r.ResidualFrom)).Append(",\"projected\":").Append(r.Projected ? "true" : "false");
            if (r.Head != null) sb.Append(",\"head\":").Append(Quote(r.Head));
            sb.Append('}');
        }
        sb.Append("]}");
        return sb.ToString();
    }

    private static string Array(long[] values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++) parts[i] = values[i].ToString(Inv);
        return "[" + string.Join(",", parts) + "]";
    }

    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", Inv));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
