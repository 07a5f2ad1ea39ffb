using System.Globalization;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers;

/// <summary>Rules several kinds share: window arithmetic, explicit input sizes, rows of a tensor.</summary>
internal static class ShapeRules
{
    /// <summary>
    /// An optional explicit input size (InFeatures, InChannels) must equal the inferred one. Only a written
    /// argument is checked; the layer is still built from the inferred size, the finding is an error.
    /// </summary>
    public static void CheckExplicitSize(LayerArgs a, string name, Dim inferred, string unit)
    {
        var written = a.Int(name, 0);
        if (written is not { } w || w.Value == 0 || w.Value == inferred.Value) return;
        a.Fail(Rules.ExplicitInputSize, a.Raw(name)?.Span ?? w.Origin ?? a.Attr.Span, true, a.Where, name,
            w.Value.ToString(CultureInfo.InvariantCulture), inferred.Value.ToString(CultureInfo.InvariantCulture), unit);
    }

    /// <summary>Grouped convolutions: both channel counts divisible by the groups, else ADSL0006 at Groups.</summary>
    public static bool GroupsDivide(LayerArgs a, Dim inChannels, Dim outChannels, Dim groups)
    {
        if (inChannels.Value % groups.Value == 0 && outChannels.Value % groups.Value == 0) return true;
        a.Fail(Rules.GroupsMismatch, groups.Origin ?? a.Attr.Span, true, a.Where,
            $"{inChannels.Value} input and {outChannels.Value} output channels must both be divisible by Groups = {groups.Value}");
        return false;
    }

    /// <summary>Product of all dimensions but the last: the rows a last-axis layer is applied to.</summary>
    public static long Rows(Shape x)
    {
        long rows = 1;
        for (int i = 0; i < x.Rank - 1; i++) rows = checked(rows * x[i].Value);
        return rows;
    }

    /// <summary>floor((in + 2·pad − dilation·(k − 1) − 1) / stride) + 1, with a finding when it is not positive.</summary>
    public static Dim? OutSize(LayerArgs a, Dim size, Dim k, Dim s, Dim p, Dim d, string axis)
    {
        var span = d * (k - 1) + 1;
        var room = size + p * 2 - span;
        if (room.Value < 0)
        {
            string dilated = d.Value == 1 ? "" : $" (dilated to {span.Value})";
            a.Fail(Rules.ImpossibleShape, k.Origin ?? a.Attr.Span, true, a.Where,
                $"kernel {k.Value}{dilated} is larger than the padded input {axis} {size.Value + 2 * p.Value} ({size.Value} + 2×{p.Value}); use a smaller kernel or more padding");
            return null;
        }
        return room / s + 1;
    }
}
