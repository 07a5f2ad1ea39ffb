using System.Collections.Generic;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Layers;

namespace ArchDsl.Core.Judgement;

/// <summary>
/// Training and memory estimates from an evaluated plan. The assumptions are written out in
/// docs/judgement.md; every figure here is a function of the core's exact counts.
/// </summary>
public static class Estimates
{
    /// <summary>Bytes per parameter for Adam in mixed precision: fp16 weights (2) and gradients (2),
    /// fp32 master weights (4) and two fp32 moments (8). ZeRO paper, arXiv 1910.02054.</summary>
    public const double TrainingBytesPerParameter = 16;

    /// <summary>Bytes per stored activation element (fp16/bf16).</summary>
    public const double ActivationBytes = 2;

    /// <summary>Bytes per weight or buffer element at inference (fp16/bf16).</summary>
    public const double InferenceBytesPerWeight = 2;

    /// <summary>Weights, gradients and Adam state: 16 bytes per parameter.</summary>
    public static double TrainingStateBytes(long parameters) => TrainingBytesPerParameter * parameters;

    /// <summary>
    /// Training compute in FLOP. With tokens: 6·N·D, D = tokens (Kaplan et al. 2020). With samples and
    /// epochs: 6 · MACs per sample · samples · epochs, that is 3 × the forward FLOPs (2 · MACs) for forward
    /// plus backward; for a network whose every weight is used once per position this is 6·N·D with
    /// D = samples × epochs × positions, the form 6·N·D takes for images.
    /// </summary>
    public static double TrainingFlop(ModelPlan plan, TrainingPlan training) =>
        training.Tokens > 0
            ? 6.0 * plan.ActiveParameters * training.Tokens
            : 6.0 * plan.Macs * training.Samples * training.Epochs;

    /// <summary>Device-days to deliver the given FLOP at a rate and utilisation.</summary>
    public static double GpuDays(double flop, double deviceFlops, double utilization) =>
        flop / (deviceFlops * utilization) / 86400.0;

    /// <summary>
    /// Activations kept for the backward pass of one sample, in elements: the output of every layer
    /// (leaf modules), plus the attention probabilities (heads × L × L) of every self-attention layer.
    /// No recomputation, no fusion.
    /// </summary>
    public static double ActivationElementsPerSample(ModelPlan plan)
    {
        double total = 0;
        foreach (var leaf in Leaves(plan.Layers))
        {
            total += leaf.Output.Numel();
            if (leaf.KindInfo != null) total += leaf.KindInfo.ExtraActivationElements(leaf);
        }
        return total;
    }

    /// <summary>Training memory at a batch: 16 B/parameter plus stored activations at 2 B/element.</summary>
    public static (double Total, double State, double Activations) TrainingMemory(ModelPlan plan, long batch)
    {
        double state = TrainingStateBytes(plan.Parameters);
        double act = ActivationElementsPerSample(plan) * ActivationBytes * batch;
        return (state + act, state, act);
    }

    /// <summary>
    /// Inference memory at a batch: weights and buffers at 2 B each, plus the largest input-plus-output
    /// pair of any one layer (what must be live at once when nothing else is kept) at 2 B/element.
    /// </summary>
    public static (double Total, double Weights, double Activations, double KvCache) InferenceMemory(ModelPlan plan, long batch)
    {
        double weights = InferenceBytesPerWeight * (plan.Parameters + plan.Buffers);
        double peak = 0;
        foreach (var leaf in Leaves(plan.Layers))
        {
            double live = leaf.Input.Numel() + leaf.Output.Numel();
            if (live > peak) peak = live;
        }
        double act = peak * ActivationBytes * batch;
        double kv = KvCacheElementsPerSample(plan) * ActivationBytes * batch;
        return (weights + act + kv, weights, act, kv);
    }

    /// <summary>
    /// Keys and values a decoder keeps while it generates, at the declared context: 2 · T · K · h per causal attention
    /// layer (K key/value heads of size h; grouped-query attention keeps K, not H).
    /// </summary>
    public static double KvCacheElementsPerSample(ModelPlan plan)
    {
        double total = 0;
        foreach (var leaf in Leaves(plan.Layers))
            if (leaf.Spec is Layers.Kinds.CausalSelfAttentionKind.Spec s && leaf.Input.Rank == 2)
                total += 2.0 * leaf.Input[0].Value * s.KvHeads.Value * (s.Features.Value / s.Heads.Value);
        return total;
    }

    /// <summary>Layers without children (composites such as stages and block instances are walked).</summary>
    public static IEnumerable<LayerNode> Leaves(IEnumerable<LayerNode> layers)
    {
        foreach (var l in layers)
        {
            if (l.Children.Count == 0) yield return l;
            else
                foreach (var c in Leaves(l.Children)) yield return c;
        }
    }

    /// <summary>Every node, composites included, depth first.</summary>
    public static IEnumerable<LayerNode> All(IEnumerable<LayerNode> layers)
    {
        foreach (var l in layers)
        {
            yield return l;
            foreach (var c in All(l.Children)) yield return c;
        }
    }

    /// <summary>"attention-based" when any layer is self-attention, else "convolutional" when any is a
    /// convolution, else "fully connected".</summary>
    public static string Family(ModelPlan plan)
    {
        bool conv = false;
        foreach (var l in All(plan.Layers))
        {
            if (l.KindInfo?.Category == LayerCategory.Attention) return "attention-based";
            if (l.KindInfo?.Category == LayerCategory.Convolution) conv = true;
        }
        return conv ? "convolutional" : "fully connected";
    }
}

/// <summary>A declared training plan: samples × epochs, or tokens; batch for memory estimates.</summary>
public sealed record TrainingPlan(double Samples, double Epochs, double Tokens, long Batch)
{
    public string Describe() =>
        Tokens > 0
            ? Units.Count(Tokens) + " tokens, D = tokens"
            : Units.Count(Samples) + " samples × " + Epochs.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " epochs, 6 × MACs per sample × samples × epochs";
}
