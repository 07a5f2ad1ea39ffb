using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Layers;

/// <summary>
/// A layer that keeps state between calls while a sequence is generated: keys and values seen (attention), or the
/// next position (learned positions). <see cref="Generation"/> turns it on for the duration of one generation.
/// </summary>
public interface IKvCache
{
    /// <summary>Forgets what was cached, and caches from the next call on or not.</summary>
    void ResetCache(bool enabled);
}

/// <summary>Learned absolute positions added to B×T×D tokens (GPT-2's wpe): <c>weight</c> of Context×D.</summary>
public sealed class LearnedPositions : nn.Module<Tensor, Tensor>, IKvCache
{
#pragma warning disable IDE1006 // state_dict name
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private bool _caching;
    private long _offset;

    /// <summary>Creates the layer, initialised as GPT-2's (normal, std 0.02).</summary>
    public LearnedPositions(long context, long width) : base(nameof(LearnedPositions))
    {
        weight = new Parameter(empty(context, width).normal_(0.0, 0.02));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public void ResetCache(bool enabled) { _caching = enabled; _offset = 0; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        long tokens = input.shape[1];
        if (_offset + tokens > weight.shape[0])
            throw new ArgumentException($"position {_offset + tokens - 1} is beyond the {weight.shape[0]} positions the model has weights for");
        var result = input + weight.narrow(0, _offset, tokens);
        if (_caching) _offset += tokens;
        return result;
    }
}

/// <summary>RMSNorm over the last axis (Llama): x / sqrt(mean(x²) + eps) · weight, computed in float32.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict name
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;

    /// <summary>Creates the layer with its scale at 1.</summary>
    public RmsNorm(long width, double eps = 1e-6) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = new Parameter(ones(width));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to_type(ScalarType.Float32);
        var normed = x * rsqrt(x.pow(2).mean(new long[] { -1 }, keepdim: true) + _eps);
        return scope.MoveToOuter(weight * normed.to_type(input.dtype));
    }
}

/// <summary>
/// Causal self-attention with H query heads and K key/value heads (grouped-query attention repeats each key/value
/// head for H/K query heads), through scaled_dot_product_attention. Names: q_proj, k_proj, v_proj, o_proj (Llama), or
/// packed c_attn (q, k, v) and c_proj (GPT-2, in nn.Linear's out×in layout). Rotary positions follow Hugging Face's
/// Llama (the two halves of each head rotated together). While a generation caches, keys and values are kept.
/// </summary>
public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>, IKvCache
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Linear? q_proj, k_proj, v_proj, o_proj, c_attn, c_proj;
#pragma warning restore IDE1006
    private readonly long _heads, _kvHeads, _headSize;
    private readonly bool _rotary;
    private readonly double _theta, _dropout;
    private bool _caching;
    private Tensor? _keys, _values;

    /// <summary>Creates the layer.</summary>
    /// <param name="features">Width D.</param>
    /// <param name="heads">Query heads H, dividing D.</param>
    /// <param name="kvHeads">Key/value heads, dividing H.</param>
    /// <param name="bias">Biases on the query, key and value projections.</param>
    /// <param name="outBias">Bias on the output projection; null: as <paramref name="bias"/>.</param>
    /// <param name="packed">One c_attn and c_proj (GPT-2) instead of q_proj, k_proj, v_proj and o_proj.</param>
    /// <param name="rotary">Rotary positions on queries and keys.</param>
    /// <param name="theta">Rotary base θ.</param>
    /// <param name="dropout">Attention dropout while training.</param>
    public CausalSelfAttention(long features, long heads, long kvHeads, bool bias = true, bool? outBias = null, bool packed = false,
        bool rotary = false, double theta = 10000.0, double dropout = 0.0) : base(nameof(CausalSelfAttention))
    {
        _heads = heads;
        _kvHeads = kvHeads;
        _headSize = features / heads;
        _rotary = rotary;
        _theta = theta;
        _dropout = dropout;
        long kvWidth = kvHeads * _headSize;
        if (packed)
        {
            c_attn = nn.Linear(features, features + 2 * kvWidth, hasBias: bias);
            c_proj = nn.Linear(features, features, hasBias: outBias ?? bias);
        }
        else
        {
            q_proj = nn.Linear(features, features, hasBias: bias);
            k_proj = nn.Linear(features, kvWidth, hasBias: bias);
            v_proj = nn.Linear(features, kvWidth, hasBias: bias);
            o_proj = nn.Linear(features, features, hasBias: outBias ?? bias);
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public void ResetCache(bool enabled)
    {
        _caching = enabled;
        _keys?.Dispose();
        _values?.Dispose();
        _keys = _values = null;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], tokens = input.shape[1], features = input.shape[2];
        long kvWidth = _kvHeads * _headSize;
        Tensor q, k, v;
        if (c_attn is not null)
        {
            var qkv = c_attn.call(input);
            q = qkv.narrow(-1, 0, features);
            k = qkv.narrow(-1, features, kvWidth);
            v = qkv.narrow(-1, features + kvWidth, kvWidth);
        }
        else
        {
            q = q_proj!.call(input);
            k = k_proj!.call(input);
            v = v_proj!.call(input);
        }
        q = q.view(batch, tokens, _heads, _headSize).transpose(1, 2);
        k = k.view(batch, tokens, _kvHeads, _headSize).transpose(1, 2);
        v = v.view(batch, tokens, _kvHeads, _headSize).transpose(1, 2);
        long past = _caching && _keys is not null ? _keys.shape[2] : 0;
        if (_rotary)
        {
            var (cos, sin) = Rotary.Angles(past, tokens, _headSize, _theta, q.device, q.dtype);
            q = Rotary.Apply(q, cos, sin);
            k = Rotary.Apply(k, cos, sin);
        }
        if (_caching)
        {
            if (_keys is not null)
            {
                k = cat(new[] { _keys, k }, 2);
                v = cat(new[] { _values!, v }, 2);
            }
            // Kept past this call's scope; ResetCache disposes them.
            var keptKeys = k.detach().DetachFromDisposeScope();
            var keptValues = v.detach().DetachFromDisposeScope();
            _keys?.Dispose();
            _values?.Dispose();
            _keys = keptKeys;
            _values = keptValues;
        }
        if (_kvHeads != _heads)
        {
            k = k.repeat_interleave(_heads / _kvHeads, 1);
            v = v.repeat_interleave(_heads / _kvHeads, 1);
        }
        double p = training ? _dropout : 0.0;
        Tensor attended;
        if (past == 0)
            attended = nn.functional.scaled_dot_product_attention(q, k, v, p: p, is_casual: true);
        else if (tokens == 1)
            attended = nn.functional.scaled_dot_product_attention(q, k, v, p: p);   // one new query sees every cached key
        else
        {
            // New queries after cached ones: the causal mask's diagonal moves right by the cached length.
            var allowed = ones(tokens, past + tokens, ScalarType.Bool, q.device).tril(past);
            attended = nn.functional.scaled_dot_product_attention(q, k, v, allowed, p);
        }
        var merged = attended.transpose(1, 2).reshape(batch, tokens, features);
        return scope.MoveToOuter((c_proj ?? o_proj)!.call(merged));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) ResetCache(false);
        base.Dispose(disposing);
    }
}

