using System.Collections.Generic;
using System.Linq;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Reporting;

namespace ArchDsl.Generators.Emitting;

// [Task] paths (forward(x, task)) and [Exit] classifiers (ForwardExits, forward(x, threshold, mode)).
internal static partial class ModuleEmitter
{
    private const string ExitsField = "exits";

    /// <summary>The task enum and per-path counts, or the exits' counts.</summary>
    private static void WriteTaskAndExitMembers(CodeWriter w, ModelPlan plan)
    {
        string model = plan.Name;
        if (plan.Tasks.Count > 0)
        {
            w.Line()
             .Line($"/// <summary>The tasks of {model}, as declared with [Task]: <see cref=\"forward(torch.Tensor, Task)\"/> runs one task's head, the shared body and its tail.</summary>")
             .Open("public enum Task");
            foreach (var t in plan.Tasks)
                w.Line($"/// <summary>{t.Kind}: {(t.Head is null ? "no head" : "head " + t.Head.Name)}, tail {t.Tail.Name}; output {t.Output}.</summary>")
                 .Line($"{t.Name},");
            w.Close();
            foreach (var t in plan.Tasks)
                w.Line($"/// <summary>Trainable parameters of the {t.Name} path (head, body and tail): {Report.Number(t.Parameters)}.</summary>")
                 .Line($"public const long {t.Name}ParameterCount = {t.Parameters.ToString(Inv)}L;")
                 .Line($"/// <summary>Multiply-accumulates per sample of the {t.Name} path: {Report.Number(t.Macs)}.</summary>")
                 .Line($"public const long {t.Name}Macs = {t.Macs.ToString(Inv)}L;");
            WriteTaskSwitch(w, plan, "long", "ParameterCountOf", "Trainable parameters of a task's path (head, body and tail).", t => t.Name + "ParameterCount");
            WriteTaskSwitch(w, plan, "long", "MacsOf", "Multiply-accumulates per sample of a task's path.", t => t.Name + "Macs");
            WriteTaskSwitch(w, plan, "global::System.Collections.Generic.IReadOnlyList<long>", "OutputShapeOf", "A task's output shape at the declared input, without the batch dimension.",
                t => "new long[] { " + Join(t.Output.Values()) + " }");
        }
        if (plan.Exits.Count > 0)
        {
            var macs = plan.Exits.Select(e => e.MacsToExit).Concat(new[] { FinalExit(plan).Macs }).ToList();
            var ps = plan.Exits.Select(e => e.ParametersToExit).Concat(new[] { plan.Parameters }).ToList();
            w.Line()
             .Line($"/// <summary>Classifier exits: {plan.Exits.Count} declared with [Exit] and the model's own output, the last.</summary>")
             .Line($"public const int ExitCount = {(plan.Exits.Count + 1).ToString(Inv)};");
            for (int k = 0; k <= plan.Exits.Count; k++)
            {
                string where = k < plan.Exits.Count ? "after " + plan.Exits[k].After : "the model's output";
                w.Line($"/// <summary>Multiply-accumulates per sample to return at exit {k} ({where}), the exits before it included: {Report.Number(macs[k])}.</summary>")
                 .Line($"public const long Exit{k}Macs = {macs[k].ToString(Inv)}L;")
                 .Line($"/// <summary>Trainable parameters used to return at exit {k} ({where}): {Report.Number(ps[k])}.</summary>")
                 .Line($"public const long Exit{k}ParameterCount = {ps[k].ToString(Inv)}L;");
            }
            w.Line("/// <summary>Multiply-accumulates per sample to each exit, in order (<c>Exit{k}Macs</c>).</summary>")
             .Line($"public static global::System.Collections.Generic.IReadOnlyList<long> ExitMacs {{ get; }} = new long[] {{ {string.Join(", ", macs.Select(v => v.ToString(Inv) + "L"))} }};")
             .Line("/// <summary>Trainable parameters used to each exit, in order (<c>Exit{k}ParameterCount</c>).</summary>")
             .Line($"public static global::System.Collections.Generic.IReadOnlyList<long> ExitParameterCounts {{ get; }} = new long[] {{ {string.Join(", ", ps.Select(v => v.ToString(Inv) + "L"))} }};");
        }
    }

    /// <summary>The counts to the model's own output when every exit ran and none was confident.</summary>
    private static (long Macs, long Parameters) FinalExit(ModelPlan plan)
    {
        long m = plan.Macs;
        foreach (var e in plan.Exits) m = checked(m + e.Macs);
        return (m, plan.Parameters);
    }

