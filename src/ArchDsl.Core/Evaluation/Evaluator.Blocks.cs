using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Evaluation;

public static partial class Evaluator
{
    // Signatures shared between evaluations, keyed by the block's declaration. A generator run evaluates each model
    // in a session of its own, with the same block declarations, so without this every model that uses a block
    // derives its signature again. A shared signature is reused only where it would come out the same (Session.Reuse).
    // An entry holds the declarations it was derived from until its block's signature is derived again: after an
    // edit, about one old declaration per block.
    private static readonly ConditionalWeakTable<ModuleDecl, SignatureFacts> SharedSignatures = new();

    /// <summary>
    /// A block's constructor signature, found by evaluating the block symbolically. When
    /// <paramref name="layers"/> is given, the symbolic layers are kept (the block's own plan).
    /// Returns null when the block is already being evaluated (it contains itself).
    /// </summary>
    private static BlockSignature? Signature(Session s, ModuleDecl block, bool muted, List<LayerNode>? layers)
    {
        // Only the look-ups made on behalf of a parent are kept and shared: a block's own plan reports its findings.
        bool kept = layers is null;
        if (kept && s.Signature(block.FullName) is { } known) return known;
        if (!s.Enter(block.FullName)) return null;
        SignatureRecording? recording = null;
        try
        {
            if (kept && SharedSignatures.TryGetValue(block, out var shared) && s.Reuse(shared) is { } reused)
            {
                s.SetSignature(block.FullName, shared);
                return reused;
            }
            if (kept) recording = s.BeginRecording();
            if (muted) s.Muted++;
            BlockSignature sig;
            try
            {
                sig = s.WithMode(symbolic: true, () => DeriveSignature(s, block, layers ?? new List<LayerNode>()));
            }
            finally
            {
                if (muted) s.Muted--;
            }
            if (recording != null)
            {
                s.EndRecording(recording);
                var facts = new SignatureFacts(sig, recording);
                recording = null;
                s.SetSignature(block.FullName, facts);
                if (!facts.HasCycle)
                    lock (SharedSignatures)
                    {
                        SharedSignatures.Remove(block);
                        SharedSignatures.Add(block, facts);
                    }
            }
            return sig;
        }
        finally
        {
            if (recording != null) s.EndRecording(recording);
            s.Leave(block.FullName);
        }
    }

