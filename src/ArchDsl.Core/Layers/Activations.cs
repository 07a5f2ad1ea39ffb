using System.Collections.Generic;

namespace ArchDsl.Core.Layers;

/// <summary>Where a functional activation lives in TorchSharp.</summary>
public enum FunctionalHome
{
    /// <summary><c>nn.functional.name(x)</c>.</summary>
    Functional,
    /// <summary><c>torch.name(x)</c>.</summary>
    Torch,
}

/// <summary>
/// One activation of the <c>Act</c> enum: the module that stands for it (in an Mlp, as a layer) and the call that applies
/// it after a layer. <see cref="InPlace"/>: applied in place on a fresh output, which only an activation whose gradient
/// reads its output (not its input) allows.
/// <see cref="Approximate"/>: the full name of TorchSharp's approximation to pass (GELU's tanh form), or null.
/// </summary>
public sealed record Activation(string Name, string Module, FunctionalHome Home, string Function, bool InPlace, string? Approximate = null);

public static class Activations
{
    public static readonly IReadOnlyDictionary<string, Activation> ByName = Build(
        new Activation("ReLU", "ReLU", FunctionalHome.Functional, "relu", true),
        new Activation("ReLU6", "ReLU6", FunctionalHome.Functional, "relu6", true),
        new Activation("GELU", "GELU", FunctionalHome.Functional, "gelu", false),
        new Activation("GELUTanh", "GELU", FunctionalHome.Functional, "gelu", false, "TorchSharp.Modules.GELU.Approximate.tanh"),
        new Activation("SiLU", "SiLU", FunctionalHome.Functional, "silu", false),
        new Activation("Hardswish", "Hardswish", FunctionalHome.Functional, "hardswish", false),
        new Activation("Hardsigmoid", "Hardsigmoid", FunctionalHome.Functional, "hardsigmoid", false),
        new Activation("Sigmoid", "Sigmoid", FunctionalHome.Torch, "sigmoid", false),
        new Activation("Tanh", "Tanh", FunctionalHome.Torch, "tanh", false));

    private static IReadOnlyDictionary<string, Activation> Build(params Activation[] all)
    {
        var d = new Dictionary<string, Activation>(System.StringComparer.Ordinal);
        foreach (var a in all) d.Add(a.Name, a);
        return d;
    }

    /// <summary>The module recipe for an activation by name; <c>None</c> is an Identity (the position is kept).</summary>
    public static ModuleRecipe Module(string name)
    {
        if (name == "None") return ModuleRecipe.Nn("Identity");
        var a = ByName[name];
        var r = ModuleRecipe.Nn(a.Module);
        if (a.Approximate != null) r.Add(RecipeArg.OfSymbol(a.Approximate));
        return r;
    }
}
