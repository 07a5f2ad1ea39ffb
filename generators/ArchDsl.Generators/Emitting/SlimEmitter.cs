using System.Globalization;
using System.Linq;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Reporting;

namespace ArchDsl.Generators.Emitting;

/// <summary>A [Slimmable] model's members: its widths, the counts at each, and the switch between them.</summary>
internal static class SlimEmitter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(CodeWriter w, SlimPlan slim)
    {
        const string List = "global::System.Collections.Generic.IReadOnlyList";
        string widths = string.Join(", ", slim.Widths.Select(Real));
        w.Line($"/// <summary>The width multipliers the model runs at, ascending ([Slimmable]).</summary>")
         .Line($"public static {List}<double> Widths {{ get; }} = new double[] {{ {widths} }};")
         .Line("/// <summary>Parameters used at each of <see cref=\"Widths\"/>: the active slices of the weights and that width's private batch norms")
         .Line($"/// ({string.Join(", ", slim.Parameters.Select(Report.Number))}). <see cref=\"ParameterCount\"/> is what the module stores for all widths.</summary>")
         .Line($"public static {List}<long> WidthParameterCounts {{ get; }} = new long[] {{ {string.Join(", ", slim.Parameters.Select(p => p.ToString(Inv) + "L"))} }};")
         .Line($"/// <summary>Multiply-accumulates per sample at each of <see cref=\"Widths\"/> ({string.Join(", ", slim.Macs.Select(Report.Number))}).</summary>")
         .Line($"public static {List}<long> WidthMacs {{ get; }} = new long[] {{ {string.Join(", ", slim.Macs.Select(m => m.ToString(Inv) + "L"))} }};")
         .Line("/// <summary>The width the model runs at (the widest until <see cref=\"SetWidth\"/>).</summary>")
         .Line($"public double Width {{ get; private set; }} = {Real(slim.Widths[slim.Widths.Count - 1])};")
         .Line("/// <summary>Runs the model at <paramref name=\"width\"/>, one of <see cref=\"Widths\"/>, from the same weights: no rebuild.</summary>")
         .Open("public void SetWidth(double width)")
         .Line("global::ArchDsl.Layers.Slimming.SetWidth(this, Widths, width);")
         .Line("Width = width;")
         .Close()
         .Line();
    }

    private static string Real(double v)
    {
        var s = v.ToString("R", Inv);
        return s.Contains(".") || s.Contains("E") ? s : s + ".0";
    }
}
