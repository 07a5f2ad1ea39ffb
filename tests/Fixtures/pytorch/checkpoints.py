"""PyTorch's side of tests/ArchDsl.Models.Tests/PyTorchCheckpointTests.cs, run by the tests with /usr/bin/python3
(Debian's python3-torch 1.13.1 and python3-torchvision 0.14.1). Nothing is downloaded: models use seeded random
initialisation. Tensors exchanged with the tests as raw little-endian float32 files (shape known to both sides).

  checkpoints.py write MODEL DIR        torchvision MODEL with randomised weights and batch-norm statistics:
                                        DIR/MODEL.pt (torch.save of the state_dict), DIR/MODEL.safetensors (written
                                        here by hand, no safetensors package), DIR/MODEL.input.f32 and the eval
                                        output DIR/MODEL.output.f32
  checkpoints.py run MODEL CKPT IN OUT  loads CKPT strictly (torch.load, or safetensors by extension) into
                                        torchvision MODEL, writes its eval output on IN to OUT
  checkpoints.py bad DIR                resnet18 checkpoints with one fault each: missing.pt, extra.pt, shape.pt,
                                        truncated.pt and truncated.safetensors
"""
import json
import struct
import sys

import torch
import torchvision

SEED = 17
BUILDERS = {"resnet18": torchvision.models.resnet18, "resnet50": torchvision.models.resnet50,
            "vit_b_16": torchvision.models.vit_b_16}
SAFETENSORS_DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.float64: "F64"}
DTYPES = {value: key for key, value in SAFETENSORS_DTYPES.items()}


def build(name):
    torch.manual_seed(SEED)
    return BUILDERS[name]().eval()


def randomise(model):
    """Makes normalisation and the zero-initialised parameters matter in eval mode: batch-norm running statistics
    and affine weights, layer-norm affine weights, every bias, ViT's class token and its zero-initialised head."""
    gen = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.BatchNorm2d, torch.nn.LayerNorm)):
                module.weight.copy_(torch.rand(module.weight.shape, generator=gen) * 0.6 + 0.5)
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=gen) * 0.2)
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=gen) * 1.5 + 0.5)
                module.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))
        for key, p in model.named_parameters():
            if key.endswith("bias") or key == "class_token" or key.startswith("heads."):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.05)


def write_f32(path, tensor):
    with open(path, "wb") as f:
        f.write(tensor.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes())


def read_f32(path, shape):
    with open(path, "rb") as f:
        data = f.read()
    return torch.frombuffer(bytearray(data), dtype=torch.float32).reshape(shape)


def save_safetensors(path, state):
    """The safetensors layout: 8-byte little-endian header length, JSON header, the tensors' raw bytes."""
    header, chunks, offset = {}, [], 0
    for key, t in state.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[key] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    state = {}
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        state[key] = torch.frombuffer(bytearray(body[start:end]), dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"]).clone()
    return state


def input_for(name):
    return torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(SEED + 2))


def write(name, folder):
    model = build(name)
    randomise(model)
    state = model.state_dict()
    torch.save(state, f"{folder}/{name}.pt")
    save_safetensors(f"{folder}/{name}.safetensors", state)
    x = input_for(name)
    with torch.no_grad():
        y = model(x)
    write_f32(f"{folder}/{name}.input.f32", x)
    write_f32(f"{folder}/{name}.output.f32", y)
    print(f"{name}: {len(state)} keys, output max |y| = {y.abs().max().item():.4g}")


def run(name, checkpoint, input_path, output_path):
    model = build(name)
    state = load_safetensors(checkpoint) if checkpoint.endswith(".safetensors") else torch.load(checkpoint)
    model.load_state_dict(state, strict=True)  # raises on any missing, unexpected or mis-shaped key
    with torch.no_grad():
        y = model(read_f32(input_path, (1, 3, 224, 224)))
    write_f32(output_path, y)
    print(f"{name}: loaded {len(state)} keys strictly, output max |y| = {y.abs().max().item():.4g}")


def bad(folder):
    state = build("resnet18").state_dict()
    missing = dict(state)
    del missing["layer2.0.downsample.1.running_var"]
    torch.save(missing, f"{folder}/missing.pt")
    extra = dict(state)
    extra["fc.extra_scale"] = torch.ones(3)
    torch.save(extra, f"{folder}/extra.pt")
    shape = dict(state)
    shape["fc.weight"] = torch.zeros(10, 512)
    torch.save(shape, f"{folder}/shape.pt")
    torch.save(state, f"{folder}/truncated.pt")
    save_safetensors(f"{folder}/truncated.safetensors", state)
    for path in (f"{folder}/truncated.pt", f"{folder}/truncated.safetensors"):
        with open(path, "r+b") as f:
            f.truncate(f.seek(0, 2) // 2)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"write": write, "run": run, "bad": bad}[command](*args)
