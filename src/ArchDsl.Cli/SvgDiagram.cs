using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security;
using System.Text;
using ArchDsl.Core.Layers;

namespace ArchDsl.Cli;

/// <summary>
/// An SVG diagram of one model: blocks top to bottom in forward order, a repeated stage drawn once as a frame
/// with ×count around its first block, nested blocks as frames, residual edges as arcs on the right (dashed
/// when the shortcut is projected), the head highlighted, and the output shape on every edge.
/// </summary>
internal static class SvgDiagram
{
    const double Width = 380, LeafHeight = 38, Gap = 30, FrameHeader = 30, Pad = 10, ArcRoom = 34, Margin = 20, LabelRoom = 150;
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    sealed class Canvas
    {
        public readonly StringBuilder Back = new(), Front = new();
    }

    public static string Write(Architecture a)
    {
        var c = new Canvas();
        double x = Margin, y = Margin + 44;
        // Title and input.
        Text(c.Front, Margin, Margin + 14, $"{a.Name} · {MarkdownReport.N(a.Parameters)} parameters · {MarkdownReport.Human(a.Macs)} MACs", 15, "bold");
        Pill(c.Front, x + Width / 2, y, $"input {Architecture.Shape(a.Input)}");
        y += 14;
        var top = a.ChildrenOf(null).ToList();
        var head = top.LastOrDefault(l => l.Head != null) ?? top.LastOrDefault(l => l.Parameters > 0 && l.Output.Length == 1);
        y = Sequence(c, a, top, x, y, Width, head);
        Arrow(c.Front, x + Width / 2, y, y + Gap, Architecture.Shape(a.Output));
        y += Gap + 12;
        Pill(c.Front, x + Width / 2, y, $"output {Architecture.Shape(a.Output)}");
        y += 24;
        double totalWidth = Margin * 2 + Width + LabelRoom;
        var svg = new StringBuilder();
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(F(totalWidth)).Append("\" height=\"").Append(F(y + Margin))
           .Append("\" viewBox=\"0 0 ").Append(F(totalWidth)).Append(' ').Append(F(y + Margin)).Append("\" font-family=\"Helvetica, Arial, sans-serif\">\n");
        svg.Append("<title>").Append(X(a.FullName)).Append("</title>\n");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        svg.Append("<rect x=\"0\" y=\"0\" width=\"").Append(F(totalWidth)).Append("\" height=\"").Append(F(y + Margin)).Append("\" fill=\"#ffffff\"/>\n");
        svg.Append(c.Back).Append(c.Front).Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Lays out siblings from <paramref name="y"/> (the point the incoming edge starts); returns the y of the last bottom.</summary>
    static double Sequence(Canvas c, Architecture a, List<ArchitectureRow> items, double x, double y, double width, ArchitectureRow? head)
    {
        var tops = new Dictionary<string, double>();
        var bottoms = new Dictionary<string, double>();
        double cx = x + (width - ArcRoom) / 2;
        double innerWidth = width - ArcRoom;
        string? incoming = null;
        foreach (var item in items)
        {
            Arrow(c.Front, cx, y, y + Gap, incoming);
            tops[item.Name] = y; // the residual branches off where the item's input arrives
            y += Gap;
            var children = a.ChildrenOf(item).ToList();
            if (children.Count > 0)
            {
                bool stage = item.Kind == LayerCatalog.Stage;
                var shown = stage ? a.ChildrenOf(children[0]).ToList() : children;
                if (stage && shown.Count == 0) shown = new List<ArchitectureRow> { children[0] };
                string title = stage
                    ? $"{item.Name}: {children[0].Kind} ×{item.Count}"
                    : item.Count > 1 ? $"{item.Name} ({item.Kind}) ×{item.Count}" : $"{item.Name} ({item.Kind})";
                double frameTop = y;
                double innerTop = y + FrameHeader - Gap + 6;
                double end = Sequence(c, a, shown, x + Pad, innerTop, innerWidth - 2 * Pad + ArcRoom, null);
                double frameBottom = end + Pad;
                // Outer frames are finished after inner ones, so each goes beneath what is already drawn.
                var frame = new StringBuilder();
                frame.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(frameTop)).Append("\" width=\"").Append(F(innerWidth))
                      .Append("\" height=\"").Append(F(frameBottom - frameTop)).Append("\" rx=\"8\" fill=\"")
                      .Append(stage ? "#eef3fb" : "#f4f4f4").Append("\" stroke=\"").Append(stage ? "#4a74b8" : "#888")
                      .Append("\" stroke-width=\"1.5\"").Append(stage ? " stroke-dasharray=\"6 3\"" : "").Append("/>\n");
                if (stage)
                    frame.Append("<rect x=\"").Append(F(x + 4)).Append("\" y=\"").Append(F(frameTop + 4)).Append("\" width=\"").Append(F(innerWidth))
                          .Append("\" height=\"").Append(F(frameBottom - frameTop)).Append("\" rx=\"8\" fill=\"none\" stroke=\"#b7c7e3\" stroke-width=\"1\"/>\n");
                c.Back.Insert(0, frame.ToString());
                Text(c.Front, x + 10, frameTop + 18, title, 13, "bold");
                string total = $"{MarkdownReport.N(item.Parameters)} params";
                // Right of the title when both fit (about 7 px a character), else under it, left of the centre line.
                if ((title.Length * 7.5) + (total.Length * 6.2) + 30 < innerWidth)
                    Text(c.Front, x + innerWidth - 8, frameTop + 18, total, 11, null, "end", "#555");
                else
                    Text(c.Front, x + 10, frameTop + 31, total, 10.5, null, null, "#555");
                y = frameBottom;
            }
            else
            {
                bool isHead = item.Head != null || ReferenceEquals(item, head);
                c.Front.Append("<rect x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" width=\"").Append(F(innerWidth))
                       .Append("\" height=\"").Append(F(LeafHeight)).Append("\" rx=\"5\" fill=\"").Append(isHead ? "#fde9d9" : Fill(item.Kind))
                       .Append("\" stroke=\"").Append(isHead ? "#d9822b" : "#555").Append("\"/>\n");
                Text(c.Front, x + 8, y + 16, $"{item.Name} ({item.Kind}){(item.Count > 1 ? $" ×{item.Count}" : "")}{(isHead ? " · head" : "")}", 12, "bold");
                Text(c.Front, x + 8, y + 31, $"{MarkdownReport.N(item.Parameters)} params · {MarkdownReport.Human(item.Macs)} MACs", 10.5, null, null, "#444");
                y += LeafHeight;
            }
            bottoms[item.Name] = y;
            incoming = Architecture.Shape(item.Output);
            if (item.ResidualFrom is { } from && tops.TryGetValue(from, out double start))
            {
                double rx = x + innerWidth + ArcRoom * 0.6;
                double joinY = y + 8;
                c.Front.Append("<path d=\"M").Append(F(cx)).Append(',').Append(F(start + 6)).Append(" H").Append(F(rx))
                       .Append(" V").Append(F(joinY)).Append(" H").Append(F(cx + 9)).Append("\" fill=\"none\" stroke=\"#2b8a3e\" stroke-width=\"1.5\"")
                       .Append(item.Projected ? " stroke-dasharray=\"5 3\"" : "").Append(" marker-end=\"url(#arrow)\"/>\n");
                c.Front.Append("<circle cx=\"").Append(F(cx)).Append("\" cy=\"").Append(F(joinY)).Append("\" r=\"8\" fill=\"#fff\" stroke=\"#2b8a3e\"/>\n");
                Text(c.Front, cx, joinY + 4, "+", 13, "bold", "middle", "#2b8a3e");
                Text(c.Front, rx + 4, (start + joinY) / 2, item.Projected ? "residual (projected)" : "residual", 10, null, null, "#2b8a3e", rotate: true);
                y = joinY + 8;
            }
        }
        return y;
    }

