using System.Collections.Generic;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Evaluation;

/// <summary>Reads one layer attribute's hyperparameters as Dims, reporting what is missing or malformed.</summary>
internal sealed class LayerArgs
{
    private readonly Session _s;
    private readonly Scope _scope;
    private readonly List<KeyValuePair<string, Expr>>? _with;
    private readonly SourceSpan _withSpan = SourceSpan.None;

    public LayerArgs(Session s, Scope scope, LayerKind kind, AttributeDecl attr, string where)
    {
        _s = s;
        _scope = scope;
        Kind = kind;
        Attr = attr;
        Where = where;
        var with = attr.Get("With");
        if (with is { Kind: ArgKind.String, Text: { } text })
        {
            _withSpan = with.Span;
            _with = ExprParser.ParseBindings(text, out var error);
            if (_with is null) Fail(Rules.BadExpression, with.Span, false, Where, text, error!);
        }
    }

    /// <summary>Arguments every layer attribute has (LayerAttribute's own properties).</summary>
    public static readonly string[] Common = { "Activation", "With", "Key", "Input" };

    public LayerKind Kind { get; }
    internal Session Session => _s;
    internal Scope Scope => _scope;
    public AttributeDecl Attr { get; }
    public string Where { get; }
    public bool Failed { get; internal set; }
    /// <summary>The layers of the same module declared before this one (a tied head finds its embedding there).</summary>
    public IReadOnlyList<LayerNode> Earlier { get; init; } = System.Array.Empty<LayerNode>();
    /// <summary>The inputs of the members at or before this one (and the block's skip), by name, as joins read them.</summary>
    public IReadOnlyDictionary<string, Shape> Inputs { get; init; } = new Dictionary<string, Shape>();
    /// <summary>The model or block whose member this is.</summary>
    public ModuleDecl? Owner { get; init; }
    /// <summary>The enclosing block's skip input, if it takes one: its name and shape.</summary>
    public KeyValuePair<string, Shape>? Skip { get; init; }

    private HashSet<string>? _consumed; // With keys a rule read; only layers that have With need it

