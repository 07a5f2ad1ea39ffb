using System.Collections.Generic;
using System.Linq;
using System.Text;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Reporting;

namespace ArchDsl.Cli.Export;

// The model forms beside the plain forward, written as the generated TorchSharp module behaves:
// [Task] (a Task enum, forward(x, task)), [Exit] (the exits ModuleList, forward_exits, forward(x, threshold, mode)) and
// [Slimmable] (WIDTHS, set_width). The layers themselves are rendered as for any model.
internal static partial class PyTorchExporter
{
    /// <summary>The counts of each task, exit or width, for the module's docstring (empty for a plain model).</summary>
    static string FormSummary(ModelPlan plan)
    {
        var sb = new StringBuilder();
        foreach (var t in plan.Tasks)
            sb.Append("Task ").Append(t.Name).Append(": ").Append(Report.Number(t.Parameters)).Append(" parameters, ")
              .Append(Report.Number(t.Macs)).Append(" multiply-accumulates per sample; output ").Append(t.Output.ToString()).Append('\n');
        var exits = ExitCounts(plan);
        for (int k = 0; k < exits.Count; k++)
            sb.Append("Exit ").Append(k.ToString(Inv)).Append(" (").Append(k < plan.Exits.Count ? "after " + plan.Exits[k].After : "the model's output")
              .Append("): ").Append(Report.Number(exits[k].Parameters)).Append(" parameters, ").Append(Report.Number(exits[k].Macs))
              .Append(" multiply-accumulates per sample, the exits before it included\n");
        if (plan.Slim is { } slim)
            for (int i = 0; i < slim.Widths.Count; i++)
                sb.Append("Width ").Append(Real(slim.Widths[i])).Append(": ").Append(Report.Number(slim.Parameters[i])).Append(" parameters used, ")
                  .Append(Report.Number(slim.Macs[i])).Append(" multiply-accumulates per sample\n");
        return sb.ToString();
    }

    /// <summary>To each exit, the model's own output last: parameters used and MACs (the generated Exit{k} constants).</summary>
    static List<(long Parameters, long Macs)> ExitCounts(ModelPlan plan)
    {
        var counts = new List<(long, long)>();
        if (plan.Exits.Count == 0) return counts;
        long macs = plan.Macs;
        foreach (var e in plan.Exits)
        {
            counts.Add((e.ParametersToExit, e.MacsToExit));
            macs = checked(macs + e.Macs);   // every exit ran and none was confident
        }
        counts.Add((plan.Parameters, macs));
        return counts;
    }

    /// <summary>The class attributes of tasks, exits and widths (the generated constants), after the plain ones.</summary>
    static void FormConstants(Py w, ModelPlan plan, Context ctx)
    {
        if (plan.Tasks.Count > 0)
        {
            ctx.UsesEnum = true;
            w.Line()
             .Line("class Task(enum.IntEnum):").In()
             .Line($"\"\"\"The tasks, as declared with [Task] (the generated module's Task enum): forward(x, task) runs one.\"\"\"");
            for (int i = 0; i < plan.Tasks.Count; i++) w.Line($"{plan.Tasks[i].Name} = {i.ToString(Inv)}");
            w.Out()
             .Line()
             .Line($"TASK_PARAMETER_COUNTS = {{{string.Join(", ", plan.Tasks.Select(t => $"{Str(t.Name)}: {t.Parameters.ToString(Inv)}"))}}}")
             .Line($"TASK_MACS = {{{string.Join(", ", plan.Tasks.Select(t => $"{Str(t.Name)}: {t.Macs.ToString(Inv)}"))}}}")
             .Line($"TASK_OUTPUT_SHAPES = {{{string.Join(", ", plan.Tasks.Select(t => $"{Str(t.Name)}: {Tuple(t.Output.Values())}"))}}}");
        }
        var exits = ExitCounts(plan);
        if (exits.Count > 0)
            w.Line()
             .Line($"EXIT_COUNT = {exits.Count.ToString(Inv)}")
             .Line($"EXIT_PARAMETER_COUNTS = {Tuple(exits.Select(e => e.Parameters))}")
             .Line($"EXIT_MACS = {Tuple(exits.Select(e => e.Macs))}");
        if (plan.Slim is { } slim)
            w.Line()
             .Line($"WIDTHS = ({string.Join(", ", slim.Widths.Select(Real))}{(slim.Widths.Count == 1 ? "," : "")})")
             .Line($"WIDTH_PARAMETER_COUNTS = {Tuple(slim.Parameters)}")
             .Line($"WIDTH_MACS = {Tuple(slim.Macs)}");
    }

    /// <summary>In __init__ after the layers: the exits (registered after them, as the generated module's last field)
    /// and the width a slimmable model starts at (the widest).</summary>
    static void FormConstruction(Py w, ModelPlan plan, Context ctx)
    {
        if (plan.Exits.Count > 0)
        {
            ctx.UsesRuntime = true;
            w.Line("self.exits = nn.ModuleList([").In();
            foreach (var e in plan.Exits)
                w.Line($"{LayersModule}.ExitHead({e.Features.ToString(Inv)}, {e.Classes.ToString(Inv)}, pool={(e.Pools ? "True" : "False")}, device=device, dtype=dtype),");
            w.Out().Line("])");
        }
        if (plan.Slim is { } slim) w.Line($"self.width = {Real(slim.Widths[slim.Widths.Count - 1])}");
    }

