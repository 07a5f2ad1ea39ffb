using System;
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Evaluation;

// [Task] paths around a shared body, and [Exit] classifiers: the model's layers are evaluated in parts, each part
// as a sequence of its own, so every rule of a sequence (shapes, joins, keys) holds inside each part.
public static partial class Evaluator
{
    private sealed record TaskDecl(string Name, string Kind, string? Head, string? Tail, AttributeDecl Attr);

    /// <summary>
    /// Evaluates a model with [Task] declarations: each head on the input, the shared body on the heads' common output,
    /// each tail on the body's output. Returns the first task's output, or null after a reported error.
    /// </summary>
    private static Shape? EvaluateTasks(Session s, ModuleDecl model, Shape input, ModelPlan plan)
    {
        var tasks = ReadTasks(s, model);
        if (tasks is null) return null;
        var generated = new List<string> { "Task", "ParameterCountOf", "MacsOf", "OutputShapeOf" };
        foreach (var t in tasks) { generated.Add(t.Name + "ParameterCount"); generated.Add(t.Name + "Macs"); }
        if (!GeneratedNamesFree(s, model, generated, "for its tasks")) return null;

        var parts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            if (t.Head != null) parts.Add(t.Head);
            parts.Add(t.Tail!);
        }
        var nodes = new Dictionary<string, LayerNode>(StringComparer.Ordinal);
        bool failed = false;

