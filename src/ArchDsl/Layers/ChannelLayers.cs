using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Layers;

/// <summary>Reorders the axes of its input (torch.permute), batch axis included.</summary>
public sealed class Permute : nn.Module<Tensor, Tensor>
{
    private readonly long[] _dims;

    /// <summary>Creates the module.</summary>
    /// <param name="dims">The new order of the axes, batch axis first.</param>
    public Permute(params long[] dims) : base(nameof(Permute)) => _dims = dims;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.permute(_dims);
}

/// <summary>
/// Layer normalisation of each position's channels of a B×C×H×W map (torchvision's LayerNorm2d): parameters
/// <c>weight</c> and <c>bias</c> of C elements, as PyTorch names them.
/// </summary>
public sealed class LayerNorm2d : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Parameter weight;
    private readonly Parameter bias;
#pragma warning restore IDE1006
    private readonly long _channels;
    private readonly double _eps;

    /// <summary>Creates the module.</summary>
    /// <param name="channels">C.</param>
    /// <param name="eps">Added to the variance.</param>
    public LayerNorm2d(long channels, double eps = 1e-5) : base(nameof(LayerNorm2d))
    {
        _channels = channels;
        _eps = eps;
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.layer_norm(input.permute(0, 2, 3, 1), new[] { _channels }, weight, bias, _eps);
        return scope.MoveToOuter(y.permute(0, 3, 1, 2));
    }
}

/// <summary>
/// Stochastic depth (torchvision.ops.StochasticDepth): in training, zeroes the input with probability p, per sample
/// ("row") or for the whole batch, and scales what survives by 1/(1−p); the identity in eval.
/// </summary>
public sealed class StochasticDepth : nn.Module<Tensor, Tensor>
{
    private readonly bool _row;

    /// <summary>Creates the module.</summary>
    /// <param name="p">Probability of dropping.</param>
    /// <param name="row">Per sample (true) or for the batch (false).</param>
    public StochasticDepth(double p, bool row = true) : base(nameof(StochasticDepth))
    {
        P = p;
        _row = row;
    }

    /// <summary>Probability of dropping.</summary>
    public double P { get; set; }

    /// <summary>
    /// Sets the probabilities of every StochasticDepth module under <paramref name="model"/>, rising linearly from 0 over
    /// the drop positions in registration order (forward order for generated modules): p_k = max·k/(n−1), or max·k/n when
    /// <paramref name="endsAtMax"/> is false. The layers of one block share a position, as torchvision's Swin block
    /// applies one StochasticDepth after both its attention and its MLP; a layer outside any block has its own.
    /// </summary>
    public static void Ramp(nn.Module model, double max, bool endsAtMax = true)
    {
        var positions = new System.Collections.Generic.List<System.Collections.Generic.List<StochasticDepth>>();
        string? lastOwner = null;
        foreach (var (name, m) in model.named_modules())
        {
            if (m is not StochasticDepth sd) continue;
            int dot = name.LastIndexOf('.');
            string? owner = dot < 0 ? null : name.Substring(0, dot);
            if (owner is null || owner != lastOwner || positions.Count == 0) positions.Add(new());
            positions[positions.Count - 1].Add(sd);
            lastOwner = owner;
        }
        double denominator = endsAtMax ? positions.Count - 1 : positions.Count;
        for (int k = 0; k < positions.Count; k++)
            foreach (var sd in positions[k]) sd.P = denominator <= 0 ? 0.0 : max * k / denominator;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (!training || P == 0.0) return input.alias();
        using var scope = NewDisposeScope();
        double survival = 1.0 - P;
        var shape = new long[input.dim()];
        for (int i = 0; i < shape.Length; i++) shape[i] = 1;
        if (_row) shape[0] = input.shape[0];
        var noise = empty(shape, input.dtype, input.device).bernoulli_(survival);
        if (survival > 0.0) noise.div_(survival);
        return scope.MoveToOuter(input * noise);
    }
}

/// <summary>
/// Squeeze-and-excitation (torchvision's SqueezeExcitation, same names): average pooling to C×1×1, <c>fc1</c> (a 1×1
/// convolution to the squeezed channels), <c>activation</c>, <c>fc2</c> back to C, <c>scale_activation</c>, and the
/// input times that scale.
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Conv2d fc1;
    private readonly Conv2d fc2;
    private readonly nn.Module<Tensor, Tensor> activation;
    private readonly nn.Module<Tensor, Tensor> scale_activation;
#pragma warning restore IDE1006

    /// <summary>Creates the module.</summary>
    /// <param name="channels">C, of the input and output.</param>
    /// <param name="squeeze">Channels of the bottleneck.</param>
    /// <param name="activation">After fc1 (torchvision's default: ReLU).</param>
    /// <param name="gate">The scale's activation (torchvision's default: Sigmoid).</param>
    public SqueezeExcitation(long channels, long squeeze, nn.Module<Tensor, Tensor> activation, nn.Module<Tensor, Tensor> gate)
        : base(nameof(SqueezeExcitation))
    {
        fc1 = nn.Conv2d(channels, squeeze, 1);
        fc2 = nn.Conv2d(squeeze, channels, 1);
        this.activation = activation;
        scale_activation = gate;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var scale = nn.functional.adaptive_avg_pool2d(input, 1);
        scale = scale_activation.call(fc2.call(activation.call(fc1.call(scale))));
        return scope.MoveToOuter(input * scale);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            fc1.Dispose();
            fc2.Dispose();
            activation.Dispose();
            scale_activation.Dispose();
        }
        base.Dispose(disposing);
    }
}
