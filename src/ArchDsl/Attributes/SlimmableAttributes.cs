using System;
using System.Diagnostics;

namespace ArchDsl;

/// <summary>
/// A slimmable network (Yu et al., "Slimmable Neural Networks", ICLR 2019): one set of weights runs at each of these
/// width multipliers, ascending, each in (0, 1]. At width m a layer of C channels uses its first int(m·C) (rounded
/// down, as the paper's code does; a width that leaves a layer none is an error at that width). The input's channels
/// and the classifier's outputs (the last Conv2d or Linear) stay. Fields declare the modules that run every width:
/// <c>SlimmableConv2d</c>, <c>SwitchableBatchNorm2d</c> (a private batch norm per width) and <c>SlimmableLinear</c>
/// from <c>ArchDsl.Layers</c>. The generated model counts each width (<c>WidthParameterCounts</c>,
/// <c>WidthMacs</c>) and switches with <c>SetWidth(m)</c>, without a rebuild.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class SlimmableAttribute : Attribute
{
    /// <param name="widths">The width multipliers, ascending, each in (0, 1]: 0.25, 0.5, 0.75, 1.0.</param>
    public SlimmableAttribute(params double[] widths) => Widths = widths;

    /// <summary>The width multipliers, ascending.</summary>
    public double[] Widths { get; }
}