    private static BlockSignature DeriveSignature(Session s, ModuleDecl block, List<LayerNode> list)
    {
        // The class checks (partial, not abstract, layer fields, reserved names) run wherever the signature is derived,
        // so a model using a block that fails them is not built against it either.
        CheckClass(s, block);
        var sig = new BlockSignature { BlockName = block.Name, Layout = BlockLayout(block) };
        var scope = new Scope { InBlock = true };
        var inputNames = LayerCatalog.InputNames(sig.Layout);
        var inputDims = new Dim[inputNames.Length];
        for (int i = 0; i < inputNames.Length; i++)
        {
            inputDims[i] = new Dim(Placeholder, Expr.Var(inputNames[i]));
            scope.Set(inputNames[i], inputDims[i]);
        }

        var skip = ReadSkip(s, block, sig);
        var skipNames = skip is null ? Array.Empty<string>() : LayerCatalog.SkipNames(sig.Layout);
        var skipDims = new Dim[skipNames.Length];
        for (int i = 0; i < skipNames.Length; i++)
        {
            skipDims[i] = new Dim(Placeholder, Expr.Var(skipNames[i]));
            scope.Set(skipNames[i], skipDims[i]);
        }

        var defaults = ReadParamDefaults(s, block, inputNames, out var activations);
        foreach (var kv in activations)
        {
            sig.ActivationList.Add(kv);
            scope.SetActivation(kv.Key, ActivationValue.FromParameter(kv.Key));
        }
        var identifiers = ScanIdentifiers(block, out bool unreadable);
        var declared = new List<string>(inputNames);
        declared.AddRange(skipNames);
        declared.AddRange(defaults.Keys);
        foreach (var a in activations) declared.Add(a.Key);
        foreach (var kv in identifiers)
        {
            if (Array.IndexOf(inputNames, kv.Key) >= 0 || Array.IndexOf(skipNames, kv.Key) >= 0 || scope.TryGetActivation(kv.Key, out _)) continue;
            // A name one or two letters away from a declared parameter or input is a typo, not a new parameter: left
            // undefined, its expression is the block's own error at the argument, with the name it meant.
            if (!defaults.ContainsKey(kv.Key) && Names.Nearest(kv.Key, declared) is { } meant)
            {
                unreadable = true;
                scope.SetMeant(kv.Key, meant);
                continue;
            }
            bool has = defaults.TryGetValue(kv.Key, out var def);
            sig.ParameterList.Add(new KeyValuePair<string, long?>(kv.Key, has ? def.Value : null));
            sig.UsedByMap[kv.Key] = kv.Value;
            scope.Set(kv.Key, new Dim(has ? def.Value : Placeholder, Expr.Var(kv.Key), has ? def.Origin : null));
        }

        sig.ParametersIncomplete = unreadable;
        bool channelsLast = sig.Layout == Layout.ChannelsLast;
        if (EvaluateSequence(s, block, scope, new Shape(inputDims) { ChannelsLast = channelsLast }, "", 0, list,
                skip is null ? null : new KeyValuePair<string, Shape>(skip, new Shape(skipDims) { ChannelsLast = channelsLast })) != null)
            DeployForms.CheckAsked(s, block, list);

        var used = new HashSet<string>(StringComparer.Ordinal);
        Collect(list, used);
        foreach (var n in inputNames)
            if (used.Contains(n)) sig.InputList.Add(n);
        foreach (var n in skipNames)
            if (used.Contains(n)) sig.InputList.Add(n);
        foreach (var node in list)
            if (node.Residual is { Mode: ShortcutMode.ByArgument } r && !sig.FlagList.Contains(r.FlagName))
                sig.FlagList.Add(r.FlagName);
        return sig;
    }

    /// <summary>[Block(Skip = "skip")]: the name of the block's second input, checked; null without one.</summary>
    private static string? ReadSkip(Session s, ModuleDecl block, BlockSignature sig)
    {
        if (block.Attribute("Block")?.Get("Skip") is not { } arg || arg.Kind == ArgKind.Null) return null;
        if (arg is not { Kind: ArgKind.String, Text: { } name } || !ExprParser.IsIdentifier(name))
        {
            s.Report(Rules.BadArgument, arg.Span, false, block.Name, $"Skip names the block's second input, which its joins read with From: Skip = \"skip\", got {arg.Describe()}");
            return null;
        }
        foreach (var m in block.Members)
            if (m.Name == name)
            {
                s.Report(Rules.BadArgument, arg.Span, false, block.Name, $"the skip input '{name}' has the name of a member of {block.Name}, so From = \"{name}\" would be ambiguous: name it otherwise");
                return null;
            }
        sig.Skip = name;
        return name;
    }

    private static Layout BlockLayout(ModuleDecl block)
    {
        var attr = block.Attribute("Block");
        if (attr != null && attr.Positional.Count > 0 && attr.Positional[0] is { Kind: ArgKind.Enum, Text: { } name })
            return name switch { "Tokens" => Layout.Tokens, "Vector" => Layout.Vector, "ChannelsLast" => Layout.ChannelsLast, _ => Layout.Image };
        return Layout.Image;
    }

