using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Layers;

/// <summary>
/// Multi-head self-attention computed with scaled_dot_product_attention. Parameter names follow
/// PyTorch's nn.MultiheadAttention (in_proj_weight, in_proj_bias, out_proj), so its checkpoints load.
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict names; they must stay as PyTorch spells them.
#pragma warning disable IDE1006
    private readonly Parameter in_proj_weight;
    private readonly Parameter? in_proj_bias;
    private readonly Linear out_proj;
#pragma warning restore IDE1006
    private readonly long _heads;
    private readonly double _dropout;

    /// <summary>Creates the layer.</summary>
    /// <param name="features">Width D of the tokens.</param>
    /// <param name="heads">Number of heads; must divide <paramref name="features"/>.</param>
    /// <param name="dropout">Dropout on the attention weights while training.</param>
    /// <param name="bias">Whether the projections have biases.</param>
    public SelfAttention(long features, long heads, double dropout = 0.0, bool bias = true) : base(nameof(SelfAttention))
    {
        _heads = heads;
        _dropout = dropout;
        in_proj_weight = new Parameter(empty(3 * features, features));
        in_proj_bias = bias ? new Parameter(zeros(3 * features)) : null;
        out_proj = nn.Linear(features, features, hasBias: bias);
        // PyTorch's initialisation of nn.MultiheadAttention.
        nn.init.xavier_uniform_(in_proj_weight);
        if (bias) nn.init.zeros_(out_proj.bias!);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], tokens = input.shape[1], features = input.shape[2];
        var qkv = nn.functional.linear(input, in_proj_weight, in_proj_bias)
            .view(batch, tokens, 3, _heads, features / _heads)
            .permute(2, 0, 3, 1, 4);
        var attended = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], p: training ? _dropout : 0.0);
        var merged = attended.transpose(1, 2).reshape(batch, tokens, features);
        return scope.MoveToOuter(out_proj.call(merged));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            in_proj_weight.Dispose();
            in_proj_bias?.Dispose();
            out_proj.Dispose();
        }
        base.Dispose(disposing);
    }
}