    /// <summary>Whether the hyperparameter is written, directly or in With.</summary>
    public bool Has(string name)
    {
        if (Raw(name) != null) return true;
        if (_with != null)
            foreach (var kv in _with)
                if (string.Equals(kv.Key, name, System.StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The With entry for <paramref name="name"/>, marked as read; null when With does not give it.</summary>
    public Expr? WithValue(string name, out SourceSpan span)
    {
        span = _withSpan;
        if (_with is null) return null;
        foreach (var kv in _with)
            if (string.Equals(kv.Key, name, System.StringComparison.OrdinalIgnoreCase))
            {
                (_consumed ??= new HashSet<string>(System.StringComparer.OrdinalIgnoreCase)).Add(kv.Key);
                return kv.Value;
            }
        return null;
    }

    /// <summary>After the layer's rule ran: a With entry it never read names no hyperparameter of this layer.</summary>
    public void ReportUnusedWith()
    {
        if (_with is null) return;
        foreach (var kv in _with)
            if (_consumed is null || !_consumed.Contains(kv.Key))
            {
                string? declared = null;
                foreach (var a in Kind.Arguments)
                    if (string.Equals(a, kv.Key, System.StringComparison.OrdinalIgnoreCase)) declared = a;
                Fail(Rules.BadArgument, _withSpan, false, Where, declared is null
                    ? $"[{Kind.Name}] has no hyperparameter '{kv.Key}' that With can set"
                    : $"[{Kind.Name}]'s {declared} is not an integer size, and With binds only those; write it directly ({declared} = ...)");
            }
    }

    public void Fail(Rule rule, SourceSpan span, bool shapeDependent, params object[] args)
    {
        if (!(_s.Symbolic && shapeDependent)) Failed = true;
        _s.Report(rule, span.IsNone ? Attr.Span : span, shapeDependent, args);
    }

    /// <summary>The argument as written for this hyperparameter: positional or named.</summary>
    public ArgValue? Raw(string name)
    {
        int pos = System.Array.IndexOf(Kind.Positional, name);
        if (pos >= 0 && pos < Attr.Positional.Count) return Attr.Positional[pos];
        // A kind reads only what it declares, so the catalogue test can hold every name to the attribute's properties.
        if (pos < 0 && System.Array.IndexOf(Kind.Named, name) < 0 && System.Array.IndexOf(Common, name) < 0)
            throw new System.InvalidOperationException($"layer kind {Kind.Name} reads '{name}' without declaring it");
        return Attr.Get(name);
    }

    /// <summary>An integer hyperparameter, at least <paramref name="min"/>. Null if missing without default or invalid.</summary>
    public Dim? Int(string name, long? defaultValue, long min = 1)
    {
        Dim? result = null;
        // Written with a block's variables: the value depends on the instance. A constant ("0", or "stride = 0" in
        // With) is wrong for every instance: a declaration problem, reported where it is written, also in a block
        // checked on its own.
        bool fromVariables = false;
        if (_with != null)
            foreach (var kv in _with)
                if (string.Equals(kv.Key, name, System.StringComparison.OrdinalIgnoreCase))
                {
                    (_consumed ??= new HashSet<string>(System.StringComparer.OrdinalIgnoreCase)).Add(kv.Key);
                    if (Raw(name) is { } dup)
                        Fail(Rules.BadArgument, dup.Span, false, Where, $"{name} is given both directly and in With");
                    result = Evaluate(kv.Value, _withSpan, name, $"{name} = {kv.Value}");
                    if (result is null) return null;
                    fromVariables = !kv.Value.IsConst;
                }
        if (result is null)
        {
            var raw = Raw(name);
            if (raw is null)
            {
                if (defaultValue is null)
                {
                    Fail(Rules.BadArgument, Attr.Span, false, Where, $"[{Kind.Name}] needs {name}");
                    return null;
                }
                return Dim.Of(defaultValue.Value, Attr.Span);
            }
            result = FromArg(raw, name, out fromVariables);
            if (result is null) return null;
        }
        var d = result.Value;
        if (d.Value < min && !(_s.Symbolic && !d.Expr.IsConst))
        {
            Fail(Rules.BadArgument, d.Origin ?? Attr.Span, fromVariables || !d.Expr.IsConst, Where, $"{name} must be at least {min}, got {d.Value}");
            return null;
        }
        return d;
    }

    private Dim? FromArg(ArgValue raw, string name, out bool fromVariables)
    {
        fromVariables = false;
        switch (raw.Kind)
        {
            case ArgKind.Int:
                return Dim.Of(raw.Int, raw.Span);
            case ArgKind.String:
                var e = ExprParser.Parse(raw.Text ?? "", out var error);
                if (e is null)
                {
                    Fail(Rules.BadExpression, raw.Span, false, Where, raw.Text ?? "", error!);
                    return null;
                }
                fromVariables = !e.IsConst;
                return Evaluate(e, raw.Span, name, raw.Text ?? "");
            default:
                Fail(Rules.BadArgument, raw.Span, false, Where, $"{name} must be an integer or an expression string, got {raw.Describe()}");
                return null;
        }
    }

    public Dim? Evaluate(Expr e, SourceSpan span, string name, string text) => Evaluator.Evaluate(_s, _scope, e, span, Where, text, () => Failed = true);

    public double Real(string name, double defaultValue, double min, double max)
    {
        var raw = Raw(name);
        if (raw is null) return defaultValue;
        double v;
        if (raw.Kind == ArgKind.Double) v = raw.Double;
        else if (raw.Kind == ArgKind.Int) v = raw.Int;
        else
        {
            Fail(Rules.BadArgument, raw.Span, false, Where, $"{name} must be a number, got {raw.Describe()}");
            return defaultValue;
        }
        if (double.IsNaN(v) || v < min || v > max)
        {
            Fail(Rules.BadArgument, raw.Span, false, Where, $"{name} must be between {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} and {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}, got {raw.Describe()}");
            return defaultValue;
        }
        return v;
    }

    public bool Bool(string name, bool defaultValue)
    {
        var raw = Raw(name);
        if (raw is null) return defaultValue;
        if (raw.Kind == ArgKind.Bool) return raw.Int != 0;
        Fail(Rules.BadArgument, raw.Span, false, Where, $"{name} must be true or false, got {raw.Describe()}");
        return defaultValue;
    }

    /// <summary>An enum argument's member name, or null when absent (or "None").</summary>
    public string? Enum(string name)
    {
        var raw = Raw(name);
        if (raw is null) return null;
        if (raw.Kind != ArgKind.Enum)
        {
            Fail(Rules.BadArgument, raw.Span, false, Where, $"{name} must be an enum member, got {raw.Describe()}");
            return null;
        }
        return raw.Text == "None" ? null : raw.Text;
    }

    /// <summary>An integer array argument (params int[]), or null after reporting what else was written.</summary>
    public long[]? Ints(string name)
    {
        var raw = Raw(name);
        if (raw is null) return System.Array.Empty<long>();
        if (raw.Kind == ArgKind.IntArray) return raw.Ints.ToArray();
        if (raw.Kind == ArgKind.Int) return new[] { raw.Int };
        Fail(Rules.BadArgument, raw.Span, false, Where, $"{name} must be integers, got {raw.Describe()}");
        return null;
    }

    public string? Text(string name)
    {
        var raw = Raw(name);
        if (raw is null || raw.Kind == ArgKind.Null) return null;
        if (raw.Kind != ArgKind.String)
        {
            Fail(Rules.BadArgument, raw.Span, false, Where, $"{name} must be a string, got {raw.Describe()}");
            return null;
        }
        return raw.Text;
    }
}