    static string Fill(string kind) => (LayerCatalog.Kinds.TryGetValue(kind, out var k) ? k.Category : LayerCategory.Other) switch
    {
        LayerCategory.Convolution => "#dbe8ff",
        LayerCategory.Dense => "#e6dcff",
        LayerCategory.Attention => "#ffe3ec",
        LayerCategory.Normalization => "#e4f5e4",
        _ => "#f7f7f7",
    };

    static void Arrow(StringBuilder sb, double x, double y1, double y2, string? label)
    {
        sb.Append("<line x1=\"").Append(F(x)).Append("\" y1=\"").Append(F(y1)).Append("\" x2=\"").Append(F(x)).Append("\" y2=\"").Append(F(y2 - 1))
          .Append("\" stroke=\"#555\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>\n");
        if (label is not null) Text(sb, x + 7, (y1 + y2) / 2 + 4, label, 10.5, null, null, "#1d5fa8");
    }

    static void Pill(StringBuilder sb, double cx, double y, string text)
    {
        double w = 20 + text.Length * 8; // bold 12 px text runs about 8 px a character
        sb.Append("<rect x=\"").Append(F(cx - w / 2)).Append("\" y=\"").Append(F(y - 16)).Append("\" width=\"").Append(F(w))
          .Append("\" height=\"22\" rx=\"11\" fill=\"#333\"/>\n");
        Text(sb, cx, y, text, 12, "bold", "middle", "#fff");
    }

    static void Text(StringBuilder sb, double x, double y, string text, double size, string? weight, string? anchor = null, string? color = null, bool rotate = false)
    {
        sb.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append("\" font-size=\"").Append(F(size)).Append('"');
        if (weight is not null) sb.Append(" font-weight=\"").Append(weight).Append('"');
        if (anchor is not null) sb.Append(" text-anchor=\"").Append(anchor).Append('"');
        if (color is not null) sb.Append(" fill=\"").Append(color).Append('"');
        if (rotate) sb.Append(" text-anchor=\"middle\" transform=\"rotate(90 ").Append(F(x)).Append(' ').Append(F(y)).Append(")\"");
        sb.Append('>').Append(X(text)).Append("</text>\n");
    }

    static string X(string s) => SecurityElement.Escape(s) ?? "";
    static string F(double v) => v.ToString("0.##", Inv);
}
