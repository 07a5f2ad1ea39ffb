using System;
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Evaluation;

/// <summary>
/// Evaluates declarations: shapes, counts and validation, in one place. Models are evaluated with
/// concrete values at their declared input; blocks symbolically, so the generator can write their
/// constructors in terms of their parameters.
/// </summary>
public static partial class Evaluator
{
    /// <summary>Placeholder for unknown values in symbolic evaluation; only expressions matter there.</summary>
    private const long Placeholder = 64;

    public static ModelPlan EvaluateModel(ModuleDecl model, IEnumerable<ModuleDecl> blocks)
    {
        var s = new Session(blocks, symbolic: false) { ModelName = model.Name };
        var plan = new ModelPlan { Declaration = model };
        CheckClass(s, model);

        var inputAttr = model.Attribute("Input");
        Shape? input = null;
        if (inputAttr is null)
            s.Report(Rules.BadInput, model.Span, false, model.Name, "add [Input(...)] with the input shape without the batch dimension, e.g. [Input(3, 224, 224)]");
        else if (inputAttr.HasCompilerError)
            s.HasErrors = true;   // the compiler reports the attribute; no second, misleading finding
        else
            input = ReadInput(s, model, inputAttr);

        var slimAttr = model.Attribute("Slimmable");
        s.Slimmable = slimAttr != null;
        var slimWidths = slimAttr is { HasCompilerError: false } ? Slimming.ReadWidths(s, model.Name, slimAttr) : null;

        if (input != null)
        {
            plan.Input = input;
            bool tasks = model.Attribute("Task") != null;
            var output = RunGuarded(s, model.Span, model.Name, () => tasks ? EvaluateTasks(s, model, input, plan) : EvaluateSequence(s, model, Scope.Empty, input, "", 0, plan.Layers));
            if (output != null) plan.Output = output;
            if (output != null && slimWidths != null) plan.Slim = RunGuarded(s, model.Span, model.Name, () => Slimming.Apply(s, plan, slimWidths));
            try
            {
                long p = 0, b = 0, m = 0, active = 0;
                foreach (var l in plan.Layers)
                {
                    p = checked(p + l.Parameters);
                    active = checked(active + l.ActiveParameters);
                    b = checked(b + l.Buffers);
                    m = checked(m + l.Macs);
                }
                plan.Parameters = p;
                plan.ActiveParameters = active;
                plan.Buffers = b;
                plan.Macs = m;
                // A multi-task model: forward(x) runs the first task's path; every module counts once in the parameters.
                if (plan.Tasks.Count > 0) plan.Macs = plan.Tasks[0].Macs;
                if (model.Attribute("Exit") is { } exit && output != null)
                {
                    if (tasks) s.Report(Rules.BadArgument, exit.Span, false, model.Name, "a model has either tasks or exits; [Exit] and [Task] do not combine");
                    else EvaluateExits(s, model, plan);
                    foreach (var e in plan.Exits) { plan.Parameters = checked(plan.Parameters + e.Parameters); plan.ActiveParameters = checked(plan.ActiveParameters + e.Parameters); }
                }
                _ = plan.Flops;
                if (plan.Layers.Exists(l => l.HasDeployForm))
                {
                    // What the deploy form saves, taken from the totals (which also hold exits); MACs only on the path
                    // forward(x) runs (a multi-task model's first task).
                    long sp = 0, sb = 0, sm = 0;
                    foreach (var l in plan.Layers)
                    {
                        var d = l.Deploy;
                        sp = checked(sp + l.Parameters - d.Parameters);
                        sb = checked(sb + l.Buffers - d.Buffers);
                        if (OnDefaultPath(plan, l)) sm = checked(sm + l.Macs - d.Macs);
                    }
                    plan.Deploy = new DeployCounts(plan.Parameters - sp, plan.Buffers - sb, plan.Macs - sm);
                }
            }
            catch (OverflowException)
            {
                s.Report(Rules.Overflow, model.Span, true, model.Name, "the total parameter or compute count");
            }
        }

        if (input != null && !s.HasErrors) DeployForms.CheckAsked(s, model, plan.Layers);
        if (model.Attribute("StochasticDepthRamp") is { } ramp && !ramp.HasCompilerError) plan.DepthRamp = ReadDepthRamp(s, plan, ramp);
        plan.Findings.AddRange(s.Findings);
        plan.HasErrors = s.HasErrors || input == null;
        return plan;
    }

    /// <summary>Whether plain forward(x) runs the layer: every layer but the heads and tails of tasks after the first.</summary>
    private static bool OnDefaultPath(ModelPlan plan, LayerNode l)
    {
        for (int k = 1; k < plan.Tasks.Count; k++)
            if (plan.Tasks[k].Head == l || plan.Tasks[k].Tail == l)
                return plan.Tasks[0].Head == l || plan.Tasks[0].Tail == l;
        return true;
    }

