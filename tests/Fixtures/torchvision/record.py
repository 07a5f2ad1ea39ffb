#!/usr/bin/python3
"""Records the torchvision reference fixtures in this folder.

Run from the repository root:  /usr/bin/python3 tests/Fixtures/torchvision/record.py
Needs torch and torchvision only (no network: every model is built with seeded random init).

Writes, next to this script:
  <model>.keys.tsv  for the full-size torchvision models: counts, MACs and the state_dict layout.
  <name>.keys.tsv and <name>.fixture  for small configurations of the same builders: weights, one input,
                    the eval-mode output.
The figures are PyTorch's own, independent of ArchDsl; tests compare against them.
"""

import json
import os
import struct
import sys

import torch
import torchvision
from torch.utils._python_dispatch import TorchDispatchMode
from torchvision.models import convnext, efficientnet, regnet

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240611

# Full-size models: (builder name, input side, expected parameters, expected MACs).
# Expected figures are torchvision's published ones (docs: num_params, GFLOPS); None where not given to us.
FULL_MODELS = [
    ("mobilenet_v2", 224, 3_504_872, 300_774_272),
    ("mobilenet_v3_small", 224, 2_542_856, 56_510_400),
    ("efficientnet_b1", 240, 7_794_184, 686_802_832),
    ("convnext_small", 224, 50_223_688, 8_683_712_256),
    ("densenet169", 224, 14_149_480, 3_359_843_328),
    ("regnet_x_400mf", 224, 5_495_976, 413_812_608),
    ("resnet18", 224, 11_689_512, None),
    ("resnet50", 224, 25_557_032, 4_089_184_256),
    ("vit_b_16", 224, 86_567_656, None),  # published: 17.56 GFLOPS
    ("swin_s", 224, 49_606_258, 8_740_875_264),
]
# Published GFLOPS with two decimals, checked where the exact figure was not given.
APPROX_GMACS = {"vit_b_16": 17.56, "resnet18": 1.81}


# ---------------------------------------------------------------- MAC counting

def _numel(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


class MacCounter(TorchDispatchMode):
    """Counts multiply-adds of the matrix ops as they reach the dispatcher (below autograd and
    CompositeImplicit decompositions, so F.linear shows up as addmm/mm/bmm)."""

    COUNTED = ("convolution", "mm", "addmm", "bmm", "baddbmm", "matmul")
    # Fused kernels that would hide matmuls from the count; seeing one is an error, not a silent miss.
    FORBIDDEN = ("_native_multi_head_attention", "_transformer_encoder_layer_fwd",
                 "scaled_dot_product_attention", "_scaled_dot_product_attention", "_addmm_activation")

    def __init__(self):
        super().__init__()
        self.macs = 0
        self.by_op = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        name = func.overloadpacket.__name__
        if name in self.FORBIDDEN:
            raise RuntimeError(f"fused op {name} hides matmuls from the MAC count")
        macs = 0
        if name == "convolution":
            # weight is (Cout, Cin/groups, kh, kw): each output element takes Cin/groups*kh*kw multiply-adds.
            macs = _numel(out.shape) * _numel(args[1].shape[1:])
        elif name == "mm":
            (m, k), n = args[0].shape, args[1].shape[1]
            macs = m * k * n
        elif name == "addmm":
            (m, k), n = args[1].shape, args[2].shape[1]
            macs = m * k * n
        elif name == "bmm":
            (b, m, k), n = args[0].shape, args[1].shape[2]
            macs = b * m * k * n
        elif name == "baddbmm":
            (b, m, k), n = args[1].shape, args[2].shape[2]
            macs = b * m * k * n
        elif name == "matmul":
            macs = _numel(out.shape) * int(args[0].shape[-1])
        if macs:
            self.macs += macs
            self.by_op[name] = self.by_op.get(name, 0) + macs
        return out


def count_macs(model, x):
    # Eval mode (batch norm uses running stats, dropout off) but with grad enabled: nn.MultiheadAttention's
    # fast path (torch._native_multi_head_attention, one fused kernel) is only taken when grad is off or no
    # argument requires grad, so with grad on the attention runs as linear + bmm and every matmul is seen.
    model.eval()
    with torch.enable_grad(), MacCounter() as counter:
        model(x)
    return counter.macs, counter.by_op


# ---------------------------------------------------------------- files

def shape_text(shape):
    return ",".join(str(int(d)) for d in shape)


def write_keys(path, model, input_chw, macs):
    params = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for b in model.buffers())
    lines = [f"# parameters {params}", f"# buffers {buffers}", f"# macs {macs}",
             "# input " + " ".join(str(d) for d in input_chw)]
    for key, value in model.state_dict().items():
        lines.append(f"{key}\t{shape_text(value.shape)}")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return params, buffers


