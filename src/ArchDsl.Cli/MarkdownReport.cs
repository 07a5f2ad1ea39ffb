using System.Globalization;
using System.Linq;
using System.Text;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Reporting;

namespace ArchDsl.Cli;

/// <summary>Per-model Markdown: one table row per layer (name, kind, output shape, parameters, MACs, shares of the totals).</summary>
internal static class MarkdownReport
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Write(Architecture a)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(a.Name).Append('\n').Append('\n');
        sb.Append('`').Append(a.FullName).Append("` · input ").Append(Architecture.Shape(a.Input))
          .Append(" → output ").Append(Architecture.Shape(a.Output)).Append('\n').Append('\n');
        sb.Append("| Layer | Kind | Output shape | Parameters | % of parameters | MACs | % of MACs |\n");
        sb.Append("|---|---|---|---:|---:|---:|---:|\n");
        foreach (var l in a.Layers)
        {
            string kind = l.Kind;
            if (l.Kind == LayerCatalog.Stage)
            {
                var first = a.ChildrenOf(l).FirstOrDefault();
                kind = first is null ? $"Stage ×{l.Count}" : $"Stage ({first.Kind} ×{l.Count})";
            }
            else if (l.Count > 1) kind += $" ×{l.Count}";
            if (l.ResidualFrom is not null) kind += l.Projected ? $" + residual from {l.ResidualFrom} (projected)" : $" + residual from {l.ResidualFrom}";
            if (l.Head is { } task) kind += $" (head: {task})";
            sb.Append("| ").Append(new string('\u00a0', 2 * l.Depth)).Append('`').Append(l.Path).Append("` | ")
              .Append(Escape(kind)).Append(" | ").Append(Architecture.Shape(l.Output)).Append(" | ")
              .Append(N(l.Parameters)).Append(" | ").Append(Share(l.Parameters, a.Parameters)).Append(" | ")
              .Append(N(l.Macs)).Append(" | ").Append(Share(l.Macs, a.Macs)).Append(" |\n");
        }
        sb.Append("| **Total** | | ").Append(Architecture.Shape(a.Output)).Append(" | **").Append(N(a.Parameters))
          .Append("** | 100.00 % | **").Append(N(a.Macs)).Append("** | 100.00 % |\n\n");
        sb.Append("- Trainable parameters: ").Append(N(a.Parameters)).Append('\n');
        sb.Append("- Buffers: ").Append(N(a.Buffers)).Append('\n');
        sb.Append("- MACs (batch 1): ").Append(N(a.Macs)).Append(" (").Append(Human(a.Macs)).Append(")\n");
        sb.Append("- FLOPs (2 × MACs): ").Append(N(a.Flops)).Append(" (").Append(Human(a.Flops)).Append(")\n");
        sb.Append("\nNested rows are part of the row above them; the shares of nested rows are not added to the total twice.\n");
        return sb.ToString();
    }

    internal static string N(long v) => Report.Number(v);

    static string Share(long part, long total) =>
        total == 0 ? "–" : (100.0 * part / total).ToString("F2", Inv) + " %";

    internal static string Human(long v) => Report.Human(v);

    static string Escape(string s) => s.Replace("|", "\\|");
}
