using System.Collections.Generic;
using System.Globalization;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Layers.Kinds;
using ArchDsl.Core.Reporting;

namespace ArchDsl.Core.Judgement;

/// <summary>
/// The judgement rules (ADSL1xxx) over a model that evaluated without errors. Pure: the generator,
/// tools and tests call this with a plan from <see cref="Evaluator.EvaluateModel"/> and options.
/// </summary>
public static partial class Judge
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static List<Finding> Evaluate(ModelPlan plan, JudgementOptions options, ModelPlan? teacher = null)
    {
        var found = new List<Finding>();
        if (plan.HasErrors) return found;
        var model = plan.Declaration;
        var span = model.Span;
        var accepted = ReadAccepts(model, found);
        void Report(Rule rule, SourceSpan at, params object[] args)
        {
            if (!accepted.Contains(rule.Id)) found.Add(Finding.Of(rule, at, args));
        }

        foreach (var p in options.Problems)
            found.Add(Finding.Of(Rules.BadConfiguration, span, p.Key, p.Value, p.Expected, p.DefaultText));

        found.Add(Finding.Of(Rules.CountsAtAGlance, span, plan.Name, plan.Parameters, plan.Macs, plan.Input.ToString(), plan.Output.ToString()));


        if (plan.Macs > options.MaxMacs)
            Report(Rules.ComputePerSample, span, plan.Name, Units.Count(plan.Macs), Units.Count(plan.Flops), plan.Input.ToString(),
                Units.Count(options.MaxMacs));

        var training = ReadTrainingPlan(model, found);
        bool clustered = false;
        if (training != null)
        {
            double flop = Estimates.TrainingFlop(plan, training);
            string days = Units.Days(Estimates.GpuDays(flop, options.DeviceFlops, options.DeviceUtilization));
            string rate = Units.Count(options.DeviceFlops);
            string util = Units.Percent(options.DeviceUtilization);
            found.Add(Finding.Of(Rules.TrainingEstimate, span, plan.Name, training.Describe() + ActiveNote(plan), Units.Scientific(flop),
                FlopWords(flop), days, rate, util));
            if (flop > options.EuTrainingFlop)
                Report(Rules.TrainingAboveEuThreshold, span, plan.Name, Units.Scientific(flop), Units.Scientific(options.EuTrainingFlop), days, rate, util);
            if (flop > options.FrontierTrainingFlop)
                Report(Rules.TrainingAboveFrontierThreshold, span, plan.Name, Units.Scientific(flop), Units.Scientific(options.FrontierTrainingFlop), days, rate, util);
            clustered = Cluster.Check(plan, training, options, found, accepted);
        }

        if (plan.Parameters > options.MaxParameters)
        {
            // A mixture of experts is large by its total, but trains and runs at the cost of its active parameters.
            string trainingNote = plan.ActiveParameters != plan.Parameters
                ? "; of them " + Units.Count(plan.ActiveParameters) + " are active per token (the experts its routers choose)" : "";
            if (training != null)
            {
                double flop = Estimates.TrainingFlop(plan, training);
                trainingNote += "; its training plan (" + training.Describe() + ActiveNote(plan) + ") needs about " + Units.Scientific(flop) + " FLOP, about " +
                    Units.Days(Estimates.GpuDays(flop, options.DeviceFlops, options.DeviceUtilization)) + " GPU-days at " +
                    Units.Count(options.DeviceFlops) + " FLOP/s and " + Units.Percent(options.DeviceUtilization) + " utilisation";
            }
            Report(Rules.LargeModel, span, plan.Name, plan.Parameters, Units.Count(options.MaxParameters),
                Units.Bytes(Estimates.TrainingStateBytes(plan.Parameters)), trainingNote);
        }

        var budget = ReadMemoryBudget(model, training, options, found);
        if (budget != null)
        {
            var (memory, batch) = budget.Value;
            var t = Estimates.TrainingMemory(plan, batch);
            // On a declared cluster the state is sharded: ADSL1021 judges the fit at each ZeRO stage instead.
            if (t.Total > memory && !clustered)
                Report(Rules.TrainingMemoryOverBudget, span, plan.Name, Units.Bytes(t.Total), batch, Units.Bytes(t.State), Units.Bytes(t.Activations), Units.Bytes(memory));
            var i = Estimates.InferenceMemory(plan, batch);
            if (i.Total > memory)
                Report(Rules.InferenceMemoryOverBudget, span, plan.Name, Units.Bytes(i.Total), batch, Units.Bytes(i.Weights), Units.Bytes(i.Activations), Units.Bytes(memory),
                    i.KvCache > 0 ? ", " + Units.Bytes(i.KvCache) + " KV cache at the declared context" : "");
        }

        CheckHeads(plan, found, accepted);
        CheckLinearOnMaps(plan, found, accepted);
        CheckInsertedProjections(plan, found, accepted);

        if (teacher != null && !teacher.HasErrors && plan.Parameters > 0)
        {
            string sf = Estimates.Family(plan), tf = Estimates.Family(teacher);
            double ratio = (double)teacher.Parameters / plan.Parameters;
            var reasons = new List<string>();
            if (sf != tf) reasons.Add("the families differ (" + tf + " teacher, " + sf + " student)");
            if (ratio > options.MaxCapacityRatio)
                reasons.Add("the teacher has " + ratio.ToString("0.#", Inv) + "× the student's parameters, above the bound of " + options.MaxCapacityRatio.ToString("0.##", Inv) + "×");
            if (reasons.Count > 0)
                Report(Rules.DistillationGap, span, plan.Name, sf, plan.Parameters, teacher.Name, tf, teacher.Parameters,
                    string.Join(" and ", reasons) + "; distillation across such gaps is an open question");
        }
        return found;
    }

    private static string FlopWords(double flop) =>
        flop >= 1e24 ? (flop / 1e24).ToString("0.###", Inv) + " yottaFLOP"
        : flop >= 1e21 ? (flop / 1e21).ToString("0.###", Inv) + " zettaFLOP"
        : flop >= 1e18 ? (flop / 1e18).ToString("0.###", Inv) + " exaFLOP"
        : (flop / 1e15).ToString("0.###", Inv) + " petaFLOP";

    /// <summary>Rule ids accepted with a justification; an [Accept] without one is reported and not honoured.</summary>
    private static HashSet<string> ReadAccepts(ModuleDecl model, List<Finding> found)
    {
        var ids = new HashSet<string>();
        foreach (var a in model.Attributes)
        {
            if (a.Name != "Accept") continue;
            var id = a.Positional.Count > 0 ? a.Positional[0].Text ?? "" : "";
            var why = a.Get("Justification");
            if (Rules.ById(id) is not { IsJudgement: true })
                found.Add(Finding.Of(Rules.AcceptUnknownRule, a.Positional.Count > 0 ? a.Positional[0].Span : a.Span, id, model.Name, Rules.NoSuchJudgementRule));
            else if (why is null || why.Kind != ArgKind.String || string.IsNullOrWhiteSpace(why.Text))
                found.Add(Finding.Of(Rules.AcceptWithoutJustification, a.Span, id, model.Name));
            else
                ids.Add(id);
        }
        return ids;
    }

    private static double? Number(AttributeDecl a, string name)
    {
        var v = a.Get(name);
        if (v is null) return null;
        return v.Kind switch { ArgKind.Int => v.Int, ArgKind.Double => v.Double, _ => double.NaN };
    }

    /// <summary>Where a router leaves experts out, N of 6·N·D is the active count: the estimate says so, with the total.</summary>
    private static string ActiveNote(ModelPlan plan) => plan.ActiveParameters == plan.Parameters ? ""
        : ", N = " + Units.Count(plan.ActiveParameters) + " active of " + Units.Count(plan.Parameters) + " total parameters";

    public static TrainingPlan? ReadTrainingPlan(ModuleDecl model, List<Finding> found)
    {
        var a = model.Attribute("TrainingPlan");
        if (a is null) return null;
        double? samples = Number(a, "Samples"), epochs = Number(a, "Epochs"), tokens = Number(a, "Tokens"), batch = Number(a, "BatchSize");
        string? problem = null;
        foreach (var (name, v) in new[] { ("Samples", samples), ("Epochs", epochs), ("Tokens", tokens), ("BatchSize", batch) })
            if (v is double d && !(d > 0)) problem ??= name + " must be positive";
        if (problem is null)
        {
            if (tokens is not null && (samples is not null || epochs is not null))
                problem = "give either Tokens, or Samples and Epochs, not both";
            else if (tokens is null && (samples is null || epochs is null))
                problem = "give Tokens, or both Samples and Epochs";
        }
        if (problem != null)
        {
            found.Add(Finding.Of(Rules.BadJudgementAttribute, a.Span, model.Name, "[TrainingPlan] " + problem));
            return null;
        }
        return new TrainingPlan(samples ?? 0, epochs ?? 0, tokens ?? 0, (long)(batch ?? 1));
    }

    /// <summary>The memory budget and batch: [MemoryBudget("80GiB", BatchSize = n)], else the configured
    /// device memory; batch from the attribute, else the training plan, else 1.</summary>
    private static (double Memory, long Batch)? ReadMemoryBudget(ModuleDecl model, TrainingPlan? training, JudgementOptions options, List<Finding> found)
    {
        var a = model.Attribute("MemoryBudget");
        long batch = training?.Batch ?? 1;
        if (a is null)
            return options.DeviceMemory is double m ? (m, batch) : null;
        var text = a.Positional.Count > 0 ? a.Positional[0] : null;
        if (text is null || text.Kind != ArgKind.String || !Units.TryParseBytes(text.Text, out var memory))
        {
            found.Add(Finding.Of(Rules.BadJudgementAttribute, text?.Span ?? a.Span, model.Name,
                "[MemoryBudget] " + (text?.Describe() ?? "(nothing)") + " is not a size in bytes; write it as \"80GiB\", \"40GB\" or \"24GiB\""));
            return null;
        }
        if (Number(a, "BatchSize") is double b)
        {
            if (!(b > 0))
            {
                found.Add(Finding.Of(Rules.BadJudgementAttribute, a.Span, model.Name, "[MemoryBudget] BatchSize must be positive"));
                return null;
            }
            batch = (long)b;
        }
        return (memory, batch);
    }

    private static void CheckHeads(ModelPlan plan, List<Finding> found, HashSet<string> accepted)
    {
        if (plan.Tasks.Count > 0) CheckTasks(plan, found, accepted);
        CheckChainedHeads(plan, found, accepted);
        var restoration = new List<LayerNode>();
        var recognition = new List<LayerNode>();
        var resolutions = new List<TaskHeads.HeadResolution>();
        LayerNode? embedding = null;
        foreach (var node in Estimates.All(plan.Layers))
        {
            if (node.Spec is PositionalEmbeddingKind.Spec && embedding is null && !InsideHead(plan.Layers, node)) embedding = node;
            if (node.HeadTask is not string task) continue;
            resolutions.Add(new TaskHeads.HeadResolution(node.Path, task, HeadResolution(node)));
            var at = node.Member?.Span ?? plan.Declaration.Span;
            if (node.Depth > 0) at = plan.Declaration.Span; // a head inside a block is reported on the model using it
            var input = node.Input;
            if (TaskHeads.IsDense(task) && input.Rank < 2)
                Add(found, accepted, Rules.DenseHeadWithoutMap, at, node.Path, task, "a feature vector " + input);
            else if (task == TaskHeads.Classification && input.Rank >= 2)
                AddWithData(found, accepted, Rules.ClassificationHeadOnMap, at, new[] { Finding.InputLayoutProperty, input.Rank == 3 ? "Image" : "Tokens" },
                    node.Path, (input.Rank == 3 ? "a C×H×W map " : "a token sequence ") + input);
            if (TaskHeads.Restoration.Contains(task)) restoration.Add(node);
            else if (TaskHeads.Recognition.Contains(task)) recognition.Add(node);
        }
        if (embedding != null && TaskHeads.ConflictingResolutions(resolutions) is string heads)
            Add(found, accepted, Rules.HeadResolutionsShareEmbedding, plan.Declaration.Span, plan.Name, heads, embedding.Path,
                ((PositionalEmbeddingKind.Spec)embedding.Spec!).Tokens.Value.ToString(Inv),
                plan.Input.ToString());
        if (restoration.Count == 0 || recognition.Count == 0) return;
        // Task-specific head (and tail) modules: every head is a block instance, not a single layer.
        bool allBlocks = true;
        foreach (var n in restoration) allBlocks &= n.Children.Count > 0;
        foreach (var n in recognition) allBlocks &= n.Children.Count > 0;
        if (allBlocks) return;
        AddWithData(found, accepted, Rules.ConflictingHeads, plan.Declaration.Span, MovableHeads(plan) is string movable ? new[] { Finding.HeadsProperty, movable } : null,
            plan.Name, Names(restoration), Names(recognition));
    }

    /// <summary>
    /// The conflicting single-layer heads as "member:Layout;..." when every one is a member of the model itself
    /// (what the "own head block" fix can move); null when one lies inside a block or has an input it cannot wrap.
    /// </summary>
    private static string? MovableHeads(ModelPlan plan)
    {
        var parts = new List<string>();
        foreach (var node in Estimates.All(plan.Layers))
        {
            if (node.HeadTask is not string task || node.Children.Count > 0) continue;
            if (!TaskHeads.Restoration.Contains(task) && !TaskHeads.Recognition.Contains(task)) continue;
            if (node.Depth > 0 || node.Member is null) return null;
            var layout = node.Input.Rank switch { 3 => "Image", 2 => "Tokens", 1 => "Vector", _ => null };
            if (layout is null) return null;
            parts.Add(node.Member.Name + ":" + layout);
        }
        return parts.Count == 0 ? null : string.Join(";", parts);
    }

    /// <summary>[Head(..., Resolution = n)]: the input side length the head's task needs; 0 when not declared.</summary>
    private static long HeadResolution(LayerNode node)
    {
        if (node.Member is null) return 0;
        foreach (var a in node.Member.Attributes)
            if (a.Name == "Head" && a.Get("Resolution") is { Kind: ArgKind.Int } r)
                return r.Int;
        return 0;
    }

    /// <summary>Whether a node lies inside a head (a task's own module, not the shared body).</summary>
    private static bool InsideHead(IEnumerable<LayerNode> layers, LayerNode target)
    {
        foreach (var l in layers)
        {
            if (ReferenceEquals(l, target)) return false;
            if (Contains(l.Children, target)) return l.HeadTask != null || InsideHead(l.Children, target);
        }
        return false;
    }

    private static bool Contains(IEnumerable<LayerNode> layers, LayerNode target)
    {
        foreach (var l in layers)
            if (ReferenceEquals(l, target) || Contains(l.Children, target)) return true;
        return false;
    }

    private static string Names(List<LayerNode> heads)
    {
        var parts = new List<string>();
        foreach (var h in heads) parts.Add(h.Path + ": " + h.HeadTask);
        return string.Join(", ", parts);
    }

    /// <summary>
    /// A Linear (or an Mlp, two of them) on a C×H×W map; not a head: ADSL1011 and ADSL1012 judge those. Inside a block
    /// it is reported on the model, as heads are, since the model's shapes put the map there: once per block member,
    /// however many instances a Stage makes.
    /// </summary>
    private static void CheckLinearOnMaps(ModelPlan plan, List<Finding> found, HashSet<string> accepted)
    {
        // Once per block member and model member that holds it: a Stage of 12 gives one warning, two Stages two.
        var reported = new HashSet<(MemberDecl, string)>();
        foreach (var node in Estimates.All(plan.Layers))
        {
            if (node.KindInfo is not { ActsOnLastAxis: true } || node.Input.Rank != 3 || node.Input.ChannelsLast || node.HeadTask != null || InsideHead(plan.Layers, node)) continue;
            int dot = node.Path.IndexOf('.');
            if (node.Member != null && !reported.Add((node.Member, dot < 0 ? node.Path : node.Path.Substring(0, dot)))) continue;
            var at = node.Depth > 0 ? plan.Declaration.Span : node.Member?.Span ?? plan.Declaration.Span;
            Add(found, accepted, Rules.LinearOnMap, at, node.Path, node.Kind, node.Input.ToString(), node.Output.ToString(), node.KindInfo.LastAxisAdvice(node.Input));
        }
    }

    /// <summary>A projection the declaration did not name (no Shortcut): said once per residual as written.</summary>
    private static void CheckInsertedProjections(ModelPlan plan, List<Finding> found, HashSet<string> accepted)
    {
        var reported = new HashSet<MemberDecl>();
        foreach (var node in Estimates.All(plan.Layers))
        {
            if (node.Residual is not { Projects: true } r || node.Member is null || !reported.Add(node.Member)) continue;
            AttributeDecl? residual = null;
            foreach (var a in node.Member.Attributes)
                if (a.Name == "Residual") residual = a;
            if (residual is null || residual.Get("Shortcut") != null) continue;
            var at = node.Depth > 0 ? plan.Declaration.Span : residual.Span;
            string what = r.ProjectionKind == "Sequential" ? "a 1×1 convolution" + (r.Stride.Value == 1 ? "" : " with stride " + r.Stride.Value.ToString(Inv)) + " and batch norm" : "a linear layer";
            Add(found, accepted, Rules.ProjectionInserted, at, node.Path, r.FromShape.ToString(), r.ToShape.ToString(), r.ShortcutName, what, Report.Number(r.Parameters));
        }
    }

    private static void Add(List<Finding> found, HashSet<string> accepted, Rule rule, SourceSpan span, params object[] args) =>
        AddWithData(found, accepted, rule, span, null, args);

    /// <summary><paramref name="data"/>: values for code fixes (<see cref="Finding.Data"/>), or null.</summary>
    private static void AddWithData(List<Finding> found, HashSet<string> accepted, Rule rule, SourceSpan span, string[]? data, params object[] args)
    {
        if (accepted.Contains(rule.Id)) return;
        var finding = Finding.Of(rule, span, args);
        found.Add(data is null ? finding : finding with { Data = new EquatableArray<string>(data) });
    }
}