    /// <summary>The model's forwards: that of a plain model (as a block's), or those of a model with tasks or exits; and a
    /// slimmable model's set_width.</summary>
    static void FormForwards(Py w, ModelPlan plan, Context ctx)
    {
        bool keyed = Keyed(plan.Layers);
        // The core refuses tasks with exits in one model, so at most one of the two forward forms is written.
        if (!TaskOrExitForwards(w, plan, keyed, ctx)) Forward(w, plan.Layers, concrete: true, ctx);
        if (plan.Slim != null)
        {
            // Widths are a switch beside whichever forward the model has.
            ctx.UsesRuntime = true;
            w.Line()
             .Line("def set_width(self, width):").In()
             .Line("\"\"\"Runs the model at width, one of WIDTHS, from the same weights (no rebuild).\"\"\"")
             .Line($"{LayersModule}.set_width(self, self.WIDTHS, width)")
             .Line("self.width = width").Out();
        }
    }

    static bool TaskOrExitForwards(Py w, ModelPlan plan, bool keyed, Context ctx)
    {
        if (plan.Tasks.Count > 0)
        {
            var first = plan.Tasks[0];
            w.Line("def forward(self, x, task=None):").In()
             .Line($"\"\"\"Runs one task (the first declared, {first.Name}, when none is given): its head, the shared body, its tail.\"\"\"")
             .Line($"task = self.Task.{first.Name} if task is None else self.Task(task)");
            TaskSwitch(w, plan, t => t.Head, keyed, ctx);
            Statements(w, TaskParts.Body(plan), keyed, concrete: true, ctx);
            TaskSwitch(w, plan, t => t.Tail, keyed, ctx);
            w.Line("return x").Out();
            return true;
        }
        if (plan.Exits.Count > 0)
        {
            int segments = plan.Exits.Count + 1;
            w.Line("def forward(self, x, threshold=None, mode=\"per_batch\"):").In()
             .Line("\"\"\"Without a threshold the model's own output, no exit run. With one, the logits of the first exit whose")
             .Line("confidence (largest softmax probability) reaches it and, per sample, the index of the exit taken (the last is")
             .Line("the model's own output); mode is \"per_batch\" (the whole batch returns where every sample is confident) or")
             .Line("\"per_sample\". Thresholded, for inference.")
             .Line("\"\"\"")
             .Line("if threshold is not None:").In()
             .Line($"segments = [{string.Join(", ", Enumerable.Range(0, segments).Select(k => "self.exit_segment" + k.ToString(Inv)))}]")
             .Line($"return {LayersModule}.run_exits(x, threshold, mode, segments, list(self.exits))").Out();
            Statements(w, plan.Layers, keyed, concrete: true, ctx);
            w.Line("return x").Out().Line();
            int start = 0;
            for (int k = 0; k < segments; k++)
            {
                int end = k < plan.Exits.Count ? plan.Exits[k].LayerIndex + 1 : plan.Layers.Count;
                w.Line($"def exit_segment{k.ToString(Inv)}(self, x):").In()
                 .Line(k < plan.Exits.Count ? $"\"\"\"The layers up to {plan.Exits[k].After}, where exit {k.ToString(Inv)} reads.\"\"\"" : "\"\"\"The layers after the last exit, to the model's own output.\"\"\"");
                Statements(w, plan.Layers.GetRange(start, end - start), keyed, concrete: true, ctx);
                w.Line("return x").Out().Line();
                start = end;
            }
            w.Line("def forward_exits(self, x):").In()
             .Line("\"\"\"Every exit's logits, the model's own output last (training: a loss on each).\"\"\"")
             .Line("logits = []");
            for (int k = 0; k < plan.Exits.Count; k++)
                w.Line($"x = self.exit_segment{k.ToString(Inv)}(x)")
                 .Line($"logits.append(self.exits[{k.ToString(Inv)}](x))");
            w.Line($"logits.append(self.exit_segment{plan.Exits.Count.ToString(Inv)}(x))")
             .Line("return logits").Out();
            return true;
        }
        return false;
    }

    /// <summary>Each distinct head (or tail) once, under the tasks that share it (as the generated switch).</summary>
    static void TaskSwitch(Py w, ModelPlan plan, System.Func<TaskPath, LayerNode?> part, bool keyed, Context ctx)
    {
        var done = new HashSet<LayerNode>();
        bool firstBranch = true;
        foreach (var t in plan.Tasks)
        {
            if (part(t) is not { } node || !done.Add(node)) continue;
            var tasks = plan.Tasks.Where(u => ReferenceEquals(part(u), node)).Select(u => "self.Task." + u.Name).ToList();
            string test = tasks.Count == 1 ? "task == " + tasks[0] : $"task in ({string.Join(", ", tasks)})";
            w.Line($"{(firstBranch ? "if" : "elif")} {test}:").In();
            Statements(w, new List<LayerNode> { node }, keyed, concrete: true, ctx);
            w.Out();
            firstBranch = false;
        }
    }
}
