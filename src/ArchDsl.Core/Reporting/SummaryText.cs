using System.Collections.Generic;
using System.Globalization;
using System.Text;

// Compiled into the core and, as a linked file, into the runtime library (src/ArchDsl), which formats a generated
// model's Summary from its ArchitectureJson when first asked. One formatter, so the two cannot drift; internal in
// both, so the runtime library exposes nothing of it and needs no reference to the core. In the runtime library it
// lives in the namespace users already import, so it adds no namespace name to their compilations.
#if ARCHDSL_RUNTIME
namespace ArchDsl;
#else
namespace ArchDsl.Core.Reporting;
#endif

/// <summary>One line of a summary table: a layer's name cell is its path's last segment, indented by depth.</summary>
internal readonly struct SummaryRow
{
    public SummaryRow(string path, string kind, int depth, long[] output, long parameters, long macs, long count)
    {
        Path = path; Kind = kind; Depth = depth; Output = output; Parameters = parameters; Macs = macs; Count = count;
    }

    public string Path { get; }
    public string Kind { get; }
    public int Depth { get; }
    public long[] Output { get; }
    public long Parameters { get; }
    public long Macs { get; }
    public long Count { get; }
}

/// <summary>One path through a model that runs part of it: a [Task] (head, body, tail) or an [Exit] (the layers up to it).</summary>
internal readonly struct SummaryPath
{
    public SummaryPath(string label, long[] output, long parameters, long macs)
    {
        Label = label; Output = output; Parameters = parameters; Macs = macs;
    }

    public string Label { get; }
    public long[] Output { get; }
    public long Parameters { get; }
    public long Macs { get; }

    /// <summary>"task Denoising (Denoising): head_denoise, body, tail_denoise".</summary>
    public static string TaskLabel(string name, string kind, string? head, string tail) =>
        "task " + name + " (" + kind + "): " + (head is null ? "" : head + ", ") + "body, " + tail;

    /// <summary>"exit 0 after stage1", or for the model's own output "exit 2 (output)".</summary>
    public static string ExitLabel(int index, string? after) =>
        "exit " + index.ToString(CultureInfo.InvariantCulture) + (after is null ? " (output)" : " after " + after);
}

/// <summary>The torchinfo-like summary text of a model, formatted invariantly.</summary>
internal static class SummaryText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"4.089 G", "118.0 M": three significant decimals in the largest fitting unit.</summary>
    public static string Human(double value)
    {
        string[] units = { "", " K", " M", " G", " T", " P", " E" };
        int u = 0;
        // Compared as it will print, so 999,999,999 reads "1.000 G", not "1000.000 M".
        while (u < units.Length - 1 && System.Math.Abs(System.Math.Round(value, u == 0 ? 0 : 3)) >= 1000) { value /= 1000; u++; }
        return value.ToString(u == 0 ? "0" : "0.000", Inv) + units[u];
    }

    /// <summary>"25,557,032".</summary>
    public static string Grouped(long value) => value.ToString("N0", Inv);

    /// <summary>"64×56×56": the form every report uses.</summary>
    public static string Shape(IReadOnlyList<long> dims)
    {
        var sb = new StringBuilder(dims.Count * 4);
        for (int i = 0; i < dims.Count; i++)
        {
            if (i > 0) sb.Append('×');
            sb.Append(dims[i].ToString(Inv));
        }
        return sb.ToString();
    }

    public static string Format(string name, IReadOnlyList<long> input, IReadOnlyList<long> output,
        long parameters, long buffers, long macs, long flops, IReadOnlyList<SummaryRow> rows, IReadOnlyList<SummaryPath>? paths = null)
    {
        // Column widths come from lengths alone; each cell is then written once. Widths count characters as displayed.
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
        var sb = new StringBuilder(256 + rows.Count * (width + 1));
        var digits = new char[32];   // long.MinValue grouped: 20 characters and 6 commas

        sb.Append(name).Append(" — input ").Append(Shape(input)).Append('\n').Append('=', width).Append('\n');
        sb.Append(header[0]).Append(' ', w0 - header[0].Length).Append("  ")
          .Append(header[1]).Append(' ', w1 - header[1].Length).Append("  ")
          .Append(' ', w2 - header[2].Length).Append(header[2]).Append("  ")
          .Append(' ', w3 - header[3].Length).Append(header[3]).Append('\n')
          .Append('-', width).Append('\n');
        foreach (var r in rows)
        {
            int dot = r.Path.LastIndexOf('.');
            sb.Append(' ', 2 * r.Depth).Append(r.Path, dot + 1, r.Path.Length - dot - 1).Append(" (").Append(r.Kind);
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
        sb.Append("Trainable parameters: ").Append(Grouped(parameters)).Append('\n');
        sb.Append("Buffers: ").Append(Grouped(buffers)).Append('\n');
        sb.Append("MACs (batch 1): ").Append(Grouped(macs)).Append(" (").Append(Human(macs)).Append(")\n");
        sb.Append("FLOPs (2 × MACs): ").Append(Grouped(flops)).Append(" (").Append(Human(flops)).Append(")\n");
        sb.Append("Output: ").Append(Shape(output)).Append('\n');
        if (paths is { Count: > 0 })
        {
            // Tasks and exits each run part of the model: forward(x) runs the first task, or no exit.
            foreach (var p in paths)
                sb.Append("  ").Append(p.Label).Append(": output ").Append(Shape(p.Output)).Append(", ")
                  .Append(Grouped(p.Parameters)).Append(" parameters, ").Append(Grouped(p.Macs)).Append(" MACs\n");
        }
        return sb.ToString();
    }

    /// <summary>"  conv1 (Conv2d)", "layer3 (Stage ×6)": the summary's first cell, as displayed.</summary>
    private static int NameWidth(SummaryRow r) =>
        2 * r.Depth + (r.Path.Length - r.Path.LastIndexOf('.') - 1) + 2 + r.Kind.Length + (r.Count > 1 ? 2 + DigitCount(r.Count) : 0) + 1;

    /// <summary>"2048×7×7", as <see cref="Shape"/> writes it.</summary>
    private static int ShapeWidth(long[] dims)
    {
        int n = dims.Length > 0 ? dims.Length - 1 : 0;
        foreach (var d in dims) n += DigitCount(d);
        return n;
    }

    /// <summary>The length of <paramref name="value"/> in <see cref="Grouped"/>'s format.</summary>
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
    /// (the same text as <see cref="Grouped"/>), without an intermediate string.</summary>
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
}
