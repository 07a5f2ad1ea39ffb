using System.Collections.Generic;
using ArchDsl.Core.Declarations;

namespace ArchDsl.Core.Shapes;

/// <summary>
/// One dimension or hyperparameter: its concrete value (for checks and counts) and the expression
/// that produced it (for generated code). Origin is the attribute argument a wrong value comes from,
/// so a diagnostic can point there.
/// </summary>
public readonly struct Dim
{
    public Dim(long value, Expr expr, SourceSpan? origin = null)
    {
        Value = value;
        Expr = expr;
        Origin = origin;
    }

    public long Value { get; }
    public Expr Expr { get; }
    public SourceSpan? Origin { get; }

    public static Dim Of(long value, SourceSpan? origin = null) => new(value, Expr.Const(value), origin);

    public static Dim operator +(Dim a, Dim b) => new(checked(a.Value + b.Value), a.Expr + b.Expr, a.Origin ?? b.Origin);
    public static Dim operator -(Dim a, Dim b) => new(checked(a.Value - b.Value), a.Expr - b.Expr, a.Origin ?? b.Origin);
    public static Dim operator *(Dim a, Dim b) => new(checked(a.Value * b.Value), a.Expr * b.Expr, a.Origin ?? b.Origin);
    public static Dim operator /(Dim a, Dim b) => new(Expr.FloorDiv(a.Value, b.Value), a.Expr / b.Expr, a.Origin ?? b.Origin);
    public static Dim operator +(Dim a, long b) => a + Of(b);
    public static Dim operator -(Dim a, long b) => a - Of(b);
    public static Dim operator *(Dim a, long b) => a * Of(b);
    public static Dim operator /(Dim a, long b) => a / Of(b);

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A tensor shape without its batch dimension.</summary>
public sealed class Shape
{
    public Shape(params Dim[] dims) => Dims = dims;
    public Dim[] Dims { get; }
    /// <summary>A map permuted to H×W×C (ConvNeXt's blocks): last-axis layers then act on the channels.</summary>
    public bool ChannelsLast { get; init; }
    public int Rank => Dims.Length;
    public Dim this[int i] => Dims[i];
    public Dim Last => Dims[Dims.Length - 1];

    public long[] Values()
    {
        var v = new long[Dims.Length];
        for (int i = 0; i < v.Length; i++) v[i] = Dims[i].Value;
        return v;
    }

    public long Numel()
    {
        long n = 1;
        foreach (var d in Dims) n = checked(n * d.Value);
        return n;
    }

    public bool SameValues(Shape other)
    {
        if (other.Rank != Rank) return false;
        for (int i = 0; i < Rank; i++)
            if (Dims[i].Value != other.Dims[i].Value) return false;
        return true;
    }

    public Shape WithLast(Dim d)
    {
        var dims = (Dim[])Dims.Clone();
        dims[dims.Length - 1] = d;
        return new Shape(dims) { ChannelsLast = ChannelsLast };
    }

    public override string ToString() => Format(Values());

    /// <summary>"64×56×56": the form every report uses.</summary>
    public static string Format(IReadOnlyList<long> dims) => Reporting.SummaryText.Shape(dims);
}
