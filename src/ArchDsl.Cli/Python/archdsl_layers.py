"""PyTorch twins of ArchDsl's runtime modules (the C# classes in ArchDsl.Layers).

Each class here has the C# class's name, takes the C# constructor's arguments in the same order (keywords are the C#
names in snake_case) and has the same state_dict keys, shapes and order, and the same forward: a checkpoint saved by
the generated TorchSharp module loads strictly into the exported PyTorch module and gives the same eval outputs, and
the other way round. Every constructor also takes ``device`` and ``dtype`` and creates its parameters and buffers
with them, so that ``Model(device="meta")`` builds a large model without allocating its weights.

Runs on PyTorch 1.13 through 2.x: attention uses ``F.scaled_dot_product_attention`` where PyTorch has it and the
same computation written out (softmax(QK^T/sqrt(d))V with the same mask) where it does not.

Written by ``archdsl export pytorch``; tested against the C# classes by ArchDsl's test suite (PythonTwinTests).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "CausalSelfAttention", "Container", "Expert", "LayerNorm2d", "LearnedPositions", "MixtureOfExperts",
    "PatchMerging", "Permute", "RepVgg", "RmsNorm", "SelectToken", "SelfAttention", "ShiftedWindowAttention",
    "SqueezeExcitation", "StochasticDepth", "SwiGlu", "TiedHead", "Tokens", "generate", "reparameterize",
    "reset_caches", "rotary_angles", "apply_rotary", "ExitHead", "SlimmableConv2d", "SlimmableLinear",
    "SwitchableBatchNorm2d", "set_width",
]

_HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


def _attention(q, k, v, mask=None, causal=False, dropout=0.0):
    """softmax(QK^T/sqrt(d) + mask)V on B x H x T x d tensors; mask is boolean (True: may attend)."""
    if _HAS_SDPA:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout, is_causal=causal)
    scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(q.shape[-1]))
    if causal:
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool, device=q.device).tril()
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    if dropout > 0.0:
        weights = F.dropout(weights, dropout, training=True)
    return torch.matmul(weights, v)


class Permute(nn.Module):
    """Reorders the axes of its input (torch.permute), batch axis included."""

    def __init__(self, *dims, device=None, dtype=None):
        super().__init__()
        if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
            dims = tuple(dims[0])
        self.dims = tuple(int(d) for d in dims)

    def forward(self, input):
        return input.permute(self.dims)


class LayerNorm2d(nn.Module):
    """Layer normalisation of each position's channels of a B x C x H x W map (torchvision's LayerNorm2d)."""

    def __init__(self, channels, eps=1e-5, device=None, dtype=None):
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels, device=device, dtype=dtype))
        self.bias = nn.Parameter(torch.zeros(channels, device=device, dtype=dtype))

    def forward(self, input):
        y = F.layer_norm(input.permute(0, 2, 3, 1), (self.channels,), self.weight, self.bias, self.eps)
        return y.permute(0, 3, 1, 2)


class StochasticDepth(nn.Module):
    """Stochastic depth (torchvision.ops.StochasticDepth): in training, zeroes the input with probability p, per
    sample ("row") or for the whole batch, and scales what survives by 1/(1-p); the identity in eval."""

    def __init__(self, p, row=True, device=None, dtype=None):
        super().__init__()
        self.p = p
        self.row = row

    @staticmethod
    def ramp(model, max, ends_at_max=True):
        """Sets p of every StochasticDepth under model, in registration order, rising linearly from 0 to max."""
        layers = [m for m in model.modules() if isinstance(m, StochasticDepth)]
        denominator = len(layers) - 1 if ends_at_max else len(layers)
        for i, layer in enumerate(layers):
            layer.p = 0.0 if denominator <= 0 else max * i / denominator

    def forward(self, input):
        if not self.training or self.p == 0.0:
            return input
        survival = 1.0 - self.p
        shape = [input.shape[0] if self.row else 1] + [1] * (input.dim() - 1)
        noise = torch.empty(shape, dtype=input.dtype, device=input.device).bernoulli_(survival)
        if survival > 0.0:
            noise.div_(survival)
        return input * noise


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (torchvision's names): average pool, fc1 (1x1 conv), activation, fc2, scale_activation,
    and the input times that scale."""

    def __init__(self, channels, squeeze, activation, gate, device=None, dtype=None):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeeze, 1, device=device, dtype=dtype)
        self.fc2 = nn.Conv2d(squeeze, channels, 1, device=device, dtype=dtype)
        self.activation = activation
        self.scale_activation = gate

    def forward(self, input):
        scale = F.adaptive_avg_pool2d(input, 1)
        scale = self.scale_activation(self.fc2(self.activation(self.fc1(scale))))
        return input * scale


