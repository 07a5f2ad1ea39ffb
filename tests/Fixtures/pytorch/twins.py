"""Runs the PyTorch twins (src/ArchDsl.Cli/Python/archdsl_layers.py) on the cases PythonTwinTests writes.

    twins.py signatures LAYERS_DIR OUT.json   the twins' constructor parameters, by class
    twins.py run LAYERS_DIR CASE.json...      each case: build the twin, record its state_dict keys and shapes, load the
                                              C# module's checkpoint strictly, run eval forwards on the C# inputs

A case file names its own outputs (keys, output, error); a failing case writes its error and the others still run.
Raw float32 files carry the tensors both ways. Nothing here compares: the C# test does.
"""

import inspect
import json
import os
import sys
import traceback

import numpy as np
import torch
from torch import nn


def load_layers(folder):
    sys.path.insert(0, os.path.abspath(folder))
    import archdsl_layers
    return archdsl_layers


def signatures(layers, out):
    result = {}
    for name in layers.__all__:
        value = getattr(layers, name)
        if inspect.isclass(value) and issubclass(value, nn.Module):
            result[name] = list(inspect.signature(value.__init__).parameters)[1:]
    with open(out, "w") as f:
        json.dump(result, f)


def read_floats(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(shape))


def run_case(layers, case, folder):
    namespace = {"torch": torch, "nn": nn, "load": torch.load}
    namespace.update({name: getattr(layers, name) for name in layers.__all__})
    namespace["companion"] = os.path.join(folder, case["companion"]) if case.get("companion") else None
    torch.manual_seed(1)  # the twin's own initial values must not matter: the checkpoint replaces them all
    exec(case["build"], namespace)
    module = namespace["module"]
    state = module.state_dict()
    with open(os.path.join(folder, case["keys"]), "w") as f:
        # TorchSharp lists all parameters before all buffers, PyTorch module by module: each kind in its order.
        parameters = {name for name, _ in module.named_parameters()}
        f.write(type(module).__name__ + "\n")
        for kind in (True, False):
            for name, tensor in state.items():
                if (name in parameters) == kind:
                    f.write(f"{'parameter' if kind else 'buffer'}\t{name}\t{list(tensor.shape)}\n")
    checkpoint = torch.load(os.path.join(folder, case["checkpoint"]))
    # Buffers that are not learned or running statistics (indices) must come out of the twin's constructor as the
    # C# constructor makes them: loading would hide a difference.
    for name, tensor in state.items():
        if not tensor.is_floating_point() and not name.endswith("num_batches_tracked") and name in checkpoint:
            if not torch.equal(tensor, checkpoint[name]):
                raise AssertionError(f"buffer {name} differs from the C# module's before loading")
    module.load_state_dict(checkpoint, strict=True)
    if case.get("after"):
        namespace["module"] = module
        exec(case["after"], namespace)
    module.eval()
    outputs = []
    with torch.no_grad():
        if case.get("cache"):
            layers.reset_caches(module, True)
        for item in case["inputs"]:
            outputs.append(module(read_floats(os.path.join(folder, item["file"]), item["shape"])).reshape(-1))
    if outputs:
        torch.cat(outputs).to(torch.float32).numpy().tofile(os.path.join(folder, case["output"]))


def main(argv):
    command, layers_dir = argv[1], argv[2]
    layers = load_layers(layers_dir)
    if command == "signatures":
        signatures(layers, argv[3])
        return 0
    if command != "run":
        print(f"twins.py: unknown command '{command}'", file=sys.stderr)
        return 2
    for path in argv[3:]:
        folder = os.path.dirname(os.path.abspath(path))
        with open(path) as f:
            case = json.load(f)
        try:
            run_case(layers, case, folder)
        except Exception:  # reported to the C# test, which fails the case with it
            with open(os.path.join(folder, case["error"]), "w") as f:
                f.write(traceback.format_exc())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