        // Heads: each on the model's input; the body takes one shape, so they must agree.
        Shape? bodyInput = null;
        TaskDecl? shapedBy = null;
        foreach (var t in tasks)
        {
            Shape? output = input;
            if (t.Head != null)
            {
                if (!nodes.ContainsKey(t.Head)) output = EvaluatePart(s, model, t.Head, input, nodes);
                else output = nodes[t.Head].Output;
                if (output is null) { failed = true; continue; }
            }
            if (bodyInput is null) { bodyInput = output; shapedBy = t; continue; }
            if (!bodyInput.SameValues(output))
            {
                var at = t.Attr.Get("Head")?.Span ?? t.Attr.Span;
                s.Report(Rules.ImpossibleShape, at, true, t.Name,
                    $"task '{t.Name}' gives the shared body {output}{(t.Head is null ? " (it has no head: the model's input)" : " from its head '" + t.Head + "'")}, but task '{shapedBy!.Name}' gives it {bodyInput}; the body takes one shape");
                failed = true;
            }
        }
        if (failed || bodyInput is null) { Collect(model, nodes, new List<LayerNode>(), plan); return null; }

        // The body: every other layer, in order.
        var bodyDecl = model with { Members = new EquatableArray<MemberDecl>(model.Members.Where(m => !parts.Contains(m.Name)).ToArray()) };
        var body = new List<LayerNode>();
        var bodyOutput = EvaluateSequence(s, bodyDecl, Scope.Empty, bodyInput, "", 0, body);
        if (bodyOutput is null) { Collect(model, nodes, body, plan); return null; }
        if (body.Count == 0)
        {
            s.Report(Rules.BadArgument, model.Span, false, model.Name, "the tasks share no body: every layer is a task's head or tail; declare the shared layers as members of their own");
            Collect(model, nodes, body, plan);
            return null;
        }

        // Tails: each on the body's output.
        foreach (var t in tasks)
        {
            if (nodes.ContainsKey(t.Tail!)) continue;
            int before = s.Findings.Count;
            if (EvaluatePart(s, model, t.Tail!, bodyOutput, nodes) is null)
            {
                failed = true;
                // The tail's own finding says what it cannot take; the task says where that input comes from.
                if (s.Findings.Count == before || s.Findings.Skip(before).All(f => f.Id != Rules.WrongLayout.Id && f.Id != Rules.ImpossibleShape.Id)) continue;
                s.Report(Rules.ImpossibleShape, t.Attr.Get("Tail")!.Span, true, t.Name,
                    $"the tail '{t.Tail}' of task '{t.Name}' cannot take the shared body's output {bodyOutput}");
            }
        }
        Collect(model, nodes, body, plan);
        if (failed) return null;

        foreach (var t in tasks)
        {
            var head = t.Head is null ? null : nodes[t.Head];
            var tail = nodes[t.Tail!];
            long p = tail.Parameters, b = tail.Buffers, m = tail.Macs;
            if (head != null) { p = checked(p + head.Parameters); b = checked(b + head.Buffers); m = checked(m + head.Macs); }
            foreach (var n in body) { p = checked(p + n.Parameters); b = checked(b + n.Buffers); m = checked(m + n.Macs); }
            plan.Tasks.Add(new TaskPath { Name = t.Name, Kind = t.Kind, Head = head, Tail = tail, Output = tail.Output, Parameters = p, Buffers = b, Macs = m, Attribute = t.Attr });
        }
        return plan.Tasks[0].Output;
    }

    /// <summary>The members the generated part declares for tasks or exits are the model's own names: a layer or other
    /// member of the same name (or a model named like the task enum) is reported where it is declared.</summary>
    private static bool GeneratedNamesFree(Session s, ModuleDecl model, List<string> generated, string purpose)
    {
        bool free = true;
        if (generated.Contains(model.Name))
        {
            s.Report(Rules.ReservedName, model.Span, false, model.Name, "the name of the enum the generated part declares " + purpose);
            free = false;
        }
        foreach (var m in model.Members)
            if (generated.Contains(m.Name)) { s.Report(Rules.ReservedName, m.Span, false, m.Name, "declared by the generated part " + purpose); free = false; }
        foreach (var m in model.OtherMembers)
            if (generated.Contains(m.Name)) { s.Report(Rules.ReservedName, m.Span, false, m.Name, "declared by the generated part " + purpose); free = false; }
        return free;
    }

    /// <summary>One member evaluated on its own as a sequence of one.</summary>
    private static Shape? EvaluatePart(Session s, ModuleDecl model, string member, Shape input, Dictionary<string, LayerNode> nodes)
    {
        var decl = model with { Members = new EquatableArray<MemberDecl>(model.Members.Where(m => m.Name == member).ToArray()) };
        var into = new List<LayerNode>(1);
        var output = EvaluateSequence(s, decl, Scope.Empty, input, "", 0, into);
        foreach (var n in into) nodes[n.Name] = n;
        return output;
    }

    /// <summary>The model's layers in declaration order: heads, body and tails as the fields are written.</summary>
    private static void Collect(ModuleDecl model, Dictionary<string, LayerNode> parts, List<LayerNode> body, ModelPlan plan)
    {
        var byName = new Dictionary<string, LayerNode>(parts, StringComparer.Ordinal);
        foreach (var n in body) byName[n.Name] = n;
        foreach (var m in model.Members)
            if (byName.TryGetValue(m.Name, out var n)) plan.Layers.Add(n);
    }

    /// <summary>The [Task] attributes, checked: names, kinds and members. Null after an error.</summary>
    private static List<TaskDecl>? ReadTasks(Session s, ModuleDecl model)
    {
        var layers = new List<string>();
        foreach (var m in model.Members)
            if (m.IsInstance && IsLayer(m)) layers.Add(m.Name);
        string candidates = layers.Count == 0 ? "none" : string.Join(", ", layers);

        var tasks = new List<TaskDecl>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        bool ok = true;
        foreach (var a in model.Attributes)
        {
            if (a.Name != "Task") continue;
            if (a.HasCompilerError) { s.HasErrors = true; ok = false; continue; }
            var nameArg = a.Positional.Count > 0 ? a.Positional[0] : null;
            var kindArg = a.Positional.Count > 1 ? a.Positional[1] : null;
            string? name = nameArg is { Kind: ArgKind.String, Text: { } n } ? n : null;
            if (name is null || !ExprParser.IsIdentifier(name) || CSharpNames.Identifier(name) != name || name == "Task")
            {
                s.Report(Rules.BadArgument, nameArg?.Span ?? a.Span, false, model.Name, $"the task's name {(nameArg?.Describe() ?? "")} must be a C# identifier: it becomes a member of the generated enum {model.Name}.Task");
                ok = false;
                continue;
            }
            if (LayerCatalog.GeneratedMembers.Contains(name + "ParameterCount") || LayerCatalog.GeneratedMembers.Contains(name + "Macs"))
            {
                s.Report(Rules.BadArgument, nameArg!.Span, false, model.Name, $"a task named '{name}' would have counts named like the model's own ({name}ParameterCount, {name}Macs); name it otherwise");
                ok = false;
                continue;
            }
            if (!names.Add(name))
            {
                s.Report(Rules.BadArgument, nameArg!.Span, false, model.Name, $"two tasks are named '{name}'");
                ok = false;
                continue;
            }
            string? Member(string property, bool required)
            {
                var arg = a.Get(property);
                if (arg is null || arg.Kind == ArgKind.Null)
                {
                    if (required)
                        s.Report(Rules.BadArgument, a.Span, false, model.Name,
                            $"task '{name}' has no tail: give Tail = nameof(member), the layer or block that turns the shared body's output into this task's output");
                    return null;
                }
                if (arg.Kind != ArgKind.String || !layers.Contains(arg.Text!))
                {
                    s.Report(Rules.BadArgument, arg.Span, false, model.Name,
                        $"task '{name}': {property} {arg.Describe()} is not a layer of {model.Name}; its layers: {candidates}");
                    ok = false;
                    return null;
                }
                if (roles.TryGetValue(arg.Text!, out var role) && role != property)
                {
                    s.Report(Rules.BadArgument, arg.Span, false, model.Name,
                        $"task '{name}': '{arg.Text}' is already a {role.ToLowerInvariant()}; a member is either a head (before the body) or a tail (after it)");
                    ok = false;
                    return null;
                }
                roles[arg.Text!] = property;
                return arg.Text;
            }
            var head = Member("Head", required: false);
            var tail = Member("Tail", required: true);
            if (tail is null) { ok = false; continue; }
            tasks.Add(new TaskDecl(name, kindArg?.Text ?? "", head, tail, a));
        }
        return ok && tasks.Count > 0 ? tasks : null;
    }

    /// <summary>
    /// [Exit] classifiers after top-level members of an evaluated model: each reads a C×H×W map (pooled) or a feature
    /// vector and gives the model's classes. Adds their parameters to the model's; its MACs stay those of forward(x),
    /// which runs no exit.
    /// </summary>
    private static void EvaluateExits(Session s, ModuleDecl model, ModelPlan plan)
    {
        var exits = new List<ExitPoint>();
        string candidates = plan.Layers.Count == 0 ? "none" : string.Join(", ", plan.Layers.Select(l => l.Name));
        bool ok = true;
        foreach (var a in model.Attributes)
        {
            if (a.Name != "Exit") continue;
            if (a.HasCompilerError) { s.HasErrors = true; ok = false; continue; }
            var arg = a.Positional.Count > 0 ? a.Positional[0] : null;
            int index = arg is { Kind: ArgKind.String } ? plan.Layers.FindIndex(l => l.Name == arg.Text) : -1;
            if (index < 0)
            {
                s.Report(Rules.BadArgument, arg?.Span ?? a.Span, false, model.Name, $"the exit follows {arg?.Describe() ?? "nothing"}, which is not a layer of {model.Name}; its layers: {candidates}");
                ok = false;
                continue;
            }
            var node = plan.Layers[index];
            if (index == plan.Layers.Count - 1)
            {
                s.Report(Rules.BadArgument, arg!.Span, false, model.Name, $"'{node.Name}' is the last layer: the model's own output is the last exit");
                ok = false;
                continue;
            }
            if (exits.Exists(e => e.LayerIndex == index))
            {
                s.Report(Rules.BadArgument, arg!.Span, false, model.Name, $"two exits follow '{node.Name}'");
                ok = false;
                continue;
            }
            // Each segment between exits is a method of its own: a residual or join cannot reach across one.
            string? split = null;
            for (int j = index + 1; j < plan.Layers.Count && split is null; j++)
                if ((plan.Layers[j].Residual?.From ?? plan.Layers[j].Join?.From) is { } from && plan.Layers.FindIndex(l => l.Name == from) <= index)
                    split = $"the exit after '{node.Name}' lies inside the {(plan.Layers[j].Residual != null ? "residual" : "join")} from '{from}' into '{plan.Layers[j].Name}'; put it before '{from}' or after '{plan.Layers[j].Name}'";
            if (split != null)
            {
                s.Report(Rules.BadArgument, arg!.Span, false, model.Name, split);
                ok = false;
                continue;
            }
            var x = node.Output;
            bool map = x.Rank == 3 && !x.ChannelsLast;
            if (!map && x.Rank != 1)
            {
                s.Report(Rules.BadArgument, arg!.Span, true, model.Name,
                    $"an exit after '{node.Name}' would read {(x.ChannelsLast ? "a channels-last map" : x.Rank == 2 ? "a token sequence" : "rank " + x.Rank)} {x}; a classifier exit reads a C×H×W map (averaged) or a feature vector");
                ok = false;
                continue;
            }
            exits.Add(new ExitPoint { After = node.Name, LayerIndex = index, Input = x, Pools = map, Features = x[0].Value, Attribute = a });
        }
        if (exits.Count == 0 || !ok) { if (!ok) s.HasErrors = true; return; }
        var generated = new List<string> { "exits", "ExitCount", "ExitMacs", "ExitParameterCounts", "ForwardExits" };
        for (int k = 0; k <= exits.Count; k++)
            generated.AddRange(new[] { "ExitSegment" + k.ToString(System.Globalization.CultureInfo.InvariantCulture), "Exit" + k.ToString(System.Globalization.CultureInfo.InvariantCulture) + "Macs", "Exit" + k.ToString(System.Globalization.CultureInfo.InvariantCulture) + "ParameterCount" });
        if (!GeneratedNamesFree(s, model, generated, "for its exits")) return;
        if (plan.Output.Rank != 1)
        {
            s.Report(Rules.BadArgument, exits[0].Attribute.Span, true, model.Name,
                $"exits give class scores like the model's output, and the model's output is {plan.Output}, not a vector of classes");
            return;
        }
        long classes = plan.Output[0].Value;
        exits.Sort((p, q) => p.LayerIndex.CompareTo(q.LayerIndex));
        long exitParams = 0, exitMacs = 0;
        foreach (var e in exits)
        {
            e.Classes = classes;
            e.Parameters = checked(e.Features * classes + classes);
            e.Macs = checked(e.Features * classes);
            exitParams = checked(exitParams + e.Parameters);
            exitMacs = checked(exitMacs + e.Macs);
            long p = exitParams, m = exitMacs;
            for (int i = 0; i <= e.LayerIndex; i++) { p = checked(p + plan.Layers[i].Parameters); m = checked(m + plan.Layers[i].Macs); }
            e.ParametersToExit = p;
            e.MacsToExit = m;
        }
        plan.Exits.AddRange(exits);
    }
}
