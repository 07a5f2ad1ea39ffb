using System.Collections.Generic;
using System.Linq;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;

namespace ArchDsl.Core.Judgement;

// Judgement of [Task] models and of [Head]s written one after another.
public static partial class Judge
{
    /// <summary>
    /// ADSL1013 for [Task] models: their heads and tails are task-specific by construction, and the body is shared
    /// whatever they are, so the warning is about the mix of families alone (restoration with recognition).
    /// </summary>
    private static void CheckTasks(ModelPlan plan, List<Finding> found, HashSet<string> accepted)
    {
        var restoration = plan.Tasks.Where(t => TaskHeads.Restoration.Contains(t.Kind)).Select(t => t.Name + ": " + t.Kind).ToList();
        var recognition = plan.Tasks.Where(t => TaskHeads.Recognition.Contains(t.Kind)).Select(t => t.Name + ": " + t.Kind).ToList();
        if (restoration.Count == 0 || recognition.Count == 0) return;
        Add(found, accepted, Rules.ConflictingHeads, plan.Declaration.Span, plan.Name, string.Join(", ", restoration), string.Join(", ", recognition));
    }

    /// <summary>
    /// ADSL1022: a [Head] that runs after a dense-prediction [Head] (not inside it) receives that head's output. Reported
    /// at the later head's [Head] attribute, once per head, naming the nearest dense head before it.
    /// </summary>
    private static void CheckChainedHeads(ModelPlan plan, List<Finding> found, HashSet<string> accepted)
    {
        LayerNode? dense = null;
        foreach (var node in Estimates.All(plan.Layers))
        {
            if (node.HeadTask is not string task) continue;
            if (dense != null && !Contains(dense.Children, node))
            {
                var at = node.Depth == 0 && node.Member?.Attributes.FirstOrDefault(a => a.Name == "Head") is { } head ? head.Span : plan.Declaration.Span;
                Add(found, accepted, Rules.ChainedHeads, at, node.Path, task, dense.HeadTask!, dense.Path);
            }
            if (TaskHeads.IsDense(task)) dense = node;
        }
    }
}