/// <summary>Rotary position embedding as Hugging Face's Llama applies it: x·cos + rotate_half(x)·sin.</summary>
public static class Rotary
{
    /// <summary>cos and sin of T×h angles for positions start..start+T-1: position · θ^(-2i/h), the h/2 frequencies twice.</summary>
    public static (Tensor Cos, Tensor Sin) Angles(long start, long tokens, long headSize, double theta, Device device, ScalarType dtype)
    {
        var inverse = pow(theta, -arange(0, headSize, 2, ScalarType.Float64, device) / headSize);
        var positions = arange(start, start + tokens, 1, ScalarType.Float64, device);
        var angles = outer(positions, inverse);
        var both = cat(new[] { angles, angles }, -1);
        return (both.cos().to_type(dtype), both.sin().to_type(dtype));
    }

    /// <summary>Rotates B×H×T×h queries or keys.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var rotated = cat(new[] { -x.narrow(-1, half, half), x.narrow(-1, 0, half) }, -1);
        return x * cos + rotated * sin;
    }
}

/// <summary>SwiGLU feed-forward: down_proj(silu(gate_proj(x)) · up_proj(x)), Llama's names.</summary>
public sealed class SwiGlu : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Linear gate_proj, up_proj, down_proj;
#pragma warning restore IDE1006

    /// <summary>Creates the layer.</summary>
    public SwiGlu(long features, long hidden, bool bias = false) : base(nameof(SwiGlu))
    {
        gate_proj = nn.Linear(features, hidden, hasBias: bias);
        up_proj = nn.Linear(features, hidden, hasBias: bias);
        down_proj = nn.Linear(hidden, features, hasBias: bias);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(down_proj.call(nn.functional.silu(gate_proj.call(input)) * up_proj.call(input)));
    }
}

/// <summary>One expert of <see cref="MixtureOfExperts"/>: w2(silu(w1(x)) · w3(x)), Mixtral's names.</summary>
public sealed class Expert : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Linear w1, w2, w3;
#pragma warning restore IDE1006

    /// <summary>Creates the expert, without biases.</summary>
    public Expert(long features, long hidden) : base(nameof(Expert))
    {
        w1 = nn.Linear(features, hidden, hasBias: false);
        w2 = nn.Linear(hidden, features, hasBias: false);
        w3 = nn.Linear(features, hidden, hasBias: false);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(w2.call(nn.functional.silu(w1.call(input)) * w3.call(input)));
    }
}