def write_fixture(path, config, tensors):
    """ADSLFIX1 | int32 LE header length | UTF-8 JSON header | raw little-endian data.
    Offsets in the header are bytes from the start of the data section."""
    entries, blobs, offset = [], [], 0
    for name, t in tensors:
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.int64:
            dtype, data = "int64", t.numpy().astype("<i8").tobytes()
        else:
            dtype, data = "float32", t.to(torch.float32).numpy().astype("<f4").tobytes()
        entries.append({"name": name, "shape": [int(d) for d in t.shape], "dtype": dtype, "offset": offset})
        blobs.append(data)
        offset += len(data)
    header = json.dumps({"config": config, "tensors": entries}, separators=(",", ":")).encode("utf-8")
    with open(path, "wb") as f:
        f.write(b"ADSLFIX1")
        f.write(struct.pack("<i", len(header)))
        f.write(header)
        for blob in blobs:
            f.write(blob)
    return os.path.getsize(path)


# ---------------------------------------------------------------- full-size models

def record_full():
    report = []
    for name, side, exp_params, exp_macs in FULL_MODELS:
        torch.manual_seed(SEED)
        model = getattr(torchvision.models, name)().eval()
        x = torch.randn(1, 3, side, side)
        macs, by_op = count_macs(model, x)
        params, buffers = write_keys(os.path.join(HERE, f"{name}.keys.tsv"), model, (3, side, side), macs)
        notes = []
        if exp_params is not None and params != exp_params:
            notes.append(f"PARAMS MISMATCH expected {exp_params}")
        if exp_macs is not None and macs != exp_macs:
            notes.append(f"MACS MISMATCH expected {exp_macs}")
        if name in APPROX_GMACS and round(macs / 1e9, 2) != APPROX_GMACS[name]:
            notes.append(f"MACS MISMATCH expected ~{APPROX_GMACS[name]} G")
        report.append((name, params, exp_params, macs, exp_macs, by_op, notes))
        print(f"{name}: params {params} (expected {exp_params}), buffers {buffers}, macs {macs} "
              f"(expected {exp_macs or APPROX_GMACS.get(name)}) {by_op} {' '.join(notes)}", flush=True)
        del model
    return report


# ---------------------------------------------------------------- small configurations

def randomise(model, gen):
    """Makes every normalisation and bias matter in eval mode: batch-norm running stats (variance positive),
    affine weights and biases of all norm layers, every bias vector, ConvNeXt's layer_scale and Swin's
    relative position bias table. Convolution and linear weights keep their seeded init."""
    norm_types = (torch.nn.BatchNorm2d, torch.nn.LayerNorm, torch.nn.GroupNorm)

    def uniform(t, lo, hi):
        t.copy_(torch.rand(t.shape, generator=gen) * (hi - lo) + lo)

    def normal(t, std):
        t.copy_(torch.randn(t.shape, generator=gen) * std)

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, norm_types):
                uniform(module.weight, 0.5, 1.5)
                normal(module.bias, 0.2)
            if isinstance(module, torch.nn.BatchNorm2d):
                normal(module.running_mean, 0.2)
                uniform(module.running_var, 0.5, 2.0)
                module.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))
        for key, p in model.named_parameters():
            leaf = key.rsplit(".", 1)[-1]
            if leaf == "layer_scale":
                uniform(p, 0.2, 1.0)  # the builder's 1e-6 would make every block near-identity
            elif leaf == "relative_position_bias_table":
                normal(p, 0.5)  # trunc_normal(0.02) barely changes the softmax
            elif leaf == "bias" and not isinstance(_owner(model, key), norm_types):
                normal(p, 0.1)


def _owner(model, key):
    module = model
    for part in key.split(".")[:-1]:
        module = getattr(module, part)
    return module


