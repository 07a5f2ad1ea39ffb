using System;
using System.Collections.Generic;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;

namespace ArchDsl.Core.Evaluation;

/// <summary>State of one evaluation: known blocks, findings, and whether values are concrete or symbolic.</summary>
internal sealed class Session
{
    private readonly Dictionary<string, ModuleDecl> _blocks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BlockSignature?> _signatures = new(StringComparer.Ordinal);
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);

    public Session(IEnumerable<ModuleDecl> blocks, bool symbolic)
    {
        foreach (var b in blocks)
            if (!b.IsModel && !_blocks.ContainsKey(b.FullName)) _blocks.Add(b.FullName, b);
        Symbolic = symbolic;
    }

    /// <summary>Symbolic: a block evaluated on its own, values are placeholders and only expressions count.</summary>
    public bool Symbolic { get; private set; }

    /// <summary>Depth of block instances being evaluated concretely inside a model.</summary>
    public int InstanceDepth { get; set; }

    /// <summary>While above zero, findings are dropped (signatures computed on behalf of a parent).</summary>
    public int Muted { get; set; }

    public List<Finding> Findings { get; } = new();
    public bool HasErrors { get; set; }

    public ModuleDecl? FindBlock(string fullName) => _blocks.TryGetValue(fullName, out var b) ? b : null;

    public bool Enter(string blockName) => _active.Add(blockName);
    public void Leave(string blockName) => _active.Remove(blockName);

    public bool TryGetSignature(string name, out BlockSignature? sig) => _signatures.TryGetValue(name, out sig);
    public void SetSignature(string name, BlockSignature? sig) => _signatures[name] = sig;

    /// <summary>
    /// Records a finding. Declaration problems (shapeDependent = false) are reported where they are written:
    /// in the block's own plan, not once per instance. Shape problems are reported only with concrete values.
    /// </summary>
    public void Report(Rule rule, SourceSpan span, bool shapeDependent, params object[] args)
    {
        if (rule.Severity == Severity.Error && !Symbolic) HasErrors = true;
        if (rule.Severity == Severity.Error && Symbolic && !shapeDependent) HasErrors = true;
        if (Muted > 0) return;
        if (Symbolic && shapeDependent) return;
        if (!Symbolic && InstanceDepth > 0 && !shapeDependent) return;
        var f = Finding.Of(rule, span, args);
        if (!Findings.Contains(f)) Findings.Add(f);
    }

    public T WithMode<T>(bool symbolic, Func<T> action)
    {
        bool saved = Symbolic;
        int savedDepth = InstanceDepth;
        Symbolic = symbolic;
        try { return action(); }
        finally { Symbolic = saved; InstanceDepth = savedDepth; }
    }
}