    /// <param name="activations">Activation parameters ([Param("act", Act.ReLU)]) with their default Act member.</param>
    private static Dictionary<string, Dim> ReadParamDefaults(Session s, ModuleDecl block, string[] inputNames, out List<KeyValuePair<string, string>> activations)
    {
        var d = new Dictionary<string, Dim>(StringComparer.Ordinal);
        activations = new List<KeyValuePair<string, string>>();
        foreach (var a in block.Attributes)
        {
            if (a.Name != "Param") continue;
            if (a.Positional.Count < 2 || a.Positional[0] is not { Kind: ArgKind.String, Text: { } name } || a.Positional[1].Kind is not (ArgKind.Int or ArgKind.Enum))
            {
                s.Report(Rules.BadArgument, a.Span, false, block.Name, "[Param] takes a name and an integer or Act default: [Param(\"stride\", 1)], [Param(\"act\", Act.ReLU)]");
                continue;
            }
            if (!ExprParser.IsIdentifier(name))
            {
                s.Report(Rules.BadArgument, a.Positional[0].Span, false, block.Name, $"'{name}' is not a valid parameter name");
                continue;
            }
            if (Array.IndexOf(inputNames, name) >= 0)
            {
                s.Report(Rules.BadArgument, a.Positional[0].Span, false, block.Name, $"'{name}' is an input size, taken from what reaches the block; it has no default");
                continue;
            }
            if (d.ContainsKey(name) || activations.Exists(kv => kv.Key == name))
            {
                s.Report(Rules.BadArgument, a.Positional[0].Span, false, block.Name, $"[Param] gives '{name}' a default twice");
                continue;
            }
            if (a.Positional[1].Kind == ArgKind.Enum) activations.Add(new KeyValuePair<string, string>(name, a.Positional[1].Text ?? "None"));
            else d[name] = Dim.Of(a.Positional[1].Int, a.Positional[1].Span);
        }
        return d;
    }

    /// <summary>Identifiers used by the block's expressions, in order of first use, with the member using each.</summary>
    /// <param name="unreadable">Some expression did not parse: the names it uses are not in the list.</param>
    private static List<KeyValuePair<string, string>> ScanIdentifiers(ModuleDecl block, out bool unreadable)
    {
        bool failed = false;
        var result = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(Expr? e, string member)
        {
            if (e is null) { failed = true; return; }
            foreach (var n in e.Variables())
                // An Act member names an activation (bound to an activation parameter), not a size.
                if (n != "None" && !Layers.Activations.ByName.ContainsKey(n) && seen.Add(n)) result.Add(new KeyValuePair<string, string>(n, member));
        }
        foreach (var m in block.Members)
        {
            if (!m.IsInstance) continue;   // not a layer (ADSL0021); its names are no parameters
            foreach (var a in m.Attributes)
            {
                if (!LayerCatalog.Kinds.TryGetValue(a.Name, out var kind)) continue;
                for (int i = 0; i < a.Positional.Count && i < kind.Positional.Length; i++)
                {
                    var p = a.Positional[i];
                    if (p.Kind != ArgKind.String || p.Text is null) continue;
                    if (kind.Positional[i] == "Bindings")
                    {
                        var b = ExprParser.ParseBindings(p.Text, out _);
                        if (b != null) foreach (var kv in b) Add(kv.Value, m.Name);
                        else failed = true;
                    }
                    else if (kind.Positional[i] != "Block")
                        Add(ExprParser.Parse(p.Text, out _), m.Name);
                }
                if (a.Get("With") is { Kind: ArgKind.String, Text: { } with })
                {
                    var b = ExprParser.ParseBindings(with, out _);
                    if (b != null) foreach (var kv in b) Add(kv.Value, m.Name);
                    else failed = true;
                }
            }
        }
        unreadable = failed;
        return result;
    }

    /// <summary>Variables the generated constructor needs: layer arguments, projections, counts, child calls.</summary>
    private static void Collect(List<LayerNode> nodes, HashSet<string> into)
    {
        foreach (var n in nodes)
        {
            if (n.Recipe != null) foreach (var d in n.Recipe.Dims()) d.Expr.CollectVariables(into);
            n.Count.Expr.CollectVariables(into);
            if (n.Residual is { Optional: false } r && r.Mode != ShortcutMode.Identity)
            {
                // The projection reads channels (images) or features (tokens, vectors).
                (r.ToShape.Rank == 3 ? r.FromShape[0] : r.FromShape.Last).Expr.CollectVariables(into);
                (r.ToShape.Rank == 3 ? r.ToShape[0] : r.ToShape.Last).Expr.CollectVariables(into);
                r.Stride.Expr.CollectVariables(into);
            }
            var calls = new List<LayerNode>();
            if (n.Call != null) calls.Add(n);
            foreach (var c in n.Children)
                if (c.Call != null) calls.Add(c);
            foreach (var c in calls)
            {
                foreach (var kv in c.Call!.Args) kv.Value.Expr.CollectVariables(into);
                // A flag decided at run time reads the shapes it compares.
                foreach (var kv in c.Call.Flags)
                    if (kv.Value.Differences.Count > 0)
                        foreach (var child in c.Children)
                            if (child.Residual is { } cr)
                            {
                                foreach (var d in cr.FromShape.Dims) d.Expr.CollectVariables(into);
                                foreach (var d in cr.ToShape.Dims) d.Expr.CollectVariables(into);
                            }
            }
        }
    }

