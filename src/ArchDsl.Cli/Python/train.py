"""Trains a model exported by `archdsl export pytorch` with PyTorch's distributed engine (DDP under torchrun).

    torchrun --nproc_per_node=2 train.py --model <ModelName> [--steps N] [--batch-size B] [--lr LR]
             [--out ckpt.pt] [--backend gloo|nccl] [--seed S] [--task NAME]

<ModelName>.py must lie beside this file (export writes them together). Each process trains one replica on its share
of the data; DDP averages the gradients. The backend is NCCL when CUDA is present (one GPU per process, by
LOCAL_RANK), else gloo on the CPU. Without torchrun it runs as one process.

Data: synthetic by default, so that the script runs out of the box: a fixed, seeded set of random samples that the
model learns to fit (random images with random class labels for a classifier, random token ids with next-token
cross-entropy for a language model, else a mean squared error to fixed random targets). Put your own data in
user_data() below.

Models with forms beside forward(x): with tasks ([Task]) one task is trained, --task or the first declared (the
other tasks' heads and tails keep their weights); with early exits ([Exit]) every exit and the model's output are
trained, the loss the mean of their losses (forward_exits); a slimmable model ([Slimmable]) is trained at every width
each step, the loss the mean over the widths (Yu et al.'s slimmable training), and left at the widest.

Rank 0 logs the loss (averaged over the processes) and saves model.module.state_dict() with torch.save, which the
generated TorchSharp module loads strictly: model.LoadCheckpoint("ckpt.pt").
"""

import argparse
import importlib
import os
import socket
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))


def user_data(model_class, batch_size, rank, world_size, device):
    """YOUR DATA LOADER GOES HERE.

    Return an iterable of (inputs, targets) batches for this process (rank of world_size), or None for the synthetic
    data. inputs must have model_class.INPUT_SHAPE after the batch axis, of model_class.INPUT_DTYPE; targets are what
    loss() below expects: class indices (int64, B) for a one-axis OUTPUT_SHAPE, the token ids themselves for a
    language model (VOCAB_SIZE set), else tensors of OUTPUT_SHAPE. Each process must see its own share, e.g.:

        dataset = torchvision.datasets.ImageFolder("train/", transform=...)
        sampler = torch.utils.data.distributed.DistributedSampler(dataset, world_size, rank, shuffle=True, seed=0)
        return torch.utils.data.DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=4)

    Batches are moved to the device by the training loop; the iterable is restarted when it runs out.
    """
    return None


def task(model_class):
    """'tokens' (next-token cross-entropy), 'classes' (cross-entropy) or 'regression' (mean squared error)."""
    if getattr(model_class, "VOCAB_SIZE", None) and model_class.INPUT_DTYPE == "int64":
        return "tokens"
    if len(model_class.OUTPUT_SHAPE) == 1 and model_class.INPUT_DTYPE != "int64":
        return "classes"
    return "regression"


class Trained(torch.nn.Module):
    """What one training step runs: forward(x) gives the list of outputs that each take the loss (one for a plain
    model; each exit's logits; the output at each width; the chosen task's output)."""

    def __init__(self, model, task_name=None):
        super().__init__()
        self.model = model
        self.task_name = task_name

    def forward(self, x):
        model = self.model
        if self.task_name is not None:
            return [model(x, model.Task[self.task_name])]
        if hasattr(model, "forward_exits"):
            return list(model.forward_exits(x))
        if hasattr(model, "WIDTHS"):
            outputs = []
            for width in model.WIDTHS:
                model.set_width(width)
                outputs.append(model(x))
            model.set_width(model.WIDTHS[-1])
            return outputs
        return [model(x)]


def task_named(model_class, name):
    """The task to train: name (checked), or the first declared; None for a model without tasks."""
    tasks = getattr(model_class, "Task", None)
    if tasks is None:
        if name is not None:
            raise SystemExit(f"train.py: {model_class.__name__} declares no tasks, so --task {name} means nothing")
        return None
    names = [t.name for t in tasks]
    if name is None:
        return names[0]
    if name not in names:
        raise SystemExit(f"train.py: {model_class.__name__} has no task '{name}' (its tasks: {', '.join(names)})")
    return name


def output_shape(model_class, task_name):
    return tuple(model_class.TASK_OUTPUT_SHAPES[task_name]) if task_name else tuple(model_class.OUTPUT_SHAPE)


def synthetic_data(model_class, batch_size, rank, world_size, seed, samples, task_name=None):
    """A fixed set of random samples, the same in every process, of which each process takes every world_size-th."""
    generator = torch.Generator().manual_seed(seed)
    shape = (samples,) + tuple(model_class.INPUT_SHAPE)
    kind = task(model_class)
    if kind == "tokens":
        inputs = torch.randint(0, model_class.VOCAB_SIZE, shape, generator=generator)
        targets = inputs
    else:
        if model_class.INPUT_DTYPE == "int64":
            raise SystemExit(f"train.py: {model_class.__name__} reads int64 input but has no VOCAB_SIZE: "
                             "put its data in user_data()")
        inputs = torch.randn(shape, generator=generator)
        if kind == "classes":
            targets = torch.randint(0, model_class.OUTPUT_SHAPE[0], (samples,), generator=generator)
        else:
            targets = torch.randn((samples,) + output_shape(model_class, task_name), generator=generator)
    if samples < world_size:
        raise SystemExit(f"train.py: --samples {samples} leaves some of the {world_size} processes without data")
    mine = torch.arange(rank, samples, world_size)
    inputs, targets = inputs[mine], targets[mine]
    return [(inputs[i:i + batch_size], targets[i:i + batch_size]) for i in range(0, len(mine), batch_size)]