class Container(nn.Module):
    """Holds submodules under names that are no Python identifiers ("0", "block1-0") so that state_dict keys are
    PyTorch's. Never called."""

    def __init__(self, device=None, dtype=None):
        super().__init__()

    @staticmethod
    def register_each(parent, stage, name):
        """Registers each block of stage in parent under name(index)."""
        for i, block in enumerate(stage.children()):
            parent.add_module(name(i), block)


class Tokens(nn.Module):
    """B x C x H x W maps to B x (H*W) x C tokens."""

    def __init__(self, device=None, dtype=None):
        super().__init__()

    def forward(self, input):
        return input.flatten(2).transpose(1, 2)


class SelectToken(nn.Module):
    """Takes one token of a B x N x D sequence: B x D."""

    def __init__(self, index=0, device=None, dtype=None):
        super().__init__()
        self.index = index

    def forward(self, input):
        return input.select(1, self.index)


class SelfAttention(nn.Module):
    """Multi-head self-attention with nn.MultiheadAttention's names (in_proj_weight, in_proj_bias, out_proj)."""

    def __init__(self, features, heads, dropout=0.0, bias=True, device=None, dtype=None):
        super().__init__()
        self.heads = heads
        self.dropout = dropout
        self.in_proj_weight = nn.Parameter(torch.empty(3 * features, features, device=device, dtype=dtype))
        if bias:
            self.in_proj_bias = nn.Parameter(torch.zeros(3 * features, device=device, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(features, features, bias=bias, device=device, dtype=dtype)
        # PyTorch's initialisation of nn.MultiheadAttention.
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            nn.init.zeros_(self.out_proj.bias)

    def forward(self, input):
        batch, tokens, features = input.shape
        qkv = F.linear(input, self.in_proj_weight, self.in_proj_bias)
        qkv = qkv.view(batch, tokens, 3, self.heads, features // self.heads).permute(2, 0, 3, 1, 4)
        attended = _attention(qkv[0], qkv[1], qkv[2], dropout=self.dropout if self.training else 0.0)
        return self.out_proj(attended.transpose(1, 2).reshape(batch, tokens, features))


class LearnedPositions(nn.Module):
    """Learned absolute positions added to B x T x D tokens (GPT-2's wpe): weight of context x width."""

    def __init__(self, context, width, device=None, dtype=None):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(context, width, device=device, dtype=dtype).normal_(0.0, 0.02))
        self._caching = False
        self._offset = 0

    def reset_cache(self, enabled):
        """Forgets the position reached, and counts positions from the next call on or not."""
        self._caching = enabled
        self._offset = 0

    def forward(self, input):
        tokens = input.shape[1]
        if self._offset + tokens > self.weight.shape[0]:
            raise ValueError(f"position {self._offset + tokens - 1} is beyond the {self.weight.shape[0]} positions "
                             "the model has weights for")
        result = input + self.weight.narrow(0, self._offset, tokens)
        if self._caching:
            self._offset += tokens
        return result


class RmsNorm(nn.Module):
    """RMSNorm over the last axis (Llama): x / sqrt(mean(x^2) + eps) * weight, computed in float32."""

    def __init__(self, width, eps=1e-6, device=None, dtype=None):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(width, device=device, dtype=dtype))

    def forward(self, input):
        x = input.to(torch.float32)
        normed = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * normed.to(input.dtype)


def rotary_angles(start, tokens, head_size, theta, device, dtype):
    """cos and sin of T x h angles for positions start..start+T-1: position * theta^(-2i/h), the h/2 frequencies
    twice (Hugging Face's Llama). Computed in float64, as the C# Rotary.Angles does."""
    inverse = torch.pow(theta, -torch.arange(0, head_size, 2, dtype=torch.float64, device=device) / head_size)
    positions = torch.arange(start, start + tokens, 1, dtype=torch.float64, device=device)
    angles = torch.outer(positions, inverse)
    both = torch.cat([angles, angles], -1)
    return both.cos().to(dtype), both.sin().to(dtype)


def apply_rotary(x, cos, sin):
    """Rotates B x H x T x h queries or keys: x * cos + rotate_half(x) * sin."""
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
    return x * cos + rotated * sin


class CausalSelfAttention(nn.Module):
    """Causal self-attention with H query heads and K key/value heads (grouped-query attention); names q_proj,
    k_proj, v_proj, o_proj (Llama) or packed c_attn and c_proj (GPT-2); optional rotary positions; a key/value cache
    while a generation runs."""

    def __init__(self, features, heads, kv_heads, bias=True, out_bias=None, packed=False, rotary=False,
                 theta=10000.0, dropout=0.0, device=None, dtype=None):
        super().__init__()
        self.heads = heads
        self.kv_heads = kv_heads
        self.head_size = features // heads
        self.rotary = rotary
        self.theta = theta
        self.dropout = dropout
        kv_width = kv_heads * self.head_size
        out_bias = bias if out_bias is None else out_bias
        factory = {"device": device, "dtype": dtype}
        if packed:
            self.c_attn = nn.Linear(features, features + 2 * kv_width, bias=bias, **factory)
            self.c_proj = nn.Linear(features, features, bias=out_bias, **factory)
        else:
            self.q_proj = nn.Linear(features, features, bias=bias, **factory)
            self.k_proj = nn.Linear(features, kv_width, bias=bias, **factory)
            self.v_proj = nn.Linear(features, kv_width, bias=bias, **factory)
            self.o_proj = nn.Linear(features, features, bias=out_bias, **factory)
        self.packed = packed
        self._caching = False
        self._keys = None
        self._values = None

    def reset_cache(self, enabled):
        """Forgets the cached keys and values, and caches from the next call on or not."""
        self._caching = enabled
        self._keys = None
        self._values = None

    def forward(self, input):
        batch, tokens, features = input.shape
        kv_width = self.kv_heads * self.head_size
        if self.packed:
            q, k, v = self.c_attn(input).split([features, kv_width, kv_width], dim=-1)
        else:
            q, k, v = self.q_proj(input), self.k_proj(input), self.v_proj(input)
        q = q.view(batch, tokens, self.heads, self.head_size).transpose(1, 2)
        k = k.view(batch, tokens, self.kv_heads, self.head_size).transpose(1, 2)
        v = v.view(batch, tokens, self.kv_heads, self.head_size).transpose(1, 2)
        past = self._keys.shape[2] if self._caching and self._keys is not None else 0
        if self.rotary:
            cos, sin = rotary_angles(past, tokens, self.head_size, self.theta, q.device, q.dtype)
            q = apply_rotary(q, cos, sin)
            k = apply_rotary(k, cos, sin)
        if self._caching:
            if self._keys is not None:
                k = torch.cat([self._keys, k], 2)
                v = torch.cat([self._values, v], 2)
            self._keys, self._values = k.detach(), v.detach()
        if self.kv_heads != self.heads:
            k = k.repeat_interleave(self.heads // self.kv_heads, 1)
            v = v.repeat_interleave(self.heads // self.kv_heads, 1)
        p = self.dropout if self.training else 0.0
        if past == 0:
            attended = _attention(q, k, v, causal=True, dropout=p)
        elif tokens == 1:
            attended = _attention(q, k, v, dropout=p)  # one new query sees every cached key
        else:
            # New queries after cached ones: the causal mask's diagonal moves right by the cached length.
            allowed = torch.ones(tokens, past + tokens, dtype=torch.bool, device=q.device).tril(past)
            attended = _attention(q, k, v, mask=allowed, dropout=p)
        merged = attended.transpose(1, 2).reshape(batch, tokens, features)
        return (self.c_proj if self.packed else self.o_proj)(merged)


class SwiGlu(nn.Module):
    """SwiGLU feed-forward: down_proj(silu(gate_proj(x)) * up_proj(x)), Llama's names."""

    def __init__(self, features, hidden, bias=False, device=None, dtype=None):
        super().__init__()
        self.gate_proj = nn.Linear(features, hidden, bias=bias, device=device, dtype=dtype)
        self.up_proj = nn.Linear(features, hidden, bias=bias, device=device, dtype=dtype)
        self.down_proj = nn.Linear(hidden, features, bias=bias, device=device, dtype=dtype)

    def forward(self, input):
        return self.down_proj(F.silu(self.gate_proj(input)) * self.up_proj(input))


class Expert(nn.Module):
    """One expert of MixtureOfExperts: w2(silu(w1(x)) * w3(x)), Mixtral's names, no biases."""

    def __init__(self, features, hidden, device=None, dtype=None):
        super().__init__()
        self.w1 = nn.Linear(features, hidden, bias=False, device=device, dtype=dtype)
        self.w2 = nn.Linear(hidden, features, bias=False, device=device, dtype=dtype)
        self.w3 = nn.Linear(features, hidden, bias=False, device=device, dtype=dtype)

    def forward(self, input):
        return self.w2(F.silu(self.w1(input)) * self.w3(input))


class MixtureOfExperts(nn.Module):
    """Mixture-of-experts feed-forward (Mixtral's block_sparse_moe): the router gate scores E experts per token, the
    top k run on it and their outputs are summed with the router's weights; optional shared experts (DeepSeekMoE)."""

    def __init__(self, features, experts, top_k, hidden, renormalize=True, shared=0, device=None, dtype=None):
        super().__init__()
        self.top_k = top_k
        self.renormalize = renormalize
        self.gate = nn.Linear(features, experts, bias=False, device=device, dtype=dtype)
        self.experts = nn.ModuleList(Expert(features, hidden, device=device, dtype=dtype) for _ in range(experts))
        self.shared_experts = SwiGlu(features, shared * hidden, device=device, dtype=dtype) if shared > 0 else None

    def forward(self, input):
        shape = input.shape
        x = input.reshape(-1, shape[-1])
        probabilities = F.softmax(self.gate(x), dim=-1, dtype=torch.float32)
        weights, chosen = probabilities.topk(self.top_k, dim=-1)
        if self.renormalize:
            weights = weights / weights.sum(-1, keepdim=True)
        weights = weights.to(x.dtype)
        output = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            # The rows that chose expert e, and in which of their k slots.
            rows, slots = (chosen == e).nonzero(as_tuple=True)
            if rows.numel() == 0:
                continue
            y = expert(x.index_select(0, rows)) * weights[rows, slots].unsqueeze(-1)
            output = output.index_add(0, rows, y)
        if self.shared_experts is not None:
            output = output + self.shared_experts(x)
        return output.reshape(shape)


class TiedHead(nn.Module):
    """An output head sharing an embedding's weight: logits = x W^T. It registers nothing, so the weight is counted
    and saved once, under the embedding's name."""

    def __init__(self, embedding, device=None, dtype=None):
        super().__init__()
        # A plain attribute, not a submodule: the embedding belongs to the model, not to the head.
        object.__setattr__(self, "_embedding", embedding)

    def forward(self, input):
        return F.linear(input, self._embedding.weight)


class ShiftedWindowAttention(nn.Module):
    """Shifted-window multi-head self-attention with a relative position bias on a B x H x W x C map, as
    torchvision's Swin computes it (same names: relative_position_bias_table, relative_position_index, qkv, proj)."""

    def __init__(self, channels, heads, window, shift, dropout=0.0, attention_dropout=0.0, device=None, dtype=None):
        super().__init__()
        self.heads = heads
        self.window = window
        self.shift = shift
        self.dropout = dropout
        self.attention_dropout = attention_dropout
        side, n = 2 * window - 1, window * window
        self.relative_position_bias_table = nn.Parameter(torch.zeros(side * side, heads, device=device, dtype=dtype))
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)
        # Index of position j relative to position i within a window: (drow + w - 1)(2w - 1) + (dcol + w - 1).
        i = torch.arange(n, device=device).unsqueeze(1)
        j = torch.arange(n, device=device).unsqueeze(0)
        index = (i // window - j // window + window - 1) * side + (i % window - j % window + window - 1)
        self.register_buffer("relative_position_index", index.reshape(n * n))
        self.qkv = nn.Linear(channels, 3 * channels, device=device, dtype=dtype)
        self.proj = nn.Linear(channels, channels, device=device, dtype=dtype)

    def forward(self, input):
        batch, height, width, channels = input.shape
        w = self.window
        n = w * w
        pad_bottom, pad_right = (w - height % w) % w, (w - width % w) % w
        x = F.pad(input, (0, 0, 0, pad_right, 0, pad_bottom)) if pad_bottom + pad_right > 0 else input
        ph, pw = height + pad_bottom, width + pad_right
        shift_h = 0 if w >= ph else self.shift
        shift_w = 0 if w >= pw else self.shift
        shifted = shift_h + shift_w > 0
        if shifted:
            x = x.roll((-shift_h, -shift_w), (1, 2))
        windows = (ph // w) * (pw // w)
        x = x.view(batch, ph // w, w, pw // w, w, channels).permute(0, 1, 3, 2, 4, 5).reshape(batch * windows, n, channels)
        head_dim = channels // self.heads
        qkvs = self.qkv(x).reshape(batch * windows, n, 3, self.heads, head_dim).permute(2, 0, 3, 1, 4)
        q = qkvs[0] * head_dim ** -0.5
        attention = q.matmul(qkvs[1].transpose(-2, -1))
        bias = self.relative_position_bias_table[self.relative_position_index].view(n, n, -1).permute(2, 0, 1).unsqueeze(0)
        attention = attention + bias
        if shifted:
            mask = self._window_mask(ph, pw, shift_h, shift_w, x.dtype, x.device)
            attention = (attention.view(batch, windows, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)).view(-1, self.heads, n, n)
        attention = F.dropout(attention.softmax(-1), self.attention_dropout, self.training)
        x = attention.matmul(qkvs[2]).transpose(1, 2).reshape(batch * windows, n, channels)
        x = F.dropout(self.proj(x), self.dropout, self.training)
        x = x.view(batch, ph // w, pw // w, w, w, channels).permute(0, 1, 3, 2, 4, 5).reshape(batch, ph, pw, channels)
        if shifted:
            x = x.roll((shift_h, shift_w), (1, 2))
        if pad_bottom + pad_right > 0:
            x = x[:, :height, :width, :]
        return x.contiguous()

    def _window_mask(self, ph, pw, shift_h, shift_w, dtype, device):
        """-100 between positions of a shifted window that came from different regions of the map, 0 elsewhere."""
        w = self.window
        n = w * w

        def band(i, size, shift):  # torchvision's slices (0, -w), (-w, -shift), (-shift, end) of one axis
            return 0 if i < size - w else 1 if i < size - shift else 2

        region = torch.tensor([[band(r, ph, shift_h) * 3 + band(c, pw, shift_w) for c in range(pw)] for r in range(ph)],
                              dtype=torch.float32)
        ids = region.view(ph // w, w, pw // w, w).permute(0, 2, 1, 3).reshape((ph // w) * (pw // w), n)
        differ = ids.unsqueeze(1) - ids.unsqueeze(2)
        return torch.zeros_like(differ).masked_fill(differ != 0, -100.0).to(dtype=dtype, device=device)


class PatchMerging(nn.Module):
    """Swin's patch merging on a B x H x W x C map (torchvision's names): the four positions of each 2x2
    neighbourhood side by side (odd sides padded with zeros), LayerNorm over 4C, Linear 4C -> 2C without bias."""

    def __init__(self, channels, eps=1e-5, device=None, dtype=None):
        super().__init__()
        self.reduction = nn.Linear(4 * channels, 2 * channels, bias=False, device=device, dtype=dtype)
        self.norm = nn.LayerNorm(4 * channels, eps, device=device, dtype=dtype)

    def forward(self, input):
        height, width = input.shape[1], input.shape[2]
        x = F.pad(input, (0, 0, 0, width % 2, 0, height % 2)) if height % 2 + width % 2 > 0 else input
        merged = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        return self.reduction(self.norm(merged))


class RepVgg(nn.Module):
    """RepVGG's block with the official names: rbr_dense (3x3 conv + BN), rbr_1x1 (1x1 conv + BN) and, where the
    shape is kept, rbr_identity (BN), summed. to_deploy_form() folds them into rbr_reparam, one 3x3 conv with bias."""

    def __init__(self, in_channels, out_channels, stride=1, device=None, dtype=None):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.stride = stride
        factory = {"device": device, "dtype": dtype}
        self.rbr_dense = nn.Sequential()
        self.rbr_dense.add_module("conv", nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False, **factory))
        self.rbr_dense.add_module("bn", nn.BatchNorm2d(out_channels, **factory))
        self.rbr_1x1 = nn.Sequential()
        self.rbr_1x1.add_module("conv", nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False, **factory))
        self.rbr_1x1.add_module("bn", nn.BatchNorm2d(out_channels, **factory))
        self.rbr_identity = nn.BatchNorm2d(in_channels, **factory) if in_channels == out_channels and stride == 1 else None
        self.rbr_reparam = None

    @property
    def deployed(self):
        """Whether the block is in its deploy form."""
        return self.rbr_reparam is not None

    def forward(self, input):
        if self.rbr_reparam is not None:
            return self.rbr_reparam(input)
        y = self.rbr_dense(input) + self.rbr_1x1(input)
        if self.rbr_identity is not None:
            y = y + self.rbr_identity(input)
        return y

    @staticmethod
    def _fold(kernel, bn):
        scale = bn.weight / (bn.running_var + bn.eps).sqrt()
        return kernel * scale.reshape(-1, 1, 1, 1), bn.bias - bn.running_mean * scale

    @torch.no_grad()
    def to_deploy_form(self):
        """Folds the branches into one 3x3 convolution with bias (eval semantics: the batch norms' running
        statistics). Does nothing when already deployed."""
        if self.rbr_reparam is not None:
            return
        weight = self.rbr_dense.conv.weight
        kernel, bias = self._fold(weight, self.rbr_dense.bn)
        k1, b1 = self._fold(self.rbr_1x1.conv.weight, self.rbr_1x1.bn)
        kernel = kernel + F.pad(k1, (1, 1, 1, 1))
        bias = bias + b1
        if self.rbr_identity is not None:
            identity = torch.zeros(self.in_channels, self.in_channels, 3, 3, dtype=weight.dtype, device=weight.device)
            identity[torch.arange(self.in_channels), torch.arange(self.in_channels), 1, 1] = 1.0
            ki, bi = self._fold(identity, self.rbr_identity)
            kernel = kernel + ki
            bias = bias + bi
        fused = nn.Conv2d(self.in_channels, self.out_channels, 3, stride=self.stride, padding=1, bias=True,
                          device=weight.device, dtype=weight.dtype)
        fused.weight.copy_(kernel)
        fused.bias.copy_(bias)
        fused.train(self.training)
        del self.rbr_dense, self.rbr_1x1, self.rbr_identity
        self.rbr_dense = self.rbr_1x1 = self.rbr_identity = None
        self.rbr_reparam = fused


def reparameterize(model):
    """Converts every re-parameterised layer (RepVgg) in model into its deploy form, in place (Reparameterization)."""
    for block in [m for m in model.modules() if isinstance(m, RepVgg)]:
        block.to_deploy_form()
    return model


def reset_caches(model, enabled):
    """Resets every key/value or position cache under model (IKvCache.ResetCache)."""
    for m in model.modules():
        if hasattr(m, "reset_cache"):
            m.reset_cache(enabled)


@torch.no_grad()
def generate(model, tokens, steps, use_cache=True, temperature=0.0, top_k=0, generator=None):
    """Appends steps tokens to each row of tokens (B x T, int64), greedily when temperature is 0, else sampled from
    softmax(logits / temperature) over the top_k likeliest tokens (all when 0), as the C# Generation.Generate does."""
    if temperature < 0:
        raise ValueError("temperature must be 0 (greedy) or more")
    reset_caches(model, use_cache)
    try:
        sequence = nxt = tokens
        for _ in range(steps):
            logits = model(nxt if use_cache else sequence)
            last = logits[:, -1]
            if temperature == 0:
                nxt = last.argmax(-1, keepdim=True)
            else:
                last = last / temperature
                if 0 < top_k < last.shape[-1]:
                    kth = last.topk(top_k, -1).values[..., -1:]
                    last = last.masked_fill(last < kth, float("-inf"))
                nxt = torch.multinomial(F.softmax(last, -1), 1, generator=generator)
            sequence = torch.cat([sequence, nxt], 1)
        return sequence
    finally:
        reset_caches(model, False)


class ExitHead(nn.Module):
    """A classifier exit: global average pooling of a B x C x H x W map (none on a B x C vector) and fc."""

    def __init__(self, features, classes, pool, device=None, dtype=None):
        super().__init__()
        self.pool = pool
        self.fc = nn.Linear(features, classes, device=device, dtype=dtype)

    def forward(self, input):
        return self.fc(input.mean((2, 3)) if self.pool else input)


def run_exits(x, threshold, mode, segments, exits):
    """The confidence-thresholded forward of a model with early exits, as the C# EarlyExits.Run: segments run in turn;
    after segment k (all but the last) exit k gives logits, and a sample whose largest softmax probability is at least
    threshold returns there ("per_batch": when every sample of the batch is; "per_sample": each on its own). Returns the
    logits (B x classes) and, per sample, the index of the exit it took (int64). For inference."""
    if mode not in ("per_batch", "per_sample"):
        raise ValueError(f"mode is 'per_batch' or 'per_sample', not {mode!r}")
    if len(segments) != len(exits) + 1:
        raise ValueError("one segment more than exits: the last ends in the model's classifier")
    batch, last = x.shape[0], len(exits)

    def confidence(logits):
        return F.softmax(logits, -1).max(-1).values

    if mode == "per_batch" or batch == 0:
        for k in range(last):
            x = segments[k](x)
            logits = exits[k](x)
            if bool(confidence(logits).ge(threshold).all()):
                return logits, torch.full((batch,), k, dtype=torch.int64, device=logits.device)
        final = segments[last](x)
        return final, torch.full((batch,), last, dtype=torch.int64, device=final.device)
    result = None
    taken = torch.full((batch,), last, dtype=torch.int64, device=x.device)
    remaining = torch.arange(batch, dtype=torch.int64, device=x.device)   # each row's place in the batch
    for k in range(last):
        if remaining.shape[0] == 0:
            break
        x = segments[k](x)
        logits = exits[k](x)
        if result is None:
            result = torch.zeros(batch, logits.shape[1], dtype=logits.dtype, device=logits.device)
        done = confidence(logits).ge(threshold)
        if not bool(done.any()):
            continue
        rows = remaining.masked_select(done)
        result.index_copy_(0, rows, logits[done])
        taken.index_fill_(0, rows, k)
        keep = done.logical_not()
        x = x[keep]
        remaining = remaining.masked_select(keep)
    if remaining.shape[0] > 0:
        final = segments[last](x)
        if result is None:
            result = torch.zeros(batch, final.shape[1], dtype=final.dtype, device=final.device)
        result.index_copy_(0, remaining, final)
    return result, taken


class SlimmableConv2d(nn.Module):
    """A convolution whose first in_per_width[i] input and out_per_width[i] output channels run at width i (the
    widest by default): one weight and bias of the widest shape, sliced. Plain (groups 1) or depthwise."""

    def __init__(self, in_channels, out_channels, kernel_size, in_per_width, out_per_width, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, device=None, dtype=None):
        super().__init__()
        if len(in_per_width) == 0 or len(in_per_width) != len(out_per_width):
            raise ValueError("give the active channels at each width, as many inputs as outputs")
        if groups != 1 and (groups != in_channels or out_channels != in_channels):
            raise ValueError("only plain (groups = 1) and depthwise (groups = channels) convolutions slim")
        self.in_per_width, self.out_per_width = list(in_per_width), list(out_per_width)
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.depthwise = groups != 1
        # nn.Conv2d's initialisation, then the tensors are this module's.
        conv = nn.Conv2d(in_channels, out_channels, kernel_size, groups=groups, bias=bias, device=device, dtype=dtype)
        self.weight = conv.weight
        self.bias = conv.bias if bias else None
        self.width_index = len(in_per_width) - 1

    def forward(self, input):
        i = self.width_index
        weight = self.weight[: self.out_per_width[i], : 1 if self.depthwise else self.in_per_width[i]]
        bias = None if self.bias is None else self.bias[: self.out_per_width[i]]
        return F.conv2d(input, weight, bias, self.stride, self.padding, self.dilation,
                        self.in_per_width[i] if self.depthwise else 1)


class SlimmableLinear(nn.Module):
    """A linear layer whose first in_per_width[i] inputs and out_per_width[i] outputs run at width i."""

    def __init__(self, in_features, out_features, in_per_width, out_per_width, has_bias=True, device=None, dtype=None):
        super().__init__()
        if len(in_per_width) == 0 or len(in_per_width) != len(out_per_width):
            raise ValueError("give the active features at each width, as many inputs as outputs")
        self.in_per_width, self.out_per_width = list(in_per_width), list(out_per_width)
        linear = nn.Linear(in_features, out_features, bias=has_bias, device=device, dtype=dtype)
        self.weight = linear.weight
        self.bias = linear.bias if has_bias else None
        self.width_index = len(in_per_width) - 1

    def forward(self, input):
        i = self.width_index
        bias = None if self.bias is None else self.bias[: self.out_per_width[i]]
        return F.linear(input, self.weight[: self.out_per_width[i], : self.in_per_width[i]], bias)


class SwitchableBatchNorm2d(nn.Module):
    """One batch norm per width (bn.0, bn.1, ...), the one of the active width applied."""

    def __init__(self, features, eps=1e-5, momentum=0.1, device=None, dtype=None):
        super().__init__()
        if len(features) == 0:
            raise ValueError("give the channels at each width")
        self.bn = nn.ModuleList(nn.BatchNorm2d(c, eps, momentum, device=device, dtype=dtype) for c in features)
        self.width_index = len(features) - 1

    def forward(self, input):
        return self.bn[self.width_index](input)


def set_width(model, widths, width):
    """Runs every slimmable layer under model at width (one of widths), as the C# Slimming.SetWidth does."""
    if width not in widths:
        raise ValueError(f"the model runs at widths {', '.join(repr(w) for w in widths)} only")
    index = len(widths) - 1 - list(reversed(widths)).index(width)
    for m in model.modules():
        if hasattr(m, "width_index"):
            m.width_index = index
