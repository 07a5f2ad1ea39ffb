using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Layers;

/// <summary>A module whose own layers change in the deploy form (generated modules with a batch norm after a
/// convolution, RepVGG blocks); <see cref="Reparameterization.ToDeployForm"/> converts each one.</summary>
public interface IDeployable
{
    /// <summary>Whether its own layers are in the deploy form.</summary>
    bool Deployed { get; }

    /// <summary>Converts its own layers (not those of modules inside it) into the deploy form, in place.</summary>
    void FoldOwnLayers();
}

/// <summary>
/// Deploy forms: what a generated model's ToDeployForm calls, and the folds its generated code asks for. Folding uses the
/// batch norms' running statistics (eval semantics): with s = γ/√(σ² + ε) per output channel, the convolution's weight
/// becomes w·s and its bias β + (b − μ)·s (b = 0 where it had none).
/// </summary>
public static class Reparameterization
{
    /// <summary>Converts <paramref name="model"/> and every module inside it into the deploy form, in place.</summary>
    public static void ToDeployForm(nn.Module model)
    {
        // Listed first: folding changes the registrations that modules() walks.
        var all = new List<IDeployable>();
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        foreach (var m in model.modules())
            if (m is IDeployable d && seen.Add(m)) all.Add(d);
        if (model is IDeployable self && seen.Add(model)) all.Add(self);
        foreach (var d in all)
            if (!d.Deployed) d.FoldOwnLayers();
    }

    /// <summary>
    /// Folds <paramref name="bn"/> into <paramref name="conv"/> (which gains a bias where it had none) and removes the
    /// batch norm from <paramref name="owner"/>'s registrations, so that it leaves the state_dict; the owner's forward
    /// no longer calls it.
    /// </summary>
    public static void Fold(nn.Module owner, Conv2d conv, BatchNorm2d bn)
    {
        FoldInto(conv, bn);
        Replace(owner, bn, null);
    }

    /// <summary>
    /// A shortcut projection (1×1 convolution, batch norm) as one convolution with bias: returns the new projection,
    /// registered in <paramref name="owner"/> under the old one's name and place.
    /// </summary>
    public static Sequential Fold(nn.Module owner, Sequential projection)
    {
        var conv = (Conv2d)projection[0];
        var bn = (BatchNorm2d)projection[1];
        FoldInto(conv, bn);
        var folded = nn.Sequential(("0", conv));
        Replace(owner, projection, folded);
        bn.Dispose();
        return folded;
    }

    private static void FoldInto(Conv2d conv, BatchNorm2d bn)
    {
        using var _ = no_grad();
        Tensor bias;
        using (var scope = NewDisposeScope())
        {
            var scale = bn.weight! / (bn.running_var! + bn.eps).sqrt();
            conv.weight!.mul_(scale.reshape(-1, 1, 1, 1));
            var b = conv.bias is null ? bn.bias! - bn.running_mean! * scale : bn.bias! + (conv.bias - bn.running_mean!) * scale;
            bias = scope.MoveToOuter(b.detach().clone());
        }
        if (conv.bias is null) conv.bias = new Parameter(bias, requires_grad: conv.weight.requires_grad);
        else
        {
            conv.bias.copy_(bias);
            bias.Dispose();
        }
    }

    /// <summary>
    /// Replaces <paramref name="old"/> (or removes it, for null) where <paramref name="owner"/> registers it: in the owner
    /// itself or in a <see cref="Container"/> of keyed paths. The other registrations keep their order.
    /// </summary>
    private static void Replace(nn.Module owner, nn.Module old, nn.Module? replacement)
    {
        if (!ReplaceIn(owner, old, replacement))
            throw new System.InvalidOperationException($"{owner.GetName()}: the module to fold is not registered in it");
    }

    private static bool ReplaceIn(nn.Module parent, nn.Module old, nn.Module? replacement)
    {
        var children = new List<(string Name, nn.Module Module)>(parent.named_children());
        int at = children.FindIndex(c => ReferenceEquals(c.Module, old));
        if (at < 0)
        {
            foreach (var c in children)
                if (c.Module is Container keyed && ReplaceIn(keyed, old, replacement)) return true;
            return false;
        }
        // Re-registered in order from the changed one on: a registration goes last.
        for (int i = at; i < children.Count; i++) parent.register_module(children[i].Name, null!);
        if (replacement != null) parent.register_module(children[at].Name, replacement);
        for (int i = at + 1; i < children.Count; i++) parent.register_module(children[i].Name, children[i].Module);
        return true;
    }
}
