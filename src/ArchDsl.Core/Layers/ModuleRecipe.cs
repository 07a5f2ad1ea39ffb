using System.Collections.Generic;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers;

/// <summary>How a recipe's module comes to be.</summary>
public enum RecipeForm
{
    /// <summary>A TorchSharp factory: <c>nn.Conv2d(...)</c>.</summary>
    Factory,
    /// <summary>A class of the runtime library: <c>new global::ArchDsl.Layers.SelfAttention(...)</c>.</summary>
    Runtime,
    /// <summary>A learned tensor: <c>nn.Parameter(...)</c> of <see cref="ModuleRecipe.Shape"/>, initialised by <see cref="ModuleRecipe.Init"/>.</summary>
    Parameter,
}

/// <summary>How a learned tensor starts.</summary>
public enum ParameterInit
{
    Zeros,
    /// <summary>Normal with mean 0 and standard deviation <see cref="ModuleRecipe.InitValue"/>.</summary>
    Normal,
    /// <summary>Every element <see cref="ModuleRecipe.InitValue"/>.</summary>
    Fill,
}

public enum RecipeValueKind
{
    Dim,
    Real,
    Bool,
    Text,
    /// <summary>A pair of sizes: <c>(h, w)</c>.</summary>
    Pair,
    Module,
    /// <summary>A TorchSharp enum member by full name: "TorchSharp.torch.UpsampleMode.Bilinear".</summary>
    Symbol,
    /// <summary>An array of sizes: <c>new long[] { 0, 2, 3, 1 }</c>.</summary>
    Sizes,
    /// <summary>An array of numbers: <c>new double[] { 2.0, 2.0 }</c>.</summary>
    Reals,
    /// <summary>Another layer of the same module, by member name (a tied head's embedding).</summary>
    Member,
}

/// <summary>One argument of a recipe: a size (an expression in a block), a number, a flag, a string, a pair or a module.</summary>
public sealed class RecipeArg
{
    private RecipeArg(string? name, RecipeValueKind kind) { Name = name; Kind = kind; }

    /// <summary>Null for a positional argument, else the factory's parameter name.</summary>
    public string? Name { get; }
    public RecipeValueKind Kind { get; }
    public Dim Dim { get; private set; }
    public Dim Second { get; private set; }
    public double Real { get; private set; }
    public bool Bool { get; private set; }
    public string Text { get; private set; } = "";
    public ModuleRecipe? Module { get; private set; }
    public IReadOnlyList<Dim> Items { get; private set; } = System.Array.Empty<Dim>();
    public IReadOnlyList<double> RealItems { get; private set; } = System.Array.Empty<double>();

    public static RecipeArg Of(Dim d, string? name = null) => new(name, RecipeValueKind.Dim) { Dim = d };
    public static RecipeArg Of(double v, string? name = null) => new(name, RecipeValueKind.Real) { Real = v };
    public static RecipeArg Of(bool v, string? name = null) => new(name, RecipeValueKind.Bool) { Bool = v };
    public static RecipeArg OfText(string v, string? name = null) => new(name, RecipeValueKind.Text) { Text = v };
    public static RecipeArg OfPair(Dim a, Dim b, string? name = null) => new(name, RecipeValueKind.Pair) { Dim = a, Second = b };
    public static RecipeArg Of(ModuleRecipe m, string? name = null) => new(name, RecipeValueKind.Module) { Module = m };
    public static RecipeArg OfSymbol(string fullName, string? name = null) => new(name, RecipeValueKind.Symbol) { Text = fullName };
    public static RecipeArg OfSizes(IReadOnlyList<Dim> items, string? name = null) => new(name, RecipeValueKind.Sizes) { Items = items };
    public static RecipeArg OfMember(string member, string? name = null) => new(name, RecipeValueKind.Member) { Text = member };
    public static RecipeArg OfReals(IReadOnlyList<double> items, string? name = null) => new(name, RecipeValueKind.Reals) { RealItems = items };

    /// <summary>The sizes it reads (a block's constructor needs their variables).</summary>
    public IEnumerable<Dim> Dims()
    {
        if (Kind is RecipeValueKind.Dim or RecipeValueKind.Pair) yield return Dim;
        if (Kind == RecipeValueKind.Pair) yield return Second;
        foreach (var d in Items) yield return d;
        if (Module != null) foreach (var d in Module.Dims()) yield return d;
    }
}

/// <summary>
/// The module a layer creates, as data: the generator renders it as C#, the export to other frameworks may render it
/// otherwise. The core writes no code.
/// </summary>
public sealed class ModuleRecipe
{
    private readonly List<RecipeArg> _args = new(4);

    private ModuleRecipe(RecipeForm form, string factory) { Form = form; Factory = factory; }

    public RecipeForm Form { get; }
    /// <summary>TorchSharp's factory under <c>nn</c> ("Conv2d"), or the runtime class under <c>ArchDsl.Layers</c>.</summary>
    public string Factory { get; }
    public IReadOnlyList<RecipeArg> Args => _args;
    /// <summary>Parameters only: the tensor's shape and initialisation.</summary>
    public IReadOnlyList<Dim> Shape { get; private set; } = System.Array.Empty<Dim>();
    public ParameterInit Init { get; private set; }
    public double InitValue { get; private set; }

    public static ModuleRecipe Nn(string factory) => new(RecipeForm.Factory, factory);
    public static ModuleRecipe Runtime(string className) => new(RecipeForm.Runtime, className);
    public static ModuleRecipe Parameter(ParameterInit init, double value, params Dim[] shape) =>
        new(RecipeForm.Parameter, "Parameter") { Shape = shape, Init = init, InitValue = value };

    public ModuleRecipe Add(RecipeArg a) { _args.Add(a); return this; }
    public ModuleRecipe Add(Dim d) => Add(RecipeArg.Of(d));
    /// <summary>A named size, left out where it is the factory's default.</summary>
    public ModuleRecipe AddUnless(string name, Dim d, long defaultValue) =>
        d.Expr.IsConst && d.Value == defaultValue ? this : Add(RecipeArg.Of(d, name));
    public ModuleRecipe AddUnless(string name, double v, double defaultValue) =>
        v == defaultValue ? this : Add(RecipeArg.Of(v, name));
    public ModuleRecipe AddUnless(string name, bool v, bool defaultValue) =>
        v == defaultValue ? this : Add(RecipeArg.Of(v, name));

    public IEnumerable<Dim> Dims()
    {
        foreach (var d in Shape) yield return d;
        foreach (var a in _args)
            foreach (var d in a.Dims()) yield return d;
    }
}
