"""PyTorch's side of tests/ArchDsl.Models.Tests/SlimmableTests.cs, run by the tests with /usr/bin/python3 (Debian's
python3-torch). The slimmable MobileNet-style sample (samples/ArchDsl.Samples/SlimmableMobileNet.cs) written as the
slimmable networks' reference code writes one (Yu et al., ICLR 2019): each convolution holds its full-width weight and
runs its first int(m * C) filters over its first active input channels; each batch norm is a ModuleList of one
BatchNorm2d per width (bn.0, bn.1, ...). Nothing is downloaded: seeded random initialisation.

  slimmable.py write DIR   DIR/slimmable.pt (torch.save of the state_dict, batch-norm statistics randomised),
                           DIR/slimmable.input.f32 (2x3x32x32), DIR/slimmable.output.W.f32 (eval output, 2x10, at
                           width index W); prints JSON: parameters and MACs used at each width (counted here from the
                           slices the forward pass reads and from hooks on it), stored parameters and buffers
"""
import json
import sys

import torch
import torch.nn.functional as F
from torch import nn

WIDTHS = [0.25, 0.5, 0.75, 1.0]
SEED = 29


def slim(channels):
    return [int(m * channels) for m in WIDTHS]


def fixed(channels):
    return [channels] * len(WIDTHS)


class SlimmableConv2d(nn.Conv2d):
    def __init__(self, in_list, out_list, kernel, stride=1, padding=0, depthwise=False):
        super().__init__(in_list[-1], out_list[-1], kernel, stride, padding, groups=in_list[-1] if depthwise else 1, bias=False)
        self.in_list, self.out_list, self.depthwise, self.width = in_list, out_list, depthwise, len(WIDTHS) - 1

    def active_weight(self):
        return self.weight[:self.out_list[self.width], :1 if self.depthwise else self.in_list[self.width]]

    def forward(self, x):
        groups = self.in_list[self.width] if self.depthwise else 1
        return F.conv2d(x, self.active_weight(), None, self.stride, self.padding, self.dilation, groups)


class SlimmableLinear(nn.Linear):
    def __init__(self, in_list, out_list):
        super().__init__(in_list[-1], out_list[-1])
        self.in_list, self.out_list, self.width = in_list, out_list, len(WIDTHS) - 1

    def active(self):
        o = self.out_list[self.width]
        return self.weight[:o, :self.in_list[self.width]], self.bias[:o]

    def forward(self, x):
        weight, bias = self.active()
        return F.linear(x, weight, bias)


class SwitchableBatchNorm2d(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.bn = nn.ModuleList([nn.BatchNorm2d(c) for c in features])
        self.width = len(WIDTHS) - 1

    def forward(self, x):
        return self.bn[self.width](x)


class SlimmableMobileNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = SlimmableConv2d(fixed(3), slim(32), 3, 2, 1)
        self.bn1 = SwitchableBatchNorm2d(slim(32))
        self.dw2 = SlimmableConv2d(slim(32), slim(32), 3, 1, 1, depthwise=True)
        self.bn2 = SwitchableBatchNorm2d(slim(32))
        self.pw2 = SlimmableConv2d(slim(32), slim(64), 1)
        self.bn3 = SwitchableBatchNorm2d(slim(64))
        self.dw3 = SlimmableConv2d(slim(64), slim(64), 3, 2, 1, depthwise=True)
        self.bn4 = SwitchableBatchNorm2d(slim(64))
        self.pw3 = SlimmableConv2d(slim(64), slim(64), 1)
        self.bn5 = SwitchableBatchNorm2d(slim(64))
        self.expand = SlimmableConv2d(slim(64), slim(128), 1)
        self.bn6 = SwitchableBatchNorm2d(slim(128))
        self.dw4 = SlimmableConv2d(slim(128), slim(128), 3, 1, 1, depthwise=True)
        self.bn7 = SwitchableBatchNorm2d(slim(128))
        self.project = SlimmableConv2d(slim(128), slim(64), 1)
        self.bn8 = SwitchableBatchNorm2d(slim(64))
        self.fc = SlimmableLinear(slim(64), fixed(10))

    def set_width(self, index):
        for module in self.modules():
            if hasattr(module, "width"):
                module.width = index

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.dw2(x)))
        x = F.relu(self.bn3(self.pw2(x)))
        x = F.relu(self.bn4(self.dw3(x)))
        x = self.bn5(self.pw3(x))
        y = F.relu(self.bn6(self.expand(x)))
        y = F.relu(self.bn7(self.dw4(y)))
        x = self.bn8(self.project(y)) + x
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def used(model, index, x):
    """Parameters the forward pass at one width reads, and its MACs for one sample, from hooks on that pass."""
    model.set_width(index)
    parameters, macs = 0, 0
    hooks = []

    def conv_hook(module, inputs, output):
        nonlocal macs
        weight = module.active_weight()
        macs += output[0].numel() * weight[0].numel()

    def linear_hook(module, inputs, output):
        nonlocal macs
        macs += output[0].numel() * module.active()[0].shape[1]

    for module in model.modules():
        if isinstance(module, SlimmableConv2d):
            parameters += module.active_weight().numel()
            hooks.append(module.register_forward_hook(conv_hook))
        elif isinstance(module, SlimmableLinear):
            parameters += sum(t.numel() for t in module.active())
            hooks.append(module.register_forward_hook(linear_hook))
        elif isinstance(module, SwitchableBatchNorm2d):
            parameters += sum(p.numel() for p in module.bn[index].parameters())
    with torch.no_grad():
        model(x[:1])
    for h in hooks:
        h.remove()
    return parameters, macs


def write_f32(path, tensor):
    with open(path, "wb") as f:
        f.write(tensor.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes())


def write(folder):
    torch.manual_seed(SEED)
    model = SlimmableMobileNet().eval()
    gen = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.copy_(torch.rand(module.weight.shape, generator=gen) * 0.6 + 0.5)
                module.bias.copy_(torch.randn(module.bias.shape, generator=gen) * 0.1)
                module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=gen) * 0.2)
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=gen) * 1.5 + 0.5)
    torch.save(model.state_dict(), f"{folder}/slimmable.pt")
    x = torch.randn(2, 3, 32, 32, generator=gen)
    write_f32(f"{folder}/slimmable.input.f32", x)
    counts = {"parameters": [], "macs": []}
    for index in range(len(WIDTHS)):
        p, m = used(model, index, x)
        counts["parameters"].append(p)
        counts["macs"].append(m)
        with torch.no_grad():
            write_f32(f"{folder}/slimmable.output.{index}.f32", model(x))
    counts["stored"] = sum(p.numel() for p in model.parameters())
    counts["buffers"] = sum(b.numel() for b in model.buffers())
    print(json.dumps(counts))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "write":
        sys.exit("usage: slimmable.py write DIR")
    write(sys.argv[2])
