using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Layers;

/// <summary>
/// Shifted-window multi-head self-attention with a relative position bias on a B×H×W×C map, as torchvision's Swin
/// computes it (same state_dict names: relative_position_bias_table, relative_position_index, qkv, proj). Sides the
/// window does not divide are padded with zeros and cut back afterwards, and the shift is dropped on a side one window
/// covers, both as torchvision does.
/// </summary>
public sealed class ShiftedWindowAttention : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Parameter relative_position_bias_table;
    private readonly Tensor relative_position_index;
    private readonly Linear qkv;
    private readonly Linear proj;
#pragma warning restore IDE1006
    private readonly long _heads, _window, _shift;
    private readonly double _dropout, _attentionDropout;

    /// <summary>The cyclic shift it was built with; none is applied where one window covers the map.</summary>
    public long Shift => _shift;

    /// <summary>Creates the layer.</summary>
    /// <param name="channels">Channels C of the map.</param>
    /// <param name="heads">Number of heads; must divide <paramref name="channels"/>.</param>
    /// <param name="window">Side of the square window.</param>
    /// <param name="shift">Cyclic shift of both axes before windowing (0 for none).</param>
    /// <param name="dropout">Dropout after the projection while training.</param>
    /// <param name="attentionDropout">Dropout on the attention weights while training.</param>
    public ShiftedWindowAttention(long channels, long heads, long window, long shift, double dropout = 0.0, double attentionDropout = 0.0)
        : base(nameof(ShiftedWindowAttention))
    {
        _heads = heads;
        _window = window;
        _shift = shift;
        _dropout = dropout;
        _attentionDropout = attentionDropout;
        long side = 2 * window - 1, n = window * window;
        relative_position_bias_table = new Parameter(zeros(side * side, heads));
        nn.init.trunc_normal_(relative_position_bias_table, std: 0.02);
        // Index of position j relative to position i within a window: (Δrow + w − 1)·(2w − 1) + (Δcol + w − 1).
        var index = new long[n * n];
        for (long i = 0; i < n; i++)
            for (long j = 0; j < n; j++)
                index[i * n + j] = (i / window - j / window + window - 1) * side + (i % window - j % window + window - 1);
        relative_position_index = tensor(index, new[] { n * n });
        qkv = nn.Linear(channels, 3 * channels);
        proj = nn.Linear(channels, channels);
        register_parameter(nameof(relative_position_bias_table), relative_position_bias_table);
        register_buffer(nameof(relative_position_index), relative_position_index);
        register_module(nameof(qkv), qkv);
        register_module(nameof(proj), proj);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], height = input.shape[1], width = input.shape[2], channels = input.shape[3];
        long w = _window, n = w * w;
        long padBottom = (w - height % w) % w, padRight = (w - width % w) % w;
        var x = padBottom + padRight > 0 ? nn.functional.pad(input, new long[] { 0, 0, 0, padRight, 0, padBottom }) : input;
        long ph = height + padBottom, pw = width + padRight;
        long shiftH = w >= ph ? 0 : _shift, shiftW = w >= pw ? 0 : _shift;
        bool shifted = shiftH + shiftW > 0;
        if (shifted) x = x.roll(new long[] { -shiftH, -shiftW }, new long[] { 1, 2 });

        long windows = ph / w * (pw / w);
        x = x.view(batch, ph / w, w, pw / w, w, channels).permute(0, 1, 3, 2, 4, 5).reshape(batch * windows, n, channels);
        long headDim = channels / _heads;
        var qkvs = qkv.call(x).reshape(batch * windows, n, 3, _heads, headDim).permute(2, 0, 3, 1, 4);
        var q = qkvs[0] * System.Math.Pow(headDim, -0.5);
        var attention = q.matmul(qkvs[1].transpose(-2, -1));
        var bias = relative_position_bias_table.index_select(0, relative_position_index)
            .view(n, n, -1).permute(2, 0, 1).unsqueeze(0);
        attention = attention + bias;
        if (shifted)
        {
            var mask = WindowMask(ph, pw, shiftH, shiftW, x.dtype, x.device);
            attention = (attention.view(batch, windows, _heads, n, n) + mask.unsqueeze(1).unsqueeze(0)).view(-1, _heads, n, n);
        }
        attention = nn.functional.dropout(attention.softmax(-1), _attentionDropout, training);
        x = attention.matmul(qkvs[2]).transpose(1, 2).reshape(batch * windows, n, channels);
        x = nn.functional.dropout(proj.call(x), _dropout, training);

        x = x.view(batch, ph / w, pw / w, w, w, channels).permute(0, 1, 3, 2, 4, 5).reshape(batch, ph, pw, channels);
        if (shifted) x = x.roll(new long[] { shiftH, shiftW }, new long[] { 1, 2 });
        if (padBottom + padRight > 0) x = x.slice(1, 0, height, 1).slice(2, 0, width, 1);
        return scope.MoveToOuter(x.contiguous());
    }

    /// <summary>−100 between positions of a shifted window that came from different regions of the map (they are not
    /// neighbours), 0 elsewhere: windows × N × N.</summary>
    private Tensor WindowMask(long ph, long pw, long shiftH, long shiftW, ScalarType dtype, Device device)
    {
        long w = _window, n = w * w;
        var region = new float[ph * pw];
        for (long r = 0; r < ph; r++)
            for (long c = 0; c < pw; c++)
                region[r * pw + c] = Band(r, ph, shiftH) * 3 + Band(c, pw, shiftW);
        var ids = tensor(region, new[] { ph / w, w, pw / w, w }).permute(0, 2, 1, 3).reshape(ph / w * (pw / w), n);
        var differ = ids.unsqueeze(1) - ids.unsqueeze(2);
        return zeros_like(differ).masked_fill(differ.ne(0), -100.0).to(dtype, device);

        // torchvision's slices (0, −w), (−w, −shift), (−shift, end) of one axis.
        long Band(long i, long size, long shift) => i < size - w ? 0 : i < size - shift ? 1 : 2;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            relative_position_bias_table.Dispose();
            relative_position_index.Dispose();
            qkv.Dispose();
            proj.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Swin's patch merging on a B×H×W×C map (torchvision's PatchMerging, same names): the four positions of each 2×2
