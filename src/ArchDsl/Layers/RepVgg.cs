using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Layers;

/// <summary>
/// RepVGG's block with the official names: rbr_dense (3×3 conv + BN), rbr_1x1 (1×1 conv + BN) and, where the shape is
/// kept, rbr_identity (BN), summed. <see cref="ToDeployForm"/> folds the three branches into rbr_reparam, one 3×3
/// convolution with bias that computes the same eval output.
/// </summary>
public sealed class RepVgg : nn.Module<Tensor, Tensor>, IDeployable
{
#pragma warning disable IDE1006 // state_dict names
    private Sequential? rbr_dense;
    private Sequential? rbr_1x1;
    private BatchNorm2d? rbr_identity;
    private Conv2d? rbr_reparam;
#pragma warning restore IDE1006
    private readonly long _in, _out, _stride;

    /// <summary>Creates the block in its training form.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Stride of both convolutions; the identity branch exists only at stride 1 with equal widths.</param>
    public RepVgg(long inChannels, long outChannels, long stride = 1) : base(nameof(RepVgg))
    {
        _in = inChannels;
        _out = outChannels;
        _stride = stride;
        rbr_dense = nn.Sequential(("conv", nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false)), ("bn", nn.BatchNorm2d(outChannels)));
        rbr_1x1 = nn.Sequential(("conv", nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)), ("bn", nn.BatchNorm2d(outChannels)));
        register_module(nameof(rbr_dense), rbr_dense);
        register_module(nameof(rbr_1x1), rbr_1x1);
        if (inChannels == outChannels && stride == 1)
        {
            rbr_identity = nn.BatchNorm2d(inChannels);
            register_module(nameof(rbr_identity), rbr_identity);
        }
    }

    /// <summary>Whether the block is in its deploy form.</summary>
    public bool Deployed => rbr_reparam is not null;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (rbr_reparam is not null) return rbr_reparam.call(input);
        using var scope = NewDisposeScope();
        var y = rbr_dense!.call(input).add_(rbr_1x1!.call(input));
        if (rbr_identity is not null) y = y.add_(rbr_identity.call(input));
        return scope.MoveToOuter(y);
    }

    void IDeployable.FoldOwnLayers() => ToDeployForm();

    /// <summary>
    /// Folds the branches into one 3×3 convolution with bias (eval semantics: the batch norms' running statistics):
    /// each branch's kernel scaled by γ/√(σ²+ε), the 1×1 kernel centred in 3×3, the identity as a 3×3 kernel with 1 at
    /// the centre of its own channel; biases β − μ·γ/√(σ²+ε) summed. Does nothing when already deployed.
    /// </summary>
    public void ToDeployForm()
    {
        if (rbr_reparam is not null) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var denseConv = (Conv2d)rbr_dense![0];
        var device = denseConv.weight!.device;
        var dtype = denseConv.weight!.dtype;
        var (kernel, bias) = Fold(denseConv.weight!, (BatchNorm2d)rbr_dense[1]);
        var (k1, b1) = Fold(((Conv2d)rbr_1x1![0]).weight!, (BatchNorm2d)rbr_1x1[1]);
        kernel = kernel + nn.functional.pad(k1, new long[] { 1, 1, 1, 1 });
        bias = bias + b1;
        if (rbr_identity is not null)
        {
            var identity = zeros(_in, _in, 3, 3, dtype: dtype, device: device);
            for (long c = 0; c < _in; c++) identity[c, c, 1, 1] = tensor(1.0f, dtype: dtype, device: device);
            var (ki, bi) = Fold(identity, rbr_identity);
            kernel = kernel + ki;
            bias = bias + bi;
        }
        var fused = nn.Conv2d(_in, _out, 3, stride: _stride, padding: 1, bias: true, device: device, dtype: dtype);
        fused.weight!.copy_(kernel);
        fused.bias!.copy_(bias);
        fused.train(training);
        var old = new List<nn.Module?> { rbr_dense, rbr_1x1, rbr_identity };
        ClearModules();
        foreach (var m in old) m?.Dispose();
        rbr_dense = null;
        rbr_1x1 = null;
        rbr_identity = null;
        rbr_reparam = fused;
        register_module(nameof(rbr_reparam), rbr_reparam);
    }

    private static (Tensor Kernel, Tensor Bias) Fold(Tensor kernel, BatchNorm2d bn)
    {
        var scale = bn.weight! / (bn.running_var! + bn.eps).sqrt();
        return (kernel * scale.reshape(-1, 1, 1, 1), bn.bias! - bn.running_mean! * scale);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            rbr_dense?.Dispose();
            rbr_1x1?.Dispose();
            rbr_identity?.Dispose();
            rbr_reparam?.Dispose();
        }
        base.Dispose(disposing);
    }
}