    /// <param name="sig">The block's signature, when it resolved: its activation parameters take Act members.</param>
    /// <param name="activations">Bindings of activation parameters.</param>
    private static List<KeyValuePair<string, Dim>>? ReadBindings(Session s, Scope scope, LayerArgs args, string where, BlockSignature? sig,
        out SourceSpan span, out List<KeyValuePair<string, ActivationValue>> activations, long? index = null)
    {
        var raw = args.Raw("Bindings");
        span = raw?.Span ?? args.Attr.Span;
        activations = new List<KeyValuePair<string, ActivationValue>>();
        var result = new List<KeyValuePair<string, Dim>>();
        if (raw is null || raw.Kind == ArgKind.Null) return result;
        if (raw.Kind != ArgKind.String)
        {
            args.Fail(Rules.BadArgument, raw.Span, false, where, $"bindings must be a string like \"width = 64, stride = 2\", got {raw.Describe()}");
            return null;
        }
        var parsed = ExprParser.ParseBindings(raw.Text ?? "", out var error);
        if (parsed is null)
        {
            args.Fail(Rules.BadExpression, raw.Span, false, where, raw.Text ?? "", error!);
            return null;
        }
        foreach (var kv in parsed)
        {
            bool isActivation = false;
            if (sig != null)
                foreach (var a in sig.Activations) isActivation |= a.Key == kv.Key;
            if (isActivation)
            {
                var value = ResolveActivation(args, scope, kv.Value, raw.Span, where, kv.Key);
                if (value is null) return null;
                activations.Add(new KeyValuePair<string, ActivationValue>(kv.Key, value));
                continue;
            }
            // In a model's Stage, i is the block's index (unless the scope defines an i of its own).
            var e = index is { } at && !scope.TryGet(StageIndex, out _) ? kv.Value.Substitute(v => v == StageIndex ? Expr.Const(at) : null) : kv.Value;
            var d = args.Evaluate(e, raw.Span, kv.Key, kv.Key + " = " + kv.Value);
            if (d is null) return null;
            result.Add(new KeyValuePair<string, Dim>(kv.Key, new Dim(d.Value.Value, d.Value.Expr, raw.Span)));
        }
        return result;
    }

    /// <summary>An activation given by name: a member of Act, or an activation parameter of the enclosing block.</summary>
    internal static ActivationValue? ResolveActivation(LayerArgs args, Scope scope, Expr e, SourceSpan span, string where, string name)
    {
        var vars = e.Variables();
        if (vars.Count == 1 && e.Equals(Expr.Var(vars[0])))
        {
            var text = vars[0];
            if (scope.TryGetActivation(text, out var outer)) return outer;
            if (text == "None" || Layers.Activations.ByName.ContainsKey(text)) return ActivationValue.Of(text);
        }
        args.Fail(Rules.BadArgument, span, false, where,
            $"{name} = {e} gives no activation: write a member of Act ({string.Join(", ", Layers.Activations.ByName.Keys)}, None) or an activation parameter of this block");
        return null;
    }

