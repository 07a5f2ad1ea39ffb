using System.Collections.Generic;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Evaluation;

/// <summary>Variables visible to expressions: a block's parameters and input dimensions.</summary>
internal sealed class Scope
{
    private readonly Dictionary<string, Dim> _vars;

    public static readonly Scope Empty = new();

    /// <param name="capacity">Variables expected (a block's inputs and parameters), so filling it does not resize.</param>
    public Scope(int capacity = 0) => _vars = new Dictionary<string, Dim>(capacity);

    public bool InBlock { get; init; }

    public void Set(string name, Dim value) => _vars[name] = value;

    public bool TryGet(string name, out Dim value) => _vars.TryGetValue(name, out value);

    private Dictionary<string, string>? _meant;

    /// <summary>A name taken for a typo of a declared one (not made a parameter), with the name meant.</summary>
    public void SetMeant(string typo, string meant) => (_meant ??= new Dictionary<string, string>())[typo] = meant;

    /// <summary>The name a user probably meant: a typo recorded when the block's parameters were found, or the nearest
    /// name defined here.</summary>
    public string? Meant(string name) =>
        _meant != null && _meant.TryGetValue(name, out var m) ? m : Evaluation.Names.Nearest(name, Names);

    /// <summary>The names defined here: sizes and activation parameters.</summary>
    public IEnumerable<string> Names
    {
        get
        {
            foreach (var k in _vars.Keys) yield return k;
            if (_activations != null) foreach (var k in _activations.Keys) yield return k;
        }
    }

    private Dictionary<string, ActivationValue>? _activations;

    /// <summary>A block's activation parameter: its value in this instance, or (checked on its own) the parameter itself.</summary>
    public void SetActivation(string name, ActivationValue value) => (_activations ??= new Dictionary<string, ActivationValue>())[name] = value;

    public bool TryGetActivation(string name, out ActivationValue value)
    {
        if (_activations != null) return _activations.TryGetValue(name, out value!);
        value = null!;
        return false;
    }
}

/// <summary>An activation as a block parameter gives it: a member of Act (Name), or, in a block checked on its own, the
/// constructor parameter that will carry it (Parameter).</summary>
public sealed record ActivationValue(string? Name, string? Parameter)
{
    public static ActivationValue Of(string name) => new(name, null);
    public static ActivationValue FromParameter(string parameter) => new(null, parameter);
}
