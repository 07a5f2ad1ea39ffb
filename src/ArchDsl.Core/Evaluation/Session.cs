using System;
using System.Collections.Generic;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;

namespace ArchDsl.Core.Evaluation;

/// <summary>State of one evaluation: known blocks, findings, and whether values are concrete or symbolic.</summary>
internal sealed class Session
{
    private readonly Dictionary<string, ModuleDecl> _blocks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SignatureFacts> _signatures = new(StringComparer.Ordinal);
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);
    // Signatures being computed, innermost last: each notes what its result depends on (see SignatureFacts).
    private readonly List<SignatureRecording> _recordings = new();
    private bool _hasErrors;

    public Session(IEnumerable<ModuleDecl> blocks, bool symbolic)
    {
        foreach (var b in blocks)
            if (!b.IsModel && !_blocks.ContainsKey(b.FullName)) _blocks.Add(b.FullName, b);
        Symbolic = symbolic;
    }

    /// <summary>Symbolic: a block evaluated on its own, values are placeholders and only expressions count.</summary>
    public bool Symbolic { get; private set; }

    /// <summary>The model is [Slimmable]: its own layers' fields hold the modules that run every width.</summary>
    public bool Slimmable { get; set; }

    /// <summary>Depth of block instances being evaluated concretely inside a model.</summary>
    public int InstanceDepth { get; set; }

    /// <summary>The model evaluated concretely, if any: findings inside its block instances are located in the blocks,
    /// so their layer path is given from the model's name ("ResNet18.layer4.0.conv1").</summary>
    public string? ModelName { get; set; }

    /// <summary>While above zero, a layer before has failed and evaluation goes on with a stand-in shape to find the
    /// independent mistakes after it: findings that depend on the shape are dropped.</summary>
    public int AfterFailure { get; set; }

    /// <summary>While above zero, findings are dropped (signatures computed on behalf of a parent).</summary>
    public int Muted { get; set; }

    public List<Finding> Findings { get; } = new();

    /// <summary>Declarations and namespaces already reported as a missing using (ADSL0024): once per class.</summary>
    public HashSet<string> MissingUsings { get; } = new(System.StringComparer.Ordinal);

    public bool HasErrors
    {
        get => _hasErrors;
        set
        {
            _hasErrors = value;
            if (value) foreach (var r in _recordings) r.SetsErrors = true;
        }
    }

    public ModuleDecl? FindBlock(string fullName)
    {
        var block = _blocks.TryGetValue(fullName, out var b) ? b : null;
        foreach (var r in _recordings) r.Dependencies.Add(new KeyValuePair<string, ModuleDecl?>(fullName, block));
        return block;
    }

    public bool Enter(string blockName)
    {
        if (_active.Add(blockName)) return true;
        foreach (var r in _recordings) r.HasCycle = true;
        return false;
    }

    public void Leave(string blockName) => _active.Remove(blockName);

    public BlockSignature? Signature(string name) => _signatures.TryGetValue(name, out var f) ? Use(f) : null;

    public void SetSignature(string name, SignatureFacts facts) => _signatures[name] = facts;

    /// <summary>
    /// A signature computed for another declaration in another session, if this session would compute the same one:
    /// each block it looked up is the same declaration here, none is being evaluated here (which would make it a
    /// cycle in this session), and none has a signature here that was derived inside a cycle.
    /// </summary>
    public BlockSignature? Reuse(SignatureFacts facts)
    {
        foreach (var d in facts.Dependencies)
        {
            var here = _blocks.TryGetValue(d.Key, out var b) ? b : null;
            if (!ReferenceEquals(here, d.Value) || _active.Contains(d.Key)) return null;
            // A signature this session derived inside a cycle would be used for that block here, not the one the
            // shared signature was derived with.
            if (_signatures.TryGetValue(d.Key, out var known) && known.HasCycle) return null;
        }
        return Use(facts);
    }

    /// <summary>Takes a known signature: its side effects on this session, and what it depends on, pass to any
    /// signature being computed around it. (An enclosing signature that goes on to instantiate the block records the
    /// same look-ups itself; this keeps the record whole when it does not.)</summary>
    private BlockSignature Use(SignatureFacts facts)
    {
        foreach (var r in _recordings)
        {
            r.Dependencies.AddRange(facts.Dependencies);
            r.HasCycle |= facts.HasCycle;
        }
        if (facts.SetsErrors) HasErrors = true;
        return facts.Signature;
    }

    private static object[] With(object[] args, object first)
    {
        var copy = (object[])args.Clone();
        copy[0] = first;
        return copy;
    }

    public SignatureRecording BeginRecording()
    {
        var r = new SignatureRecording();
        _recordings.Add(r);
        return r;
    }

    public void EndRecording(SignatureRecording r) => _recordings.Remove(r);

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
        // After a layer failed, later layers see a stand-in shape: only what is wrong whatever the shape is said.
        if (AfterFailure > 0 && shapeDependent) return;
        if (!Symbolic && InstanceDepth > 0 && !shapeDependent) return;
        if (!Symbolic && InstanceDepth > 0 && ModelName != null && args.Length > 0 && args[0] is string path)
            args = With(args, ModelName + "." + path);
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

/// <summary>What a block signature depends on, noted while it is computed.</summary>
internal sealed class SignatureRecording
{
    public List<KeyValuePair<string, ModuleDecl?>> Dependencies { get; } = new();
    public bool SetsErrors { get; set; }
    public bool HasCycle { get; set; }
}

/// <summary>
/// A block signature with everything it depends on beyond the block's own declaration: the declaration found for each
/// block name it looked up (or none), whether computing it marks the evaluation as failed, and whether it met a cycle.
/// </summary>
internal sealed class SignatureFacts
{
    public SignatureFacts(BlockSignature signature, SignatureRecording recording)
    {
        Signature = signature;
        Dependencies = recording.Dependencies.ToArray();
        SetsErrors = recording.SetsErrors;
        HasCycle = recording.HasCycle;
    }

    public BlockSignature Signature { get; }
    public KeyValuePair<string, ModuleDecl?>[] Dependencies { get; }
    public bool SetsErrors { get; }
    public bool HasCycle { get; }
}
