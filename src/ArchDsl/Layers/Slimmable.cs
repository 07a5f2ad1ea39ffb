using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Layers;

/// <summary>A module of a slimmable model that runs at one of the model's widths, chosen by index.</summary>
public interface ISlimmable
{
    /// <summary>The index of the active width in the model's ascending widths.</summary>
    int WidthIndex { get; set; }
}

/// <summary>Switches every slimmable module of a model to one width (the generated <c>SetWidth</c>).</summary>
public static class Slimming
{
    /// <summary>Sets <paramref name="width"/>, one of <paramref name="widths"/>, on every <see cref="ISlimmable"/>
    /// module under <paramref name="model"/>: the same modules and weights, no rebuild.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is not one the model declares.</exception>
    public static void SetWidth(nn.Module model, IReadOnlyList<double> widths, double width)
    {
        int index = -1;
        for (int i = 0; i < widths.Count; i++)
            if (widths[i] == width) index = i;
        if (index < 0)
            throw new ArgumentOutOfRangeException(nameof(width), width,
                "the model runs at widths " + string.Join(", ", widths.Select(w => w.ToString("R", CultureInfo.InvariantCulture))) + " only");
        foreach (var m in model.modules())
            if (m is ISlimmable s) s.WidthIndex = index;
    }

    internal static int Check(int index, int count) =>
        index >= 0 && index < count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"the module has {count} widths");
}

/// <summary>
/// A convolution that runs at several widths from one full-width weight: at width index i it uses the first
/// outChannels[i] filters over the first inChannels[i] input channels (a depthwise one, groups = its channels, uses
/// inChannels[i] groups). Parameters weight and bias as nn.Conv2d's, initialised as nn.Conv2d initialises them.
/// </summary>
public sealed class SlimmableConv2d : nn.Module<Tensor, Tensor>, ISlimmable
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Parameter weight;
    private readonly Parameter? bias;
#pragma warning restore IDE1006
    private readonly long[] _in, _out;
    private readonly long _stride, _padding, _dilation;
    private readonly bool _depthwise;
    private int _index;

    /// <summary>Creates the convolution at full width, active at the widest.</summary>
    /// <param name="inChannels">Input channels at full width.</param>
    /// <param name="outChannels">Output channels at full width.</param>
    /// <param name="kernelSize">Square kernel size.</param>
    /// <param name="inPerWidth">Active input channels at each width, ascending.</param>
    /// <param name="outPerWidth">Active output channels at each width.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="dilation">Dilation.</param>
    /// <param name="groups">1, or the input channels for a depthwise convolution (then the groups slim with them).</param>
    /// <param name="bias">Whether it has a bias.</param>
    public SlimmableConv2d(long inChannels, long outChannels, long kernelSize, long[] inPerWidth, long[] outPerWidth,
        long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true) : base(nameof(SlimmableConv2d))
    {
        if (inPerWidth.Length == 0 || inPerWidth.Length != outPerWidth.Length)
            throw new ArgumentException("give the active channels at each width, as many inputs as outputs", nameof(outPerWidth));
        if (groups != 1 && (groups != inChannels || outChannels != inChannels))
            throw new ArgumentException("only plain (groups = 1) and depthwise (groups = channels) convolutions slim", nameof(groups));
        _in = inPerWidth;
        _out = outPerWidth;
        _stride = stride;
        _padding = padding;
        _dilation = dilation;
        _depthwise = groups != 1;
        // nn.Conv2d's initialisation (Kaiming-uniform weight, bias from the fan-in), then the tensors are this module's.
        using (var conv = nn.Conv2d(inChannels, outChannels, kernelSize, groups: groups, bias: bias))
        {
            weight = nn.Parameter(conv.weight!.detach().clone());
            if (bias) this.bias = nn.Parameter(conv.bias!.detach().clone());
        }
        _index = _in.Length - 1;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public int WidthIndex { get => _index; set => _index = Slimming.Check(value, _in.Length); }

    /// <summary>The filters the active width uses: a view of the full weight (gradients reach the full weight).</summary>
    public Tensor ActiveWeight => weight.narrow(0, 0, _out[_index]).narrow(1, 0, _depthwise ? 1 : _in[_index]);

    /// <summary>The biases the active width uses, or null.</summary>
    public Tensor? ActiveBias => bias?.narrow(0, 0, _out[_index]);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var w = ActiveWeight;
        using var b = ActiveBias;
        return nn.functional.conv2d(input, w, b, strides: new[] { _stride, _stride }, padding: new[] { _padding, _padding },
            dilation: new[] { _dilation, _dilation }, groups: _depthwise ? _in[_index] : 1);
    }
}