    private static (ModuleDecl Block, BlockSignature Sig)? ResolveBlock(Session s, LayerArgs args, string where, Shape input)
    {
        var raw = args.Raw("Block");
        if (raw is not { Kind: ArgKind.Type, Text: { } typeName })
        {
            args.Fail(Rules.UnknownBlock, raw?.Span ?? args.Attr.Span, false, where, "give the block as typeof(BlockClass)");
            return null;
        }
        var block = s.FindBlock(typeName);
        if (block is null)
        {
            args.Fail(Rules.UnknownBlock, raw.Span, false, where, raw.IsCompiledClass
                ? $"{typeName} is compiled into another assembly, and blocks are read from their source: declare the block in this project (or compile its file into it)"
                : $"{typeName} is not a class marked [Block]");
            return null;
        }
        var sig = Signature(s, block, muted: true, null);
        if (sig is null)
        {
            args.Fail(Rules.UnknownBlock, raw.Span, false, where, $"{block.Name} contains itself through Stage or Use");
            return null;
        }
        var layout = LayerCatalog.LayoutOf(input);
        if (layout != sig.Layout)
        {
            // As for layers: ranks follow from declared layouts, so inside a block checked on its own this is its own error.
            args.Fail(Rules.WrongLayout, args.Attr.Span, !s.Symbolic, where, block.Name, LayerCatalog.Describe(sig.Layout),
                (layout is null ? $"rank {input.Rank}" : LayerCatalog.Describe(layout.Value) + " " + input) + LayerCatalog.LayoutHint(layout, sig.Layout));
            return null;
        }
        return (block, sig);
    }

    private static bool CheckBindings(Session s, LayerArgs args, BlockSignature sig, List<KeyValuePair<string, Dim>> bindings, SourceSpan span, string where)
    {
        bool ok = true;
        var known = new List<string>();
        foreach (var p in sig.Parameters) known.Add(p.Key);
        foreach (var kv in bindings)
            if (!known.Contains(kv.Key))
            {
                ok = false;
                // An expression of the block that does not parse names no parameters: the block's own ADSL0003
                // explains, and already keeps this model from being built.
                if (sig.ParametersIncomplete && s.HasErrors) continue;
                args.Fail(Rules.UnknownParameter, span, false, where, kv.Key, sig.BlockName, known.Count == 0 ? "none" : string.Join(", ", known));
            }
        foreach (var p in sig.Parameters)
        {
            if (p.Value != null) continue;
            bool given = false;
            foreach (var kv in bindings) given |= kv.Key == p.Key;
            if (!given)
            {
                args.Fail(Rules.MissingBlockParameter, span, false, where + " (" + sig.BlockName + ")", p.Key, sig.UsedBy[p.Key]);
                ok = false;
            }
        }
        return ok;
    }

    /// <summary>Evaluates one block instance into <paramref name="node"/> (its children become the block's layers).</summary>
    private static Shape? Instantiate(Session s, ModuleDecl block, BlockSignature sig, Shape input, List<KeyValuePair<string, Dim>> bindings,
        List<KeyValuePair<string, ActivationValue>> activations, LayerNode node, int depth, Shape? skip = null)
    {
        if (!s.Enter(block.FullName))
        {
            s.Report(Rules.UnknownBlock, node.Attribute?.Span ?? block.Span, false, node.Path, $"{block.Name} contains itself through Stage or Use");
            return null;
        }
        try
        {
            var names = LayerCatalog.InputNames(sig.Layout);
            var scope = new Scope(names.Length + sig.Parameters.Count) { InBlock = true };
            var call = new BlockCall(block, sig);
            for (int i = 0; i < names.Length; i++) scope.Set(names[i], input[i]);
            var skipNames = skip is null ? Array.Empty<string>() : LayerCatalog.SkipNames(sig.Layout);
            for (int i = 0; i < skipNames.Length; i++) scope.Set(skipNames[i], skip![i]);
            foreach (var n in sig.Inputs)
            {
                for (int i = 0; i < names.Length; i++)
                    if (names[i] == n) call.Args.Add(new KeyValuePair<string, Dim>(n, input[i]));
                for (int i = 0; i < skipNames.Length; i++)
                    if (skipNames[i] == n) call.Args.Add(new KeyValuePair<string, Dim>(n, skip![i]));
            }
            foreach (var p in sig.Parameters)
            {
                Dim value = p.Value is { } def ? Dim.Of(def) : Dim.Of(Placeholder);
                foreach (var kv in bindings)
                    if (kv.Key == p.Key) value = kv.Value;
                scope.Set(p.Key, value);
                call.Args.Add(new KeyValuePair<string, Dim>(p.Key, value));
            }
            foreach (var a in sig.Activations)
            {
                var value = ActivationValue.Of(a.Value);
                foreach (var kv in activations)
                    if (kv.Key == a.Key) value = kv.Value;
                scope.SetActivation(a.Key, value);
                call.Activations.Add(new KeyValuePair<string, ActivationValue>(a.Key, value));
            }
            node.Call = call;
            node.BlockFullName = block.FullName;
            node.BlockName = block.Name;
            s.InstanceDepth++;
            var output = EvaluateSequence(s, block, scope, input, node.Path, depth + 1, node.Children,
                skip is null || sig.Skip is null ? null : new KeyValuePair<string, Shape>(sig.Skip, skip));
            s.InstanceDepth--;
            foreach (var flag in sig.Flags)
            {
                var value = ShapeTest.Never;
                foreach (var c in node.Children)
                    if (c.Residual is { } r && r.FlagName == flag)
                        value = s.Symbolic ? r.Condition : r.Differs ? ShapeTest.Always : ShapeTest.Never;
                call.Flags.Add(new KeyValuePair<string, ShapeTest>(flag, value));
            }
            return output;
        }
        finally
        {
            s.Leave(block.FullName);
        }
    }

