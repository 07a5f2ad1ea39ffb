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
}