/// <summary>
/// A linear layer that runs at several widths from one full-width weight: at width index i the first outPerWidth[i]
/// outputs over the first inPerWidth[i] inputs. Parameters weight and bias as nn.Linear's.
/// </summary>
public sealed class SlimmableLinear : nn.Module<Tensor, Tensor>, ISlimmable
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Parameter weight;
    private readonly Parameter? bias;
#pragma warning restore IDE1006
    private readonly long[] _in, _out;
    private int _index;

    /// <summary>Creates the layer at full width, active at the widest.</summary>
    /// <param name="inFeatures">Input features at full width.</param>
    /// <param name="outFeatures">Output features at full width.</param>
    /// <param name="inPerWidth">Active inputs at each width, ascending.</param>
    /// <param name="outPerWidth">Active outputs at each width.</param>
    /// <param name="hasBias">Whether it has a bias.</param>
    public SlimmableLinear(long inFeatures, long outFeatures, long[] inPerWidth, long[] outPerWidth, bool hasBias = true) : base(nameof(SlimmableLinear))
    {
        if (inPerWidth.Length == 0 || inPerWidth.Length != outPerWidth.Length)
            throw new ArgumentException("give the active features at each width, as many inputs as outputs", nameof(outPerWidth));
        _in = inPerWidth;
        _out = outPerWidth;
        using (var linear = nn.Linear(inFeatures, outFeatures, hasBias))
        {
            weight = nn.Parameter(linear.weight!.detach().clone());
            if (hasBias) bias = nn.Parameter(linear.bias!.detach().clone());
        }
        _index = _in.Length - 1;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public int WidthIndex { get => _index; set => _index = Slimming.Check(value, _in.Length); }

    /// <summary>The weights the active width uses: a view of the full weight.</summary>
    public Tensor ActiveWeight => weight.narrow(0, 0, _out[_index]).narrow(1, 0, _in[_index]);

    /// <summary>The biases the active width uses, or null.</summary>
    public Tensor? ActiveBias => bias?.narrow(0, 0, _out[_index]);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var w = ActiveWeight;
        using var b = ActiveBias;
        return nn.functional.linear(input, w, b);
    }
}

/// <summary>
/// Switchable batch normalisation: a private BatchNorm2d per width (features[i] channels), named bn.0, bn.1, ... as in
/// the slimmable networks' code, so that each width keeps its own statistics and affine parameters.
/// </summary>
public sealed class SwitchableBatchNorm2d : nn.Module<Tensor, Tensor>, ISlimmable
{
#pragma warning disable IDE1006 // state_dict names
    private readonly ModuleList<BatchNorm2d> bn;
#pragma warning restore IDE1006
    private int _index;

    /// <summary>Creates one batch norm per width, active at the widest.</summary>
    /// <param name="features">Channels at each width, ascending.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="momentum">Running statistics' momentum.</param>
    public SwitchableBatchNorm2d(long[] features, double eps = 1e-5, double momentum = 0.1) : base(nameof(SwitchableBatchNorm2d))
    {
        if (features.Length == 0) throw new ArgumentException("give the channels at each width", nameof(features));
        bn = nn.ModuleList(features.Select(c => nn.BatchNorm2d(c, eps, momentum)).ToArray());
        _index = features.Length - 1;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public int WidthIndex { get => _index; set => _index = Slimming.Check(value, bn.Count); }

    /// <summary>The batch norm of the active width.</summary>
    public BatchNorm2d Active => bn[_index];

    /// <summary>The batch norm of width index <paramref name="index"/>.</summary>
    public BatchNorm2d this[int index] => bn[index];

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => bn[_index].call(input);
}