    private const string StageIndex = "i";

    /// <summary>Whether a Stage's bindings read the block index i. Only a model's Stage can: inside a block every
    /// identifier is a parameter of the block (a stage there repeats one set of sizes in a loop).</summary>
    private static bool BindsIndex(LayerArgs args, Scope scope)
    {
        if (args.Raw("Bindings") is not { Kind: ArgKind.String, Text: { } text } || scope.TryGet(StageIndex, out _)) return false;
        var parsed = ExprParser.ParseBindings(text, out _);
        if (parsed is null) return false;
        foreach (var kv in parsed)
            if (kv.Value.Variables().Contains(StageIndex)) return true;
        return false;
    }

    internal static Shape? EvaluateStage(LayerArgs args, LayerNode node, Shape input)
    {
        var s = args.Session;
        var scope = args.Scope;
        int depth = node.Depth;
        var where = node.Path;
        var resolved = ResolveBlock(s, args, where, input);
        var count = args.Int("Count", null, 1);
        bool byIndex = BindsIndex(args, scope);
        var bindings = ReadBindings(s, scope, args, where, resolved?.Sig, out var span, out var activations, byIndex ? 0 : null);
        var names = args.Text("Names") ?? "{i}";
        var pattern = IndexPattern.Parse(names);
        if (pattern is null || names.IndexOf('.') >= 0 || !StateKeys.IsValidPath(pattern.Format(0)))
        {
            args.Fail(Rules.BadArgument, args.Raw("Names")?.Span ?? args.Attr.Span, false, where, $"Names must contain {{i}} (or {{i+1}} to count from 1) and give names of letters, digits, '_' and '-' without '.', got \"{names}\"");
            return null;
        }
        if (resolved is null || count is null || bindings is null) return null;
        var (block, sig) = resolved.Value;
        if (sig.Skip != null)
        {
            args.Fail(Rules.BadArgument, args.Raw("Block")?.Span ?? args.Attr.Span, false, where,
                $"{block.Name} takes a skip input ('{sig.Skip}'), and a Stage passes one input from block to block: instantiate it with [Use(typeof({block.Name}), Skip = nameof(member))]");
            return null;
        }
        if (!CheckBindings(s, args, sig, bindings, span, where)) return null;
        node.Count = count.Value;
        node.BlockFullName = block.FullName;
        node.BlockName = block.Name;
        node.NamePattern = pattern;

        var rest = new List<KeyValuePair<string, Dim>>();
        foreach (var kv in bindings)
            rest.Add(kv.Key == "stride" ? new KeyValuePair<string, Dim>(kv.Key, Dim.Of(1, kv.Value.Origin)) : kv);

        long n = s.Symbolic ? (count.Value.Expr.IsConst && count.Value.Value == 1 ? 1 : 2) : count.Value.Value;
        var current = input;
        for (long i = 0; i < n; i++)
        {
            var child = new LayerNode
            {
                Name = pattern.Format(i),
                Kind = block.Name,
                Depth = depth + 1,
                Attribute = args.Attr,
                Input = current,
            };
            child.Path = node.Path + "." + child.Name;
            node.Children.Add(child);
            var own = i == 0 ? bindings : rest;
            if (byIndex && i > 0)
            {
                var at = ReadBindings(s, scope, args, where, sig, out _, out _, i);
                if (at is null) return null;
                own = new List<KeyValuePair<string, Dim>>();
                foreach (var kv in at)
                    own.Add(kv.Key == "stride" ? new KeyValuePair<string, Dim>(kv.Key, Dim.Of(1, kv.Value.Origin)) : kv);
            }
            var output = Instantiate(s, block, sig, current, own, activations, child, depth + 1);
            if (output is null) return null;
            child.Output = output;
            // A stage of a model writes each block with its own sizes, so its width may grow (DenseNet's dense layers);
            // a stage inside a block repeats one set of sizes in a loop.
            if (i >= 1 && !s.Symbolic && s.InstanceDepth > 0 && !output.SameValues(current))
            {
                args.Fail(Rules.StageShapeChange, args.Attr.Span, true, where, i, current.ToString(), output.ToString());
                return null;
            }
            current = output;
        }
        return current;
    }