def small_configs():
    """(name, config for the header, builder). Builders are torchvision's own classes/functions."""
    configs = []

    densenet_cfg = {"builder": "torchvision.models.DenseNet", "growth_rate": 8, "block_config": [2, 2, 2, 2],
                    "num_init_features": 16, "bn_size": 4, "drop_rate": 0.0, "num_classes": 10}
    configs.append(("densenet_small", densenet_cfg, lambda: torchvision.models.DenseNet(
        growth_rate=8, block_config=(2, 2, 2, 2), num_init_features=16, bn_size=4, drop_rate=0.0, num_classes=10)))

    cn_stages = [[16, 32, 2], [32, 64, 2], [64, None, 2]]
    convnext_cfg = {"builder": "torchvision.models.convnext.ConvNeXt",
                    "block_setting": [{"input_channels": i, "out_channels": o, "num_layers": n} for i, o, n in cn_stages],
                    "stochastic_depth_prob": 0.0, "layer_scale": 1e-6, "num_classes": 10,
                    "note": "layer_scale parameters re-randomised in [0.2, 1.0) after construction"}
    configs.append(("convnext_tiny_config", convnext_cfg, lambda: convnext.ConvNeXt(
        [convnext.CNBlockConfig(i, o, n) for i, o, n in cn_stages],
        stochastic_depth_prob=0.0, layer_scale=1e-6, num_classes=10)))

    # expand 1 stage (no expansion conv), then two expand-6 stages; every MBConv has squeeze-excitation.
    eff_stages = [[1, 3, 1, 16, 16, 1], [6, 3, 2, 16, 24, 2], [6, 5, 2, 24, 40, 1]]
    fields = ["expand_ratio", "kernel", "stride", "input_channels", "out_channels", "num_layers"]
    eff_cfg = {"builder": "torchvision.models.efficientnet._efficientnet",
               "inverted_residual_setting": [dict(zip(fields, s)) for s in eff_stages],
               "block": "MBConvConfig", "width_mult": 1.0, "depth_mult": 1.0,
               "dropout": 0.2, "last_channel": None, "stochastic_depth_prob": 0.0, "num_classes": 10,
               "note": "last conv width = 4 * last stage out_channels (last_channel None)"}
    configs.append(("efficientnet_small", eff_cfg, lambda: efficientnet._efficientnet(
        [efficientnet.MBConvConfig(*s) for s in eff_stages], dropout=0.2, last_channel=None,
        weights=None, progress=False, stochastic_depth_prob=0.0, num_classes=10)))

    bp_args = {"depth": 4, "w_0": 16, "w_a": 8.0, "w_m": 2.0, "group_width": 8}
    bp = regnet.BlockParams.from_init_params(**bp_args)
    regnet_cfg = {"builder": "torchvision.models.RegNet",
                  "block_params": {"from_init_params": bp_args, "depths": bp.depths, "widths": bp.widths,
                                   "group_widths": bp.group_widths,
                                   "bottleneck_multipliers": bp.bottleneck_multipliers,
                                   "strides": bp.strides, "se_ratio": bp.se_ratio},
                  "stem_width": 32, "num_classes": 10}
    configs.append(("regnet_small", regnet_cfg, lambda: torchvision.models.RegNet(
        regnet.BlockParams.from_init_params(**bp_args), num_classes=10)))

    swin_args = {"patch_size": [4, 4], "embed_dim": 16, "depths": [2, 2], "num_heads": [2, 4],
                 "window_size": [4, 4], "mlp_ratio": 4.0, "stochastic_depth_prob": 0.0, "num_classes": 10}
    swin_cfg = dict({"builder": "torchvision.models.SwinTransformer"}, **swin_args)
    configs.append(("swin_small_config", swin_cfg, lambda: torchvision.models.SwinTransformer(**swin_args)))
    return configs


def record_small():
    # One thread: the recorded outputs do not depend on how many cores the recording machine had.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    report = []
    for index, (name, config, build) in enumerate(small_configs()):
        torch.manual_seed(SEED + index)
        model = build()
        gen = torch.Generator().manual_seed(SEED + 100 + index)
        randomise(model, gen)
        model.eval()
        x = torch.randn(1, 3, 32, 32, generator=gen)
        with torch.no_grad():
            y = model(x)
        if not torch.isfinite(y).all() or y.abs().max() < 1e-3:
            raise RuntimeError(f"{name}: degenerate output {y}")
        macs, _ = count_macs(model, x)
        config = dict(config, input=[1, 3, 32, 32], seed=SEED + index,
                      torch=torch.__version__, torchvision=torchvision.__version__)
        params, buffers = write_keys(os.path.join(HERE, f"{name}.keys.tsv"), model, (3, 32, 32), macs)
        tensors = list(model.state_dict().items()) + [("__input__", x), ("__output__", y)]
        size = write_fixture(os.path.join(HERE, f"{name}.fixture"), config, tensors)
        if size > 2 * 1024 * 1024:
            raise RuntimeError(f"{name}.fixture is {size} bytes, over 2 MB")
        report.append((name, params, buffers, macs, size))
        print(f"{name}: params {params}, buffers {buffers}, macs {macs}, fixture {size} bytes, "
              f"output std {y.std().item():.4f}", flush=True)
    torch.set_num_threads(threads)
    return report


def main():
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}", flush=True)
    only = set(sys.argv[1:])  # optional: "full" or "small" to record one half
    mismatches = []
    if not only or "full" in only:
        mismatches = [r for r in record_full() if r[6]]
    if not only or "small" in only:
        record_small()
    if mismatches:
        print("MISMATCHES:", ", ".join(f"{r[0]} ({'; '.join(r[6])})" for r in mismatches))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