    /// <summary>
    /// A linear ramp of drop probabilities over the model's StochasticDepth layers in forward order, from 0 at the first
    /// (torchvision's ConvNeXt, Swin and EfficientNet); it replaces the layers' own P.
    /// </summary>
    private static (double, bool)? ReadDepthRamp(Session s, ModelPlan plan, AttributeDecl ramp)
    {
        double max = ramp.Positional.Count > 0 && ramp.Positional[0].Kind is ArgKind.Double or ArgKind.Int ? ramp.Positional[0].Double : double.NaN;
        if (ramp.Positional.Count > 0 && ramp.Positional[0].Kind == ArgKind.Int) max = ramp.Positional[0].Int;
        if (double.IsNaN(max) || max < 0 || max > 1)
        {
            s.Report(Rules.BadArgument, ramp.Positional.Count > 0 ? ramp.Positional[0].Span : ramp.Span, false, plan.Name, "the ramp's largest probability must be between 0 and 1");
            return null;
        }
        bool any = false;
        foreach (var n in Judgement.Estimates.All(plan.Layers)) any |= n.KindInfo is Layers.Kinds.StochasticDepthKind;
        if (!any && plan.Layers.Count > 0)
        {
            s.Report(Rules.BadArgument, ramp.Span, false, plan.Name, "[StochasticDepthRamp] sets the probabilities of StochasticDepth layers, and the model has none");
            return null;
        }
        bool endsAtMax = ramp.Get("EndsAtMax") is not { Kind: ArgKind.Bool, Int: 0 };
        return (max, endsAtMax);
    }

    public static BlockPlan EvaluateBlock(ModuleDecl block, IEnumerable<ModuleDecl> blocks)
    {
        // The block is known to its own evaluation, so a block that contains itself is reported as such.
        var s = new Session(new[] { block }.Concat(blocks), symbolic: true);
        var plan = new BlockPlan { Declaration = block };
        var sig = Signature(s, block, muted: false, plan.Layers);   // checks the class too (DeriveSignature)
        // Judgement is of models: an opt-out on a block is read by nothing.
        foreach (var a in block.Attributes)
            if (a.Name is "Task" or "Exit")
                s.Report(Rules.BadArgument, a.Span, false, block.Name, $"[{a.Name}] declares a path of a model's forward; put it on the model that uses {block.Name}");
            else if (a.Name == "Slimmable")
                s.Report(Rules.BadArgument, a.Span, false, block.Name, "[Slimmable] belongs on a model, whose widths its layers run at; remove it from the block");
            else if (a.Name == "Accept")
                s.Report(Rules.AcceptUnknownRule, a.Span, false, a.Positional.Count > 0 ? a.Positional[0].Text ?? "" : "", block.Name, Rules.AcceptOnBlock);
        if (sig != null) plan.Signature = sig;
        plan.Findings.AddRange(s.Findings);
        plan.HasErrors = s.HasErrors || sig == null;
        return plan;
    }

    private static void CheckClass(Session s, ModuleDecl decl)
    {
        if (!decl.IsPartial || decl.IsNested || decl.IsGeneric)
            s.Report(Rules.NotPartial, decl.Span, false, decl.Name, "");
        else if (decl.HasForeignBase)
            s.Report(Rules.NotPartial, decl.Span, false, decl.Name, "; remove its base class, the generated part derives it from Module<Tensor, Tensor>");
        else if (decl.IsStaticOrFileLocal)
            s.Report(Rules.NotPartial, decl.Span, false, decl.Name, "; remove static or file: the generated part, in a file of its own, declares its instances");
        else if (decl.IsAbstract)
            s.Report(Rules.NotPartial, decl.Span, false, decl.Name, "; remove abstract, its module is constructed (new " + decl.Name + "(...))");
        bool any = false;
        foreach (var m in decl.Members)
        {
            foreach (var a in m.Attributes)
                if (LayerCatalog.Kinds.ContainsKey(a.Name)) any = true;
            if (GeneratedUse(decl, m.Name, inherited: true) is { } use)
                s.Report(Rules.ReservedName, m.Span, false, m.Name, use);
        }
        // Any other member with such a name clashes or hides just the same: a property Summary, a method named torch.
        // (Its own overrides and overloads of Module's members are the user's to write.)
        foreach (var m in decl.OtherMembers)
            if ((GeneratedUse(decl, m.Name, inherited: false) ??
                 // The generated part writes forward from the layers, and the counts describe that pass; a second one
                 // would be the compiler's error inside a generated file (CS0111).
                 (m.Name == "forward" ? "the forward pass, which the generated part writes from the layers and which the counts describe; remove yours" : null)) is { } use)
                s.Report(Rules.ReservedName, m.Span, false, m.Name, use);
        foreach (var hidden in decl.HidesTorchSharp)
            s.Report(Rules.TorchSharpHidden, decl.Span, false, decl.Name, hidden, hidden.Substring(hidden.LastIndexOf('.') + 1));
        CheckLayerFields(s, decl);
        if (!any) s.Report(Rules.EmptyModel, decl.Span, false, decl.Name);
    }

    /// <summary>
    /// What the generated part of <paramref name="owner"/> already uses <paramref name="name"/> for, or null: a model's
    /// counts and tables, the names its code calls TorchSharp by, and (<paramref name="inherited"/>) TorchSharp Module's
    /// members and the constructor. The one rule for layer fields, other members and shortcut fields.
    /// </summary>
    private static string? GeneratedUse(ModuleDecl owner, string name, bool inherited)
    {
        if (owner.IsModel && LayerCatalog.GeneratedMembers.Contains(name)) return "a count or table of the model";
        if (LayerCatalog.TorchSharpNames.Contains(name)) return "the name its code calls TorchSharp's " + (name == "nn" ? "torch.nn" : "torch") + " by";
        if (inherited && name == owner.Name) return "the constructor's name";
        if (inherited && LayerCatalog.ModuleMembers.Contains(name)) return "inherited from TorchSharp's Module";
        return null;
    }