def loss(kind, outputs, targets):
    if kind == "tokens":
        # Position t predicts token t + 1.
        return F.cross_entropy(outputs[:, :-1].reshape(-1, outputs.shape[-1]), targets[:, 1:].reshape(-1))
    if kind == "classes":
        return F.cross_entropy(outputs, targets)
    return F.mse_loss(outputs, targets)


def model_class_named(name):
    """The class `name` of `name`.py beside this script, or a one-line error."""
    path = os.path.join(HERE, name + ".py")
    if not name.isidentifier() or not os.path.isfile(path):
        found = sorted(f[:-3] for f in os.listdir(HERE)
                       if f.endswith(".py") and f not in ("train.py", "archdsl_layers.py"))
        raise SystemExit(f"train.py: unknown model '{name}': no {name}.py in {HERE} "
                         f"(models here: {', '.join(found) or 'none'})")
    sys.path.insert(0, HERE)
    module = importlib.import_module(name)
    if not hasattr(module, name):
        raise SystemExit(f"train.py: {path} defines no class {name}")
    return getattr(module, name)


def parse(argv):
    parser = argparse.ArgumentParser(description="Trains an exported ArchDsl model with DDP under torchrun.")
    parser.add_argument("--model", required=True, help="the model's class name (its <ModelName>.py lies beside train.py)")
    parser.add_argument("--steps", type=int, default=100, help="optimiser steps (default 100)")
    parser.add_argument("--batch-size", type=int, default=8, help="samples per process per step (default 8)")
    parser.add_argument("--lr", type=float, default=1e-3, help="AdamW learning rate (default 1e-3)")
    parser.add_argument("--out", help="checkpoint to write (default <ModelName>.pt)")
    parser.add_argument("--backend", choices=["gloo", "nccl"], help="default: nccl with CUDA, else gloo")
    parser.add_argument("--seed", type=int, default=0, help="seeds the weights and the synthetic data (default 0)")
    parser.add_argument("--samples", type=int, default=64, help="size of the synthetic data set (default 64)")
    parser.add_argument("--task", help="a model with [Task]s: the task to train (default: the first declared)")
    return parser.parse_args(argv)


def main(argv):
    args = parse(argv)
    model_class = model_class_named(args.model)
    task_name = task_named(model_class, args.task)
    backend = args.backend or ("nccl" if torch.cuda.is_available() else "gloo")
    if backend == "nccl" and not torch.cuda.is_available():
        raise SystemExit("train.py: --backend nccl needs CUDA, and this machine has none: use gloo")
    if "WORLD_SIZE" not in os.environ:
        # Without torchrun: one process, its own rendezvous on a free local port.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        os.environ.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    # Deterministic kernels: CUDA's matrix products need this set before CUDA starts.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    dist.init_process_group(backend)
    rank, world_size = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    device = torch.device("cuda", local_rank) if backend == "nccl" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    torch.use_deterministic_algorithms(True, warn_only=True)

    # The same initial weights in every process (DDP also broadcasts rank 0's).
    torch.manual_seed(args.seed)
    model = model_class().to(device)
    # Experts a batch does not route to get no gradient, nor do the other tasks' heads and tails: DDP must be told.
    sparse = any(type(m).__name__ == "MixtureOfExperts" for m in model.modules()) or task_name is not None
    ddp = DistributedDataParallel(Trained(model, task_name), device_ids=[local_rank] if device.type == "cuda" else None,
                                  find_unused_parameters=sparse)
    optimizer = torch.optim.AdamW(ddp.parameters(), lr=args.lr)
    kind = task(model_class)
    data = user_data(model_class, args.batch_size, rank, world_size, device)
    if data is None:
        data = synthetic_data(model_class, args.batch_size, rank, world_size, args.seed + 1, args.samples, task_name)
    if rank == 0:
        print(f"training {args.model} ({sum(p.numel() for p in model.parameters()):,} parameters) on {world_size} "
              f"process(es), {backend}, {device.type}; {kind} loss{'' if task_name is None else ', task ' + task_name}",
              flush=True)

    torch.manual_seed(args.seed + 2 + rank)  # dropout and stochastic depth differ between replicas, reproducibly
    ddp.train()
    batches = iter(data)
    for step in range(1, args.steps + 1):
        try:
            inputs, targets = next(batches)
        except StopIteration:
            batches = iter(data)
            inputs, targets = next(batches)
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad(set_to_none=True)
        outputs = ddp(inputs)
        value = sum(loss(kind, o, targets) for o in outputs) / len(outputs)
        value.backward()
        optimizer.step()
        logged = value.detach().clone()
        dist.all_reduce(logged)
        if rank == 0:
            print(f"step {step} loss {logged.item() / world_size:.6f}", flush=True)

    if rank == 0:
        out = args.out or f"{args.model}.pt"
        # CPU tensors in the module's own key order: what LoadCheckpoint and load_state_dict read.
        state = type(model.state_dict())((k, v.detach().cpu()) for k, v in model.state_dict().items())
        torch.save(state, out)
        print(f"saved {out} ({len(state)} tensors)", flush=True)
    dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