/// <summary>
/// Mixture-of-experts feed-forward (Mixtral's block_sparse_moe): the router <c>gate</c> scores E experts per token,
/// the top k run on it and their outputs are summed with the router's weights. Only the chosen experts compute.
/// </summary>
public sealed class MixtureOfExperts : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // state_dict names
    private readonly Linear gate;
    private readonly ModuleList<Expert> experts;
    private readonly SwiGlu? shared_experts;
#pragma warning restore IDE1006
    private readonly long _topK;
    private readonly bool _renormalize;

    /// <summary>Creates the layer.</summary>
    /// <param name="features">Width D.</param>
    /// <param name="experts">Number of experts E.</param>
    /// <param name="topK">Experts per token.</param>
    /// <param name="hidden">Hidden width of each expert.</param>
    /// <param name="renormalize">The top k weights sum to 1 (Mixtral); else they are the softmax over all experts.</param>
    /// <param name="shared">Shared experts every token uses (DeepSeekMoE): one SwiGLU of shared × hidden, added.</param>
    public MixtureOfExperts(long features, long experts, long topK, long hidden, bool renormalize = true, long shared = 0) : base(nameof(MixtureOfExperts))
    {
        _topK = topK;
        _renormalize = renormalize;
        gate = nn.Linear(features, experts, hasBias: false);
        this.experts = nn.ModuleList(Enumerable.Range(0, (int)experts).Select(_ => new Expert(features, hidden)).ToArray());
        shared_experts = shared > 0 ? new SwiGlu(features, shared * hidden) : null;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var shape = input.shape;
        long features = shape[^1];
        var x = input.reshape(-1, features);
        var probabilities = nn.functional.softmax(gate.call(x), -1, ScalarType.Float32);
        var (weights, chosen) = probabilities.topk((int)_topK, -1);
        if (_renormalize) weights = weights / weights.sum(-1, keepdim: true);
        weights = weights.to_type(x.dtype);
        var output = zeros_like(x);
        for (int e = 0; e < experts.Count; e++)
        {
            // The rows that chose expert e, and in which of their k slots.
            var hits = (chosen == e).nonzero();
            if (hits.shape[0] == 0) continue;
            var rows = hits.select(1, 0);
            var slots = hits.select(1, 1);
            var y = experts[e].call(x.index_select(0, rows)) * weights.index(rows, slots).unsqueeze(-1);
            output = output.index_add(0, rows, y, 1);
        }
        if (shared_experts is not null) output = output + shared_experts.call(x);
        return scope.MoveToOuter(output.reshape(shape));
    }
}

/// <summary>An output head sharing an embedding's weight: logits = x·Wᵀ. It registers nothing, so the weight is
/// counted and saved once, under the embedding's name.</summary>
public sealed class TiedHead : nn.Module<Tensor, Tensor>
{
    private readonly Embedding _embedding;

    /// <summary>Creates the head over the embedding's weight.</summary>
    public TiedHead(Embedding embedding) : base(nameof(TiedHead)) => _embedding = embedding;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => nn.functional.linear(input, _embedding.weight!);

    /// <summary>The embedding belongs to the model, not to the head.</summary>
    protected override void RegisterComponents() { }
}

/// <summary>Text generation from a decoder whose forward maps B×T token ids to B×T×V logits.</summary>
public static class Generation
{
    /// <summary>
    /// Appends <paramref name="steps"/> tokens to each row of <paramref name="tokens"/> (B×T, Long). Greedy when
    /// <paramref name="temperature"/> is 0, else sampled from softmax(logits / temperature) over the
    /// <paramref name="topK"/> likeliest tokens (all when 0). With <paramref name="useCache"/>, keys and values of
    /// earlier positions are kept and each step feeds one token; without, the whole sequence is recomputed each step.
    /// </summary>
    public static Tensor Generate(nn.Module<Tensor, Tensor> model, Tensor tokens, int steps, bool useCache = true,
        double temperature = 0.0, int topK = 0, Generator? generator = null)
    {
        if (temperature < 0) throw new ArgumentOutOfRangeException(nameof(temperature), "temperature must be 0 (greedy) or more");
        var caches = model.modules().OfType<IKvCache>().ToList();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var c in caches) c.ResetCache(useCache);
        try
        {
            var sequence = tokens;
            var next = tokens;
            for (int step = 0; step < steps; step++)
            {
                var logits = model.call(useCache ? next : sequence);
                var last = logits.select(1, logits.shape[1] - 1);
                if (temperature == 0)
                    next = last.argmax(-1, keepdim: true);
                else
                {
                    last = last / temperature;
                    if (topK > 0 && topK < last.shape[^1])
                    {
                        var kth = last.topk(topK, -1).values.narrow(-1, topK - 1, 1);
                        last = last.masked_fill(last < kth, double.NegativeInfinity);
                    }
                    next = multinomial(nn.functional.softmax(last, -1), 1, generator: generator);
                }
                sequence = cat(new[] { sequence, next }, 1);
            }
            return scope.MoveToOuter(sequence);
        }
        finally
        {
            foreach (var c in caches) c.ResetCache(false);
        }
    }
}