    internal static Shape? EvaluateUse(LayerArgs args, LayerNode node, Shape input)
    {
        var s = args.Session;
        var scope = args.Scope;
        int depth = node.Depth;
        var resolved = ResolveBlock(s, args, node.Path, input);
        var bindings = ReadBindings(s, scope, args, node.Path, resolved?.Sig, out var span, out var activations);
        if (resolved is null || bindings is null) return null;
        var (block, sig) = resolved.Value;
        node.BlockFullName = block.FullName;
        node.BlockName = block.Name;
        if (!CheckBindings(s, args, sig, bindings, span, node.Path)) return null;
        Shape? skip = null;
        if (args.Raw("Skip") is { Kind: not ArgKind.Null } skipArg)
        {
            if (sig.Skip is null)
            {
                args.Fail(Rules.BadArgument, skipArg.Span, false, node.Path, $"{block.Name} takes no skip input; give the block one with [Block(Skip = \"skip\")]");
                return null;
            }
            skip = ResolveSkip(args, skipArg, node.Path, sig.Layout);
            if (skip is null) return null;
            node.SkipFrom = skipArg.Text;
        }
        else if (sig.Skip != null)
        {
            args.Fail(Rules.BadArgument, args.Attr.Span, false, node.Path,
                $"{block.Name} takes a skip input ('{sig.Skip}'): pass the member whose input it joins, Skip = nameof(member)");
            return null;
        }
        return Instantiate(s, block, sig, input, bindings, activations, node, depth, skip);
    }

    /// <summary>Use's Skip: the input of an earlier member of the same model or block, or that block's own skip.</summary>
    private static Shape? ResolveSkip(LayerArgs args, ArgValue arg, string where, Layout layout)
    {
        if (arg is not { Kind: ArgKind.String, Text: { Length: > 0 } name })
        {
            args.Fail(Rules.BadArgument, arg.Span, false, where, $"Skip names the member whose input the block receives: Skip = nameof(member), got {arg.Describe()}");
            return null;
        }
        var shape = LookUpEarlier(args.Session, args.Owner!, Rules.BadResidual, arg.Span, name, args.Inputs, where, "the skip is");
        if (shape is null)
        {
            args.Failed = true;
            return null;
        }
        if (LayerCatalog.LayoutOf(shape) != layout)
        {
            args.Fail(Rules.BadResidual, arg.Span, true, where, $"the input of '{name}' is {shape}, and the block's skip takes {LayerCatalog.Describe(layout)}");
            return null;
        }
        // A join inside the block that cannot take these sizes is reported here, where they were passed.
        var dims = new Dim[shape.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = new Dim(shape[i].Value, shape[i].Expr, arg.Span);
        return new Shape(dims) { ChannelsLast = shape.ChannelsLast };
    }
}