    private static void WriteTaskSwitch(CodeWriter w, ModelPlan plan, string type, string name, string summary, System.Func<TaskPath, string> value)
    {
        w.Line($"/// <summary>{summary}</summary>")
         .Open($"public static {type} {name}(Task task) => task switch");
        foreach (var t in plan.Tasks) w.Line($"Task.{t.Name} => {value(t)},");
        w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(task)),");
        w.Dedent().Line("};");
    }

    private static void WriteExitField(CodeWriter w, ModelPlan plan)
    {
        if (plan.Exits.Count == 0) return;
        w.Line($"/// <summary>The [Exit] classifiers, in forward order (state_dict: {ExitsField}.0.fc.weight, ...).</summary>")
         .Line($"private readonly global::TorchSharp.Modules.ModuleList<global::ArchDsl.Layers.ExitHead> {ExitsField};")
         .Line();
    }

    private static void WriteExitConstruction(CodeWriter w, ModelPlan plan, bool keyed)
    {
        if (plan.Exits.Count == 0) return;
        w.Line($"this.{ExitsField} = nn.ModuleList(").Indent();
        for (int k = 0; k < plan.Exits.Count; k++)
        {
            var e = plan.Exits[k];
            w.Line($"new global::ArchDsl.Layers.ExitHead({e.Features.ToString(Inv)}, {e.Classes.ToString(Inv)}, pool: {(e.Pools ? "true" : "false")}){(k + 1 < plan.Exits.Count ? "," : ");")}");
        }
        w.Dedent();
        if (keyed) w.Line($"register_module({Str(ExitsField)}, this.{ExitsField});");
    }

    /// <summary>A task model's forward: the task's head, the shared body, the task's tail.</summary>
    private static void WriteTaskForward(CodeWriter w, ModelPlan plan)
    {
        string tensor = TorchType("Tensor");
        var first = plan.Tasks[0];
        w.Line($"/// <summary>Runs the first declared task, {first.Name}: <c>forward(x, Task.{first.Name})</c>.</summary>")
         .Line($"public override {tensor} forward({tensor} x) => forward(x, Task.{first.Name});")
         .Line()
         .Line("/// <summary>Runs one task: its head (if it has one), the shared body, then its tail; no other task's modules run.</summary>")
         .Open($"public {tensor} forward({tensor} x, Task task)")
         .Line("using var scope = torch.NewDisposeScope();")
         .Line("var input = x;")
         .Open("try");
        var locals = new HashSet<string> { "x", "scope", "task", "input", "e" };
        WriteTaskSwitch(w, plan, t => t.Head, locals, throws: true);
        w.Line("{").Indent();
        WriteLayerStatements(w, TaskParts.Body(plan), concrete: true, new HashSet<string>(locals));
        w.Close();
        WriteTaskSwitch(w, plan, t => t.Tail, locals, throws: false);
        w.Line("return scope.MoveToOuter(x);").Close();
        // As forward(x) does: TorchSharp's error for an input the layers cannot take, rethrown with both shapes.
        w.Open("catch (global::System.Runtime.InteropServices.ExternalException e)")
         .Line($"throw new global::System.ArgumentException({Str(plan.Name + ": forward(x, ")} + task + {Str(") failed on an input of shape (")} + string.Join(\", \", input.shape) + {Str("); the declared input is (batch, " + Join(plan.Input.Values()) + "): ")} + e.Message, nameof(x), e);")
         .Close();
        w.Close();
    }

    /// <summary>switch (task): each distinct head (or tail) once, with the tasks that share it as its cases.</summary>
    private static void WriteTaskSwitch(CodeWriter w, ModelPlan plan, System.Func<TaskPath, LayerNode?> part, HashSet<string> locals, bool throws)
    {
        w.Open("switch (task)");
        var done = new HashSet<LayerNode>();
        var without = plan.Tasks.Where(t => part(t) is null).ToList();
        if (without.Count > 0)
        {
            foreach (var t in without) w.Line($"case Task.{t.Name}:");
            w.Indent().Line("break;").Dedent();
        }
        foreach (var t in plan.Tasks)
        {
            if (part(t) is not { } node || !done.Add(node)) continue;
            foreach (var u in plan.Tasks)
                if (ReferenceEquals(part(u), node)) w.Line($"case Task.{u.Name}:");
            w.Line("{").Indent();
            WriteLayerStatements(w, new List<LayerNode> { node }, concrete: true, new HashSet<string>(locals));
            w.Line("break;").Close();
        }
        if (throws)
            w.Line("default:").Indent()
             .Line($"throw new global::System.ArgumentOutOfRangeException(nameof(task), task, {Str(plan.Name + " has no such task")});").Dedent();
        w.Close();
    }

    /// <summary>A model with exits: the segments between exits as methods, ForwardExits and the thresholded forward.</summary>
    private static void WriteExitForwards(CodeWriter w, ModelPlan plan)
    {
        string tensor = TorchType("Tensor");
        int segments = plan.Exits.Count + 1;
        int start = 0;
        for (int k = 0; k < segments; k++)
        {
            int end = k < plan.Exits.Count ? plan.Exits[k].LayerIndex + 1 : plan.Layers.Count;
            w.Line()
             .Line(k < plan.Exits.Count
                ? $"/// <summary>The layers up to {plan.Exits[k].After}, where exit {k} reads.</summary>"
                : "/// <summary>The layers after the last [Exit], to the model's own output.</summary>")
             .Open($"private {tensor} ExitSegment{k}({tensor} x)");
            WriteLayerStatements(w, plan.Layers.GetRange(start, end - start), concrete: true, new HashSet<string> { "x" });
            w.Line("return x;").Close();
            start = end;
        }
        string Field(int k) => $"this.{ExitsField}[{k.ToString(Inv)}]";
        w.Line()
         .Line("/// <summary>Every exit's logits, the model's own output last (training: a loss on each).</summary>")
         .Open($"public {tensor}[] ForwardExits({tensor} x)")
         .Line("using var scope = torch.NewDisposeScope();")
         .Line($"var logits = new {tensor}[ExitCount];");
        for (int k = 0; k < plan.Exits.Count; k++)
            w.Line($"x = ExitSegment{k}(x);").Line($"logits[{k}] = {Field(k)}.call(x);");
        w.Line($"logits[{plan.Exits.Count}] = ExitSegment{plan.Exits.Count}(x);")
         .Line("for (int k = 0; k < logits.Length; k++) logits[k] = scope.MoveToOuter(logits[k]);")
         .Line("return logits;")
         .Close();
        var segs = string.Join(", ", Enumerable.Range(0, segments).Select(k => "ExitSegment" + k.ToString(Inv)));
        var heads = string.Join(", ", Enumerable.Range(0, plan.Exits.Count).Select(k => Field(k) + ".call"));
        w.Line()
         .Line("/// <summary>")
         .Line("/// Returns at the first exit whose confidence (largest softmax probability) reaches <paramref name=\"threshold\"/>:")
         .Line("/// the logits and, per sample, the index of the exit taken (the last is the model's own output). For inference.")
         .Line("/// </summary>")
         .Line($"public ({tensor} Logits, {tensor} Exit) forward({tensor} x, double threshold, global::ArchDsl.ExitMode mode) =>")
         .Indent()
         .Line($"global::ArchDsl.Layers.EarlyExits.Run(x, threshold, mode, new global::System.Func<{tensor}, {tensor}>[] {{ {segs} }}, new global::System.Func<{tensor}, {tensor}>[] {{ {heads} }});")
         .Dedent();
    }

    /// <summary>
    /// For a model with errors that declares tasks or exits: the enum (with the task names that are usable ones) and the
    /// extra forwards, throwing, so code that calls them gets no errors of its own on top of ArchDsl's.
    /// </summary>
    private static void WriteUnbuiltTaskAndExitSurface(CodeWriter w, Core.Declarations.ModuleDecl d, HashSet<string> taken)
    {
        const string Tensor = "global::TorchSharp.torch.Tensor";
        string thrown = $"throw new global::System.InvalidOperationException({Str(d.Name + " has ArchDsl errors.")})";
        var names = new List<string>();
        bool exits = false;
        foreach (var a in d.Attributes)
        {
            exits |= a.Name == "Exit";
            if (a.Name == "Task" && a.Positional.Count > 0 && a.Positional[0].Text is { } name && Core.Shapes.ExprParser.IsIdentifier(name)
                && CSharpNames.Identifier(name) == name && name != "Task" && !names.Contains(name))
                names.Add(name);
        }
        if (d.Attribute("Task") != null && !taken.Contains("Task") && d.Name != "Task")
        {
            w.Line()
             .Line($"/// <summary>The tasks of {d.Name}. Not built: the model has ArchDsl errors.</summary>")
             .Open("public enum Task");
            foreach (var n in names) w.Line($"/// <summary>The task {n}.</summary>").Line(n + ",");
            w.Close()
             .Line()
             .Line($"/// <summary>Not built: {d.Name} has ArchDsl errors.</summary>")
             .Line($"public {Tensor} forward({Tensor} x, Task task) => {thrown};");
        }
        if (exits && !taken.Contains("ForwardExits"))
            w.Line()
             .Line($"/// <summary>Not built: {d.Name} has ArchDsl errors.</summary>")
             .Line($"public {Tensor}[] ForwardExits({Tensor} x) => {thrown};")
             .Line()
             .Line($"/// <summary>Not built: {d.Name} has ArchDsl errors.</summary>")
             .Line($"public ({Tensor} Logits, {Tensor} Exit) forward({Tensor} x, double threshold, global::ArchDsl.ExitMode mode) => {thrown};");
    }
}