    /// <summary>
    /// Layers run in the order their fields are written. A static or const field is no part of an instance; and C#
    /// gives no order between the parts of a partial class (it follows the order of the files), so layers written in
    /// two parts would make the architecture depend on file names. Reported once per offending part.
    /// </summary>
    private static void CheckLayerFields(Session s, ModuleDecl decl)
    {
        MemberDecl? first = null;
        HashSet<int>? reported = null;
        foreach (var m in decl.Members)
        {
            if (!IsLayer(m)) continue;
            if (!m.IsInstance)
                s.Report(Rules.LayerFieldPlacement, m.Span, false, m.Name, "a layer is an instance field; remove static or const");
            else if (first is null)
                first = m;
            else if (m.Part != first.Part && (reported ??= new HashSet<int>()).Add(m.Part))
                s.Report(Rules.LayerFieldPlacement, m.Span, false, m.Name,
                    $"the layers of {decl.Name} are written in more than one part of the partial class ('{first.Name}' is in another), and C# orders the parts by file; write them in one part");
        }
    }

    private static bool IsLayer(MemberDecl m)
    {
        foreach (var a in m.Attributes)
            if (LayerCatalog.Kinds.ContainsKey(a.Name)) return true;
        return false;
    }

    private static Shape? ReadInput(Session s, ModuleDecl model, AttributeDecl attr)
    {
        var dims = new List<long>();
        foreach (var p in attr.Positional)
        {
            if (p.Kind == ArgKind.IntArray) dims.AddRange(p.Ints);
            else if (p.Kind == ArgKind.Int) dims.Add(p.Int);
            else
            {
                s.Report(Rules.BadInput, p.Span, false, model.Name, $"input dimensions must be integers, got {p.Describe()}");
                return null;
            }
        }
        if (dims.Count < 1 || dims.Count > 3)
        {
            s.Report(Rules.BadInput, attr.Span, false, model.Name, $"give 1 (features), 2 (tokens × width) or 3 (channels × height × width) dimensions, not {dims.Count}");
            return null;
        }
        var result = new Dim[dims.Count];
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i] < 1)
            {
                s.Report(Rules.BadInput, attr.Span, false, model.Name, $"dimension {i + 1} is {dims[i]}; every dimension must be at least 1");
                return null;
            }
            result[i] = Dim.Of(dims[i], attr.Span);
        }
        return new Shape(result);
    }

    /// <summary>Evaluates an expression in a scope: value, expression in the scope's terms, and origin.</summary>
    internal static Dim? Evaluate(Session s, Scope scope, Expr e, SourceSpan span, string where, string text, Action onFail)
    {
        if (e.IsConst) return new Dim(e.ConstValue, e, span);
        var names = e.Variables();
        if (names.Count > 1) names.Sort(StringComparer.Ordinal); // the first undefined name in ordinal order is reported
        foreach (var n in names)
            if (!scope.TryGet(n, out _))
            {
                var hint = scope.InBlock ? "it is neither a parameter given to this block nor one of its inputs"
                    : "names can only be used inside a [Block], where the Stage or Use binds them";
                if (scope.InBlock && scope.Meant(n) is { } meant) hint += $"; did you mean '{meant}'?";
                s.Report(Rules.BadExpression, span, false, where, text, $"'{n}' is not defined: {hint}");
                onFail();
                return null;
            }
        long? value;
        try
        {
            value = e.Evaluate(n => scope.TryGet(n, out var d) ? d.Value : null);
        }
        catch (OverflowException) when (s.Symbolic)
        {
            // A block checked on its own has placeholder sizes: an expression that overflows at them may not at its
            // instances, which are checked with their own values. As with division by zero, only the expression counts.
            value = Placeholder;
        }
        catch (OverflowException)
        {
            s.Report(Rules.Overflow, span, true, where, $"'{text}'");
            onFail();
            return null;
        }
        if (value is null)
        {
            if (!s.Symbolic)
            {
                s.Report(Rules.BadArgument, span, true, where, $"'{text}' divides by zero");
                onFail();
                return null;
            }
            value = Placeholder;
        }
        Expr sym;
        try
        {
            sym = e.Substitute(n => scope.TryGet(n, out var d) ? d.Expr : null);
        }
        catch (OverflowException)
        {
            sym = Expr.Const(value.Value);
        }
        catch (DivideByZeroException)
        {
            sym = Expr.Const(value.Value);
        }
        SourceSpan origin = span;
        if (names.Count == 1 && e.Equals(Expr.Var(names[0])) && scope.TryGet(names[0], out var only) && only.Origin != null)
            origin = only.Origin;
        return new Dim(value.Value, sym, origin);
    }

    /// <summary>Runs an evaluation step, turning arithmetic overflow into a finding.</summary>
    private static T? RunGuarded<T>(Session s, SourceSpan span, string where, Func<T?> step) where T : class
    {
        try
        {
            return step();
        }
        catch (OverflowException)
        {
            s.Report(Rules.Overflow, span, true, where, "a shape, parameter or compute count");
            s.HasErrors = true;
            return null;
        }
        catch (DivideByZeroException)
        {
            s.Report(Rules.BadArgument, span, true, where, "a size evaluates to a division by zero");
            s.HasErrors = true;
            return null;
        }
    }

    /// <summary>
    /// Evaluates the members of a model or block in order. Returns the output shape, or null when a
    /// layer could not be formed (later layers are then not evaluated, to avoid cascading errors).
    /// </summary>
    /// <param name="skip">A block's skip input ([Block(Skip = ...)]): a value its joins may read by name.</param>
    private static Shape? EvaluateSequence(Session s, ModuleDecl owner, Scope scope, Shape input, string prefix, int depth, List<LayerNode> into,
        KeyValuePair<string, Shape>? skip = null)
    {
        var current = input;
        var inputs = new Dictionary<string, Shape>(owner.Members.Count + 1, StringComparer.Ordinal);
        if (skip is { } sk) inputs[sk.Key] = sk.Value;
        var strides = new List<KeyValuePair<string, Dim>>(owner.Members.Count);
        HashSet<string>? shortcuts = null;
        bool failed = false;
        foreach (var member in owner.Members)
        {
            if (!member.IsInstance) continue;   // reported by CheckLayerFields
            AttributeDecl? layerAttr = null;
            AttributeDecl? residual = null;
            AttributeDecl? join = null;
            AttributeDecl? head = null;
            foreach (var a in member.Attributes)
            {
                if (LayerCatalog.Kinds.ContainsKey(a.Name))
                {
                    if (layerAttr != null)
                    {
                        s.Report(Rules.ConflictingAttributes, a.Span, false, member.Name, layerAttr.Name, a.Name);
                        continue;
                    }
                    layerAttr = a;
                }
                else if (a.Name is "Residual" or "Concat" or "Multiply" or "Sum")
                {
                    var first = residual ?? join;
                    if (first != null)
                    {
                        s.Report(Rules.ConflictingAttributes, a.Span, false, member.Name, first.Name, a.Name);
                        continue;
                    }
                    if (a.Name == "Residual") residual = a;
                    else join = a;
                }
                else if (a.Name == "Head") head = a;
            }
            if (layerAttr is null)
            {
                if (residual != null || join != null || head != null)
                    s.Report(Rules.BadArgument, (residual ?? join ?? head)!.Span, false, member.Name, $"[{(residual ?? join ?? head)!.Name}] modifies a layer; add the layer attribute itself");
                continue;
            }

            if (layerAttr.HasCompilerError)
            {
                // The compiler's error on the attribute explains; its arguments as read (named ones dropped) would
                // only add a misleading finding ("needs Kernel" when Kernel is written). No module either way.
                s.HasErrors = true;
                return null;
            }
            var kind = LayerCatalog.Kinds[layerAttr.Name];
            var path = prefix.Length == 0 ? member.Name : prefix + "." + member.Name;
            var node = new LayerNode
            {
                Name = member.Name,
                Path = path,
                Kind = kind.Name,
                KindInfo = kind,
                Depth = depth,
                Member = member,
                Attribute = layerAttr,
                Input = current,
            };
            inputs[member.Name] = current;

            var args = new LayerArgs(s, scope, kind, layerAttr, path) { Earlier = into, Skip = skip, Inputs = inputs, Owner = owner };
            // Input = nameof(m): the layer reads the input of an earlier member instead of the running value (a
            // branch beside the layers before it); joins still read the running value.
            var layerInput = current;
            if (kind.TakesCommonArguments && layerAttr.Get("Input") is { Kind: not ArgKind.Null } inputArg)
            {
                var redirected = ResolveInput(s, owner, layerAttr, inputArg, kind, residual, inputs, path, skip?.Key, out var inputFrom);
                if (redirected is null)
                {
                    into.Add(node);
                    if (s.Symbolic) return null;
                    Failed(ref failed);
                    continue;
                }
                node.Input = layerInput = redirected;
                node.InputFrom = inputFrom;
            }
            Shape? output = null;
            if (kind.Accepts != null)
            {
                var layout = LayerCatalog.LayoutOf(layerInput);
                if (layout is null || Array.IndexOf(kind.Accepts, layout.Value) < 0)
                {
                    // Ranks follow from the declared layouts alone, so in a block checked on its own a wrong layout is
                    // wrong for every instance: the block's own error (its rule would index a shape it does not have).
                    args.Fail(Rules.WrongLayout, layerAttr.Span, !s.Symbolic, path, kind.Name, LayerCatalog.Describe(kind.Accepts[0]),
                        layerInput.ChannelsLast ? "a channels-last map (H×W×C) " + layerInput + "; put [Permute(0, 3, 1, 2)] before it"
                        : (layout is null ? $"rank {current.Rank}" : LayerCatalog.Describe(layout.Value) + " " + layerInput) + LayerCatalog.LayoutHint(layout, kind.Accepts[0]));
                    into.Add(node);
                    if (s.Symbolic) return null;
                    Failed(ref failed);
                    continue;
                }
            }

            try
            {
                int reported = s.Findings.Count;
                output = kind.Infer(args, node, layerInput);
                if (output is null && !s.Symbolic) NameWhatShrankTheMap(s, reported, into, layerInput);
            }
            catch (OverflowException)
            {
                // In a block checked on its own, a count that overflows even at the placeholder sizes leaves the layer
                // unformed, and its generic code cannot be written: a declaration error then, not one left to instances.
                args.Fail(Rules.Overflow, layerAttr.Span, !s.Symbolic, path, s.Symbolic
                    ? "a count, with the block's sizes at 64 (as a block is checked on its own),"
                    : "a shape, parameter or compute count");
                output = null;
            }

            if (args.WithValue("Activation", out var actSpan) is { } actExpr)
            {
                // An activation parameter of the block: With = "activation = act".
                if (args.Raw("Activation") is { } both)
                    s.Report(Rules.BadArgument, both.Span, false, path, "Activation is given both directly and in With");
                else if (ResolveActivation(args, scope, actExpr, actSpan, path, "activation") is { } act)
                {
                    node.Activation = act.Name is "None" ? null : act.Name;
                    node.ActivationParameter = act.Parameter;
                }
            }
            else node.Activation = args.Enum("Activation");
            if (output != null) args.ReportUnusedWith();
            ReadKey(args, node, kind);

            string expectedType = kind.Name == LayerCatalog.Use ? node.BlockFullName ?? ""
                : s.Slimmable && s.InstanceDepth == 0 && kind.SlimModuleType is { } slim ? slim : kind.ModuleType;
            if (expectedType.Length > 0 && member.TypeName != expectedType)
            {
                int dot = expectedType.LastIndexOf('.');
                // A type the compiler could not find, named as the layer's module: the file lacks the using (the
                // compiler says CS0246 for each field; one finding says what to add).
                if (member.TypeUnresolved && dot > 0 && member.TypeName == expectedType.Substring(dot + 1))
                {
                    if (s.MissingUsings.Add(owner.FullName + " " + expectedType.Substring(0, dot)))
                        s.Report(Rules.MissingUsing, member.TypeSpan ?? member.Span, false, member.Name, member.TypeName, expectedType.Substring(0, dot), kind.Name);
                    else s.HasErrors = true;
                }
                else s.Report(Rules.WrongMemberType, member.TypeSpan ?? member.Span, false, member.Name, member.TypeName, kind.Name, expectedType);
            }

            if (head != null) node.HeadTask = head.Positional.Count > 0 ? head.Positional[0].Text : null;
            into.Add(node);

            if (output is null || args.Failed && !s.Symbolic)
            {
                if (s.Symbolic) return null;
                Failed(ref failed);
                continue;
            }
            node.Output = output;

            strides.Add(new KeyValuePair<string, Dim>(member.Name, node.Stride));

            if (residual != null && !ApplyResidual(s, owner, residual, node, inputs, strides, path, skip?.Key) && !s.Symbolic
                || join != null && !ApplyJoin(s, owner, join, node, inputs, path, skip?.Key) && !s.Symbolic
                || node.Residual is { } shortcut && !ShortcutNameFree(s, owner, shortcut, residual!, path, ref shortcuts) && !s.Symbolic)
            {
                Failed(ref failed);
                continue;
            }
            current = node.Output;
        }
        if (failed)
        {
            s.AfterFailure--;
            return null;
        }
        CheckKeys(s, owner, into);
        // A slimmable model's layers run at every width, each with its own batch norm: no single fold.
        if (!s.Slimmable) DeployForms.MarkFolds(into);
        return current;

        // The first failure of this sequence: later members are still read, with the shape before the failed layer
        // standing in, so that every independent mistake is reported in one build.
        void Failed(ref bool already)
        {
            if (!already) s.AfterFailure++;
            already = true;
        }
    }

    /// <summary>
    /// An ADSL0005 on an image that earlier layers of the same sequence made smaller says which ones did, with the
    /// size after each ("conv1 (16×16), pool (8×8)"), so the user sees where the map went instead of only the layer
    /// that no longer fits.
    /// </summary>
    private static void NameWhatShrankTheMap(Session s, int reportedBefore, List<LayerNode> before, Shape input)
    {
        if (input.Rank != 3 || input.ChannelsLast) return;
        var shrank = new List<string>();
        Shape? first = null;
        foreach (var n in before)
        {
            if (n.Input is not { Rank: 3, ChannelsLast: false } i || n.Output is not { Rank: 3, ChannelsLast: false } o) continue;
            first ??= i;
            long[] iv = i.Values(), ov = o.Values();
            if (ov[1] < iv[1] || ov[2] < iv[2]) shrank.Add($"{n.Path} ({ov[1]}×{ov[2]})");
        }
        if (shrank.Count == 0 || first is null) return;
        long[] fv = first.Values();
        var note = $"; the map was {fv[1]}×{fv[2]} and was made smaller by {string.Join(", ", shrank)}";
        for (int k = reportedBefore; k < s.Findings.Count; k++)
        {
            var f = s.Findings[k];
            if (f.Id != Rules.ImpossibleShape.Id || f.Args.Count < 2) continue;
            var args = f.Args.ToArray();
            args[1] += note;
            s.Findings[k] = f with { Args = new EquatableArray<string>(args) };
        }
    }

    /// <summary>A layer's Key: a state_dict path, or for a Stage a path with {i} that places each block.</summary>
    private static void ReadKey(LayerArgs args, LayerNode node, LayerKind kind)
    {
        var text = args.Text("Key");
        if (text is null) return;
        var span = args.Raw("Key")!.Span;
        var pattern = IndexPattern.Parse(text);
        string sample = pattern?.Format(0) ?? text;
        if (pattern is null && text.IndexOfAny(new[] { '{', '}' }) >= 0 || !StateKeys.IsValidPath(sample))
            args.Fail(Rules.BadKey, span, false, node.Path, $"\"{text}\" is no state_dict path: give dot-separated names of letters, digits, '_' and '-' (\"features.0.0\")" +
                (kind.Name == LayerCatalog.Stage ? ", with {i} or {i+K} in the last part to place each block" : ""));
        else if (pattern != null && kind.Name != LayerCatalog.Stage)
            args.Fail(Rules.BadKey, span, false, node.Path, $"\"{text}\": only a Stage places its blocks by index; give this layer one path");
        else if (pattern != null && (pattern.Prefix + pattern.Suffix).IndexOf('.', System.Math.Max(0, pattern.Prefix.LastIndexOf('.') + 1)) >= 0)
            args.Fail(Rules.BadKey, span, false, node.Path, $"\"{text}\": the index must be in the last part of the path");
        else if (pattern != null) node.KeyPattern = pattern;
        else if (text != node.Name) node.Key = text;
    }

    /// <summary>The state_dict paths of one module's layers (and shortcut projections) are distinct, and none lies
    /// inside another: each is either a module of its own or a container of others.</summary>
    private static void CheckKeys(Session s, ModuleDecl owner, List<LayerNode> nodes)
    {
        List<(string Path, LayerNode Node)>? paths = null;
        bool keyed = false;
        foreach (var n in nodes)
        {
            keyed |= n.Key != null || n.KeyPattern != null;
            paths ??= new List<(string, LayerNode)>(nodes.Count);
            if (n.KeyPattern is { } p)
                for (int i = 0; i < n.Children.Count; i++) paths.Add((p.Format(i), n));
            else paths.Add((n.Key ?? n.Name, n));
            if (n.Residual is { } r && (s.Symbolic ? r.Mode != ShortcutMode.Identity && !r.Optional : r.Projects)) paths.Add((r.ShortcutName, n));
        }
        if (!keyed || paths is null) return;
        var seen = new Dictionary<string, LayerNode>(StringComparer.Ordinal);
        foreach (var (path, node) in paths)
        {
            string? clash = null;
            if (seen.TryGetValue(path, out var other)) clash = $"'{other.Name}' has the same state_dict path \"{path}\"";
            else
                foreach (var kv in seen)
                    if (kv.Key.StartsWith(path + ".", StringComparison.Ordinal) || path.StartsWith(kv.Key + ".", StringComparison.Ordinal))
                        clash = $"\"{path}\" and the path of '{kv.Value.Name}', \"{kv.Key}\", lie one inside the other";
            if (clash != null)
            {
                var span = node.Attribute?.Get("Key")?.Span ?? node.Member?.Span ?? owner.Span;
                s.Report(Rules.BadKey, span, false, node.Path, clash);
                return;
            }
            seen[path] = node;
        }
    }

    /// <summary>
    /// The member a join's <c>From</c> names, with its input shape; otherwise a finding at the argument that says what is
    /// wrong: missing, a member declared later (a join reads earlier values), or no member at all (with the candidates).
    /// </summary>
    /// <summary>A layer's <c>Input = nameof(m)</c>: the input of an earlier member (or the block's skip), checked.</summary>
    private static Shape? ResolveInput(Session s, ModuleDecl owner, AttributeDecl layerAttr, ArgValue arg, LayerKind kind, AttributeDecl? residual,
        Dictionary<string, Shape> inputs, string path, string? skip, out string from)
    {
        from = "";
        if (arg is not { Kind: ArgKind.String, Text: { Length: > 0 } text })
        {
            s.Report(Rules.BadArgument, arg.Span, false, path, $"Input names the member whose input this layer reads: Input = nameof(member), got {arg.Describe()}");
            return null;
        }
        if (kind.Forward != ForwardForm.Call || kind.Category == LayerCategory.Composite)
        {
            s.Report(Rules.BadArgument, arg.Span, false, path, $"[{kind.Name}] works on the running value; Input is for layers that call a module on their input");
            return null;
        }
        if (residual != null)
        {
            s.Report(Rules.BadArgument, arg.Span, false, path, "a layer with its own Input starts a branch: join it with [Sum], [Concat] or [Multiply] (a [Residual] projects along the running value)");
            return null;
        }
        if (s.Slimmable)
        {
            s.Report(Rules.BadArgument, arg.Span, false, path, "branches (Input) do not slim: a slimmable model runs one path");
            return null;
        }
        from = text;
        return LookUpEarlier(s, owner, Rules.BadArgument, arg.Span, text, inputs, path, "Input reads");
    }

    /// <summary>The input of a member at or before this one (or the block's skip) by name; else a finding at
    /// <paramref name="at"/> that lists the candidates or says the member comes later.</summary>
    private static Shape? LookUpEarlier(Session s, ModuleDecl owner, Rule rule, SourceSpan at, string name, IReadOnlyDictionary<string, Shape> inputs,
        string path, string reader)
    {
        if (inputs.TryGetValue(name, out var shape)) return shape;
        bool later = false;
        foreach (var m in owner.Members) later |= m.Name == name;
        string candidates = inputs.Count == 0 ? "none" : string.Join(", ", inputs.Keys);
        s.Report(rule, at, false, path, later
            ? $"'{name}' is declared after this member; {reader} the input of this member or an earlier one ({candidates})"
            : $"'{name}' is not a layer of {owner.Name}; layers at or before this member: {candidates}");
        return null;
    }

    private static Shape? ResolveFrom(Session s, ModuleDecl owner, AttributeDecl attr, Dictionary<string, Shape> inputs, string path, out string from)
    {
        from = "";
        var fromArg = attr.Get("From");
        if (fromArg is not { Kind: ArgKind.String, Text: { } text })
        {
            s.Report(Rules.BadResidual, attr.Span, false, path, $"give the member whose input is joined: [{attr.Name}(From = nameof(member))]");
            return null;
        }
        from = text;
        return LookUpEarlier(s, owner, Rules.BadResidual, fromArg.Span, text, inputs, path, "a join reads");
    }

    /// <summary>Concat and Multiply: shapes checked with both named; the output shape replaces the layer's.</summary>
    private static bool ApplyJoin(Session s, ModuleDecl owner, AttributeDecl attr, LayerNode node, Dictionary<string, Shape> inputs, string path, string? skip)
    {
        var fromShape = ResolveFrom(s, owner, attr, inputs, path, out var from);
        if (fromShape is null) return false;
        // A skip's sizes are the caller's: in a block checked on its own they are placeholders, checked at each instance.
        bool unchecked_ = s.Symbolic && from == skip;
        var to = node.Output;
        var at = from == skip && fromShape.Rank > 0 && fromShape[0].Origin is { } passed ? passed : attr.Get("From")!.Span;
        var j = new JoinNode { Op = attr.Name switch { "Concat" => JoinOp.Concat, "Sum" => JoinOp.Sum, _ => JoinOp.Multiply }, From = from, FromShape = fromShape };
        node.Join = j;
        string source = from == skip ? $"the skip '{from}'" : $"the input of '{from}'";
        if (fromShape.Rank != to.Rank || fromShape.ChannelsLast != to.ChannelsLast)
        {
            s.Report(Rules.BadResidual, at, true, path, $"{source} is {fromShape} but this layer gives {to}; a join keeps the layout");
            return false;
        }
        var dims = new Dim[to.Rank];
        if (j.Op == JoinOp.Concat)
        {
            j.Axis = to.Rank == 3 && !to.ChannelsLast ? 0 : to.Rank - 1;
            for (int i = 0; i < to.Rank; i++)
            {
                if (i == j.Axis) { dims[i] = fromShape[i] + to[i]; continue; }
                if (fromShape[i].Value != to[i].Value && !unchecked_)
                {
                    string what = to.Rank == 3 ? "height and width" : "token count";
                    s.Report(Rules.BadResidual, at, true, path, $"cannot concatenate {source} ({fromShape}) with this layer's {to}: the {what} must agree");
                    return false;
                }
                dims[i] = to[i];
            }
        }
        else if (j.Op == JoinOp.Sum)
        {
            for (int i = 0; i < to.Rank; i++)
            {
                if (fromShape[i].Value != to[i].Value && !unchecked_)
                {
                    s.Report(Rules.BadResidual, at, true, path, $"cannot sum the branches: {source} is {fromShape} but this layer gives {to}; summed branches must have the same shape (a [Residual] projects where they differ)");
                    return false;
                }
                dims[i] = to[i];
            }
        }
        else
        {
            for (int i = 0; i < to.Rank; i++)
            {
                long a = fromShape[i].Value, b = to[i].Value;
                if (a != b && a != 1 && b != 1 && !unchecked_)
                {
                    s.Report(Rules.BadResidual, at, true, path, $"{source} ({fromShape}) and this layer's {to} do not broadcast: each size must agree or be 1");
                    return false;
                }
                dims[i] = b == 1 ? fromShape[i] : to[i];
            }
        }
        node.Output = new Shape(dims) { ChannelsLast = to.ChannelsLast };
        return true;
    }

    /// <summary>
    /// A projected shortcut becomes a field of the module that declares it, named <see cref="ResidualNode.ShortcutName"/>:
    /// two of them, or one and a member or a name the generated class declares or inherits, cannot share a name. In a
    /// model a field exists where the shapes differ; in a block wherever they can, which its symbolic evaluation (the
    /// one that derives its signature) decides. An identity shortcut is a plain add and no field.
    /// </summary>
    private static bool ShortcutNameFree(Session s, ModuleDecl owner, ResidualNode r, AttributeDecl attr, string path, ref HashSet<string>? taken)
    {
        bool field = !r.Optional && (owner.IsModel ? !s.Symbolic && r.Projects : s.Symbolic && r.Mode != ShortcutMode.Identity);
        if (!field) return true;
        string? clash = GeneratedUse(owner, r.ShortcutName, inherited: true);
        if (clash is null)
        {
            foreach (var m in owner.Members)
                if (m.Name == r.ShortcutName) clash = "a member";
            foreach (var m in owner.OtherMembers)
                if (m.Name == r.ShortcutName) clash = "a member";
        }
        taken ??= new HashSet<string>(StringComparer.Ordinal);
        if (clash is null && !taken.Add(r.ShortcutName)) clash = "the shortcut of another residual";
        if (clash is null) return true;
        var at = attr.Get("Shortcut")?.Span ?? attr.Span;
        s.Report(Rules.BadResidual, at, owner.IsModel, path, $"the shortcut's name '{r.ShortcutName}' is already {clash}; name it with Shortcut = \"...\"");
        return false;
    }

    private static bool ApplyResidual(Session s, ModuleDecl owner, AttributeDecl attr, LayerNode node, Dictionary<string, Shape> inputs,
        List<KeyValuePair<string, Dim>> strides, string path, string? skip)
    {
        var fromShape = ResolveFrom(s, owner, attr, inputs, path, out var from);
        if (fromShape is null) return false;
        if (from == skip)
        {
            s.Report(Rules.BadResidual, attr.Get("From")!.Span, false, path, $"'{skip}' is the block's skip input: join it with [Concat] or [Multiply]; a [Residual] adds the input of a member of this block");
            return false;
        }
        bool optional = attr.Get("IfSameShape") is { Kind: ArgKind.Bool, Int: not 0 };
        var shortcutArg = attr.Get("Shortcut");
        string shortcut = shortcutArg is { Kind: ArgKind.String, Text: { Length: > 0 } sc } ? sc : "downsample";
        if (!ExprParser.IsIdentifier(shortcut))
        {
            s.Report(Rules.BadResidual, shortcutArg!.Span, false, path, $"'{shortcut}' is not a valid member name");
            return false;
        }

        // The projection's stride is the product of the strides passed since From.
        var stride = Dim.Of(1);
        bool counting = false;
        foreach (var kv in strides)
        {
            if (kv.Key == from) counting = true;
            if (counting) stride = stride * kv.Value;
        }

        var to = node.Output;
        var r = new ResidualNode { From = from, ShortcutName = shortcut, FromShape = fromShape, ToShape = to, Stride = stride, Optional = optional, Layer = node.Name,
            ShortcutFirst = attr.Get("ShortcutFirst") is { Kind: ArgKind.Bool, Int: not 0 } };
        if (optional && shortcutArg != null)
        {
            s.Report(Rules.BadResidual, shortcutArg.Span, false, path, "IfSameShape never projects, so it has no shortcut to name; remove Shortcut");
            return false;
        }
        node.Residual = r;

        if (fromShape.Rank != to.Rank)
        {
            s.Report(Rules.BadResidual, attr.Span, true, path, $"the input of '{from}' is {fromShape} but this layer gives {to}; a shortcut cannot change the layout");
            return false;
        }
        r.Condition = ShapeCondition(fromShape, to);
        r.Mode = r.Condition.IsNever ? ShortcutMode.Identity : r.Condition.IsAlways ? ShortcutMode.Projection : ShortcutMode.ByArgument;
        r.Differs = !fromShape.SameValues(to);
        // Nothing to project: an optional residual adds only where the shapes match, and equal shapes add as they are
        // (a skip across a downsample and an upsample that restores the size).
        if (optional || (s.Symbolic ? r.Mode == ShortcutMode.Identity : !r.Differs)) return true;
        if (to.Rank == 3)
        {
            // A 1×1 convolution with the accumulated stride, then batch norm (torchvision's downsample.0/.1).
            long cin = fromShape[0].Value, cout = to[0].Value;
            for (int axis = 1; axis <= 2; axis++)
                if (stride.Value < 1 || (fromShape[axis].Value - 1) / stride.Value + 1 != to[axis].Value)
                {
                    s.Report(Rules.BadResidual, attr.Span, true, path,
                        $"the input of '{from}' ({fromShape}) cannot be projected to {to} by a 1×1 convolution with stride {stride.Value}");
                    return false;
                }
            r.Parameters = checked(cin * cout + 2 * cout);
            r.Buffers = 2 * cout + 1;
            r.Macs = checked(to[1].Value * to[2].Value * cout * cin);
            // Deployed, the batch norm folds into the convolution as its bias (as a [BatchNorm2d] after a [Conv2d] does).
            if (!s.Slimmable) r.Deploy = new DeployCounts(checked(cin * cout + cout), 0, r.Macs);
        }
        else
        {
            if (to.Rank == 2 && fromShape[0].Value != to[0].Value)
            {
                s.Report(Rules.BadResidual, attr.Span, true, path, $"the input of '{from}' has {fromShape[0].Value} tokens but this layer gives {to[0].Value}; a shortcut keeps the token count");
                return false;
            }
            long din = fromShape.Last.Value, dout = to.Last.Value;
            r.Parameters = checked(din * dout + dout);
            r.Macs = checked((to.Rank == 2 ? to[0].Value : 1) * din * dout);
        }
        return true;
    }

    /// <summary>Never when two shapes are the same expressions, always when their values surely differ, otherwise a
    /// test of the sizes that tells at run time.</summary>
    private static ShapeTest ShapeCondition(Shape a, Shape b)
    {
        var parts = new List<KeyValuePair<Expr, Expr>>();
        for (int i = 0; i < a.Rank; i++)
        {
            var x = a[i].Expr;
            var y = b[i].Expr;
            if (x.Equals(y)) continue;
            if (x.IsConst && y.IsConst)
            {
                if (x.ConstValue != y.ConstValue) return ShapeTest.Always;
                continue;
            }
            parts.Add(new KeyValuePair<Expr, Expr>(x, y));
        }
        return ShapeTest.AnyDiffers(parts);
    }
}