/// neighbourhood side by side (x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]; odd sides padded with
/// zeros), LayerNorm over 4C, Linear 4C→2C without bias.
/// </summary>
public sealed class PatchMerging : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Linear reduction;
    private readonly LayerNorm norm;
#pragma warning restore IDE1006

    /// <summary>Creates the layer.</summary>
    /// <param name="channels">Channels C of the input map.</param>
    /// <param name="eps">Epsilon of the norm.</param>
    public PatchMerging(long channels, double eps = 1e-5) : base(nameof(PatchMerging))
    {
        reduction = nn.Linear(4 * channels, 2 * channels, hasBias: false);
        norm = nn.LayerNorm(4 * channels, eps);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long height = input.shape[1], width = input.shape[2];
        var x = height % 2 + width % 2 > 0 ? nn.functional.pad(input, new long[] { 0, 0, 0, width % 2, 0, height % 2 }) : input;
        long h = x.shape[1], w = x.shape[2];
        var merged = cat(new[]
        {
            x.slice(1, 0, h, 2).slice(2, 0, w, 2),
            x.slice(1, 1, h, 2).slice(2, 0, w, 2),
            x.slice(1, 0, h, 2).slice(2, 1, w, 2),
            x.slice(1, 1, h, 2).slice(2, 1, w, 2),
        }, -1);
        return scope.MoveToOuter(reduction.call(norm.call(merged)));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            reduction.Dispose();
            norm.Dispose();
        }
        base.Dispose(disposing);
    }
}
