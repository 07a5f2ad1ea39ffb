"""PyTorch's side of tests/ArchDsl.Models.Tests/PyTorchExportTests.cs: imports the modules `archdsl export pytorch`
wrote and reports what PyTorch itself makes of them. Run by the tests with /usr/bin/python3 (Debian's torch 1.13.1).
Tensors are exchanged as raw little-endian files: float32 (.f32), or int64 token ids (.i64).

  exported.py describe DIR MODEL...         builds each DIR/MODEL.py's class on the meta device (no memory for the
                                            weights) and prints "model MODEL", "parameters N", "buffers N", then "P<TAB>key<TAB>d1,d2,..." for
                                            each parameter and "B<TAB>..." for each buffer, in registration order,
                                            and "S<TAB>..." for each state_dict entry, in state_dict order
  exported.py run DIR MODEL CKPT IN OUT [HOW]
                                            builds it on the CPU, loads CKPT (torch.load) strictly, and writes its eval
                                            output on IN (batch 2, the class's INPUT_SHAPE and INPUT_DTYPE) to OUT;
                                            HOW calls another forward, its outputs flattened one after another:
                                            task:N (forward(x, N)), exits (forward_exits(x)), threshold:T:MODE
                                            (forward(x, T, MODE): the logits, then the exit indices as floats),
                                            width:W (set_width(W), then forward(x))
"""
import importlib
import sys

import torch


def load_class(folder, name):
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return getattr(importlib.import_module(name), name)


def describe(folder, *names):
    for name in names:
        describe_one(folder, name)


def describe_one(folder, name):
    model = load_class(folder, name)(device="meta")
    print(f"model {name}")
    print(f"parameters {sum(p.numel() for p in model.parameters())}")
    print(f"buffers {sum(b.numel() for b in model.buffers())}")
    def shape(t):
        return ",".join(str(d) for d in t.shape)
    for key, value in model.named_parameters():
        print(f"P\t{key}\t{shape(value)}")
    for key, value in model.named_buffers():
        print(f"B\t{key}\t{shape(value)}")
    for key, value in model.state_dict().items():
        print(f"S\t{key}\t{shape(value)}")


def call(model, x, how):
    """The outputs of the forward HOW names, as a list of tensors."""
    if how is None:
        return [model(x)]
    kind, *args = how.split(":")
    if kind == "task":
        return [model(x, int(args[0]))]
    if kind == "exits":
        return list(model.forward_exits(x))
    if kind == "threshold":
        logits, taken = model(x, float(args[0]), args[1])
        return [logits, taken.to(torch.float32)]
    if kind == "width":
        model.set_width(float(args[0]))
        return [model(x)]
    raise ValueError(f"unknown call {how!r}")


def run(folder, name, checkpoint, input_path, output_path, how=None):
    cls = load_class(folder, name)
    model = cls()
    state = torch.load(checkpoint)
    model.load_state_dict(state, strict=True)  # raises on any missing, unexpected or mis-shaped key
    model.eval()
    dtype = torch.int64 if cls.INPUT_DTYPE == "int64" else torch.float32
    with open(input_path, "rb") as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=dtype).reshape((2,) + tuple(cls.INPUT_SHAPE))
    with torch.no_grad():
        ys = call(model, x, how)
    y = torch.cat([t.detach().reshape(-1).to(torch.float32) for t in ys])
    with open(output_path, "wb") as f:
        f.write(y.contiguous().numpy().astype("<f4").tobytes())
    print(f"{name}{'' if how is None else ' ' + how}: loaded {len(state)} keys strictly, output {tuple(ys[0].shape)}, max |y| = {y.abs().max().item():.4g}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"describe": describe, "run": run}[command](*args)
