using System;
using System.Collections.Generic;
using System.Globalization;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;

namespace ArchDsl.Core.Judgement;

/// <summary>A cluster to train on: data-parallel devices, each with its memory (null: not known), interconnect
/// (bytes per second) and utilisation; the micro-batch per device and the micro-batches per optimizer step.</summary>
public sealed record ClusterPlan(int Devices, double? DeviceMemory, double Bandwidth, double Utilization, long MicroBatch, long AccumulationSteps);

/// <summary>
/// Data-parallel training on a cluster: per-device memory of the training state at the ZeRO stages and the
/// gradient all-reduce per step (ADSL1019-ADSL1021). Formulas and sources in docs/judgement.md.
/// </summary>
public static class Cluster
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // Mixed-precision Adam per parameter (Rajbhandari et al. 2020, ZeRO, arXiv 1910.02054, §3.1): fp16 weights (2),
    // fp16 gradients (2) and K = 12 bytes of optimizer state (fp32 master weights, momentum and variance).
    public const double WeightBytes = 2;
    public const double GradientBytes = 2;
    public const double OptimizerBytes = 12;

    /// <summary>
    /// Training state per device at a ZeRO stage (ZeRO §5, Figure 1): stage 0 keeps everything on every device,
    /// (2 + 2 + K)·Ψ; stage 1 shards the optimizer state, 2Ψ + 2Ψ + KΨ/n; stage 2 also the gradients, 2Ψ + (2 + K)Ψ/n;
    /// stage 3 also the weights, (2 + 2 + K)Ψ/n.
    /// </summary>
    public static double StateBytesPerDevice(double parameters, int devices, int stage)
    {
        if (devices < 1) throw new ArgumentOutOfRangeException(nameof(devices));
        double n = devices;
        return stage switch
        {
            0 => (WeightBytes + GradientBytes + OptimizerBytes) * parameters,
            1 => (WeightBytes + GradientBytes) * parameters + OptimizerBytes * parameters / n,
            2 => WeightBytes * parameters + (GradientBytes + OptimizerBytes) * parameters / n,
            3 => (WeightBytes + GradientBytes + OptimizerBytes) * parameters / n,
            _ => throw new ArgumentOutOfRangeException(nameof(stage)),
        };
    }

    /// <summary>Bytes each device sends (and receives) in a ring all-reduce of the gradients: 2·(n−1)/n × gradient
    /// bytes (a reduce-scatter and an all-gather, each (n−1)/n; Patarasuk and Yuan 2009). ZeRO stages 1 and 2 move the
    /// same volume (a reduce-scatter of gradients, an all-gather of weights); stage 3 moves 1.5× it.</summary>
    public static double AllReduceBytesPerDevice(double parameters, int devices) =>
        2.0 * (devices - 1) / devices * GradientBytes * parameters;

    /// <summary>Forward and backward FLOP of one optimizer step on one device: 6 × MACs per sample × micro-batch ×
    /// accumulation steps (the 6·N·D of the training estimate, D the samples of one device's step).</summary>
    public static double StepFlopPerDevice(ModelPlan plan, ClusterPlan cluster) =>
        6.0 * plan.Macs * cluster.MicroBatch * cluster.AccumulationSteps;

    /// <summary>Activations one device keeps for its backward pass: the judgement's estimate (every layer's output
    /// and attention map, 2 bytes per element, no recomputation) at the micro-batch. ZeRO does not shard them.</summary>
    public static double ActivationBytesPerDevice(ModelPlan plan, ClusterPlan cluster) =>
        Estimates.ActivationElementsPerSample(plan) * Estimates.ActivationBytes * cluster.MicroBatch;

    /// <summary>The cluster of a [TrainingPlan]: null when neither the plan nor the configuration names devices, or
    /// when a value is invalid (reported, ADSL1010 at the argument).</summary>
    public static ClusterPlan? Read(ModuleDecl model, TrainingPlan training, JudgementOptions options, List<Finding> found)
    {
        var a = model.Attribute("TrainingPlan");
        if (a is null) return null;
        bool bad = false;
        void Problem(ArgValue v, string what)
        {
            found.Add(Finding.Of(Rules.BadJudgementAttribute, v.Span, model.Name, "[TrainingPlan] " + what));
            bad = true;
        }
        double? Positive(string name, string unit, bool whole, double max = double.MaxValue)
        {
            var v = a.Get(name);
            if (v is null) return null;
            double d = v.Kind switch { ArgKind.Int => v.Int, ArgKind.Double => v.Double, _ => double.NaN };
            if (!(d > 0) || d > max || whole && Math.Floor(d) != d)
                Problem(v, name + " = " + v.Describe() + " must be " + unit);
            return d;
        }

        double? devices = Positive("Devices", "a whole number of devices, 1 or more", true, int.MaxValue);
        double? bandwidth = Positive("Bandwidth", "a positive rate in GB/s", false);
        double? utilization = Positive("Utilization", "a fraction above 0 and at most 1 (0.4 for 40%)", false, 1);
        double? steps = Positive("AccumulationSteps", "a whole number of micro-batches, 1 or more", true, int.MaxValue);
        double? memory = null;
        if (a.Get("DeviceMemory") is { } m)
        {
            if (m.Kind == ArgKind.String && Units.TryParseBytes(m.Text, out var bytes)) memory = bytes;
            else Problem(m, "DeviceMemory = " + m.Describe() + " is not a size in bytes; write it as \"80GiB\", \"40GB\" or \"24GiB\"");
        }
        if (bad) return null;

        if (devices is null && options.Devices is double configured)
        {
            if (Math.Floor(configured) != configured || configured > int.MaxValue)
            {
                found.Add(Finding.Of(Rules.BadConfiguration, model.Span, JudgementOptions.DevicesSpec.EditorConfigKey,
                    configured.ToString("R", Inv), "whole number of devices", JudgementOptions.DevicesSpec.DefaultText));
                return null;
            }
            devices = configured;
        }
        if (devices is null) return null;

        // The device's memory: the plan's, else the model's memory budget, else the configured device memory.
        if (memory is null && model.Attribute("MemoryBudget") is { } budget && budget.Positional.Count > 0 &&
            budget.Positional[0] is { Kind: ArgKind.String } text && Units.TryParseBytes(text.Text, out var b))
            memory = b;
        memory ??= options.DeviceMemory;

        return new ClusterPlan((int)devices.Value, memory, (bandwidth ?? options.InterconnectBandwidth) * 1e9,
            utilization ?? options.DeviceUtilization, training.Batch, (long)(steps ?? 1));
    }

    /// <summary>ADSL1019 (the figures), ADSL1020 (communication-bound step), ADSL1021 (no stage fits). False when the
    /// model declares no cluster (or an invalid one).</summary>
    public static bool Check(ModelPlan plan, TrainingPlan training, JudgementOptions options, List<Finding> found, ISet<string> accepted)
    {
        var model = plan.Declaration;
        var cluster = Read(model, training, options, found);
        if (cluster is null) return false;
        var span = model.Span;
        double psi = plan.Parameters;
        int n = cluster.Devices;
        double act = ActivationBytesPerDevice(plan, cluster);
        double volume = AllReduceBytesPerDevice(psi, n);
        double commSeconds = volume / cluster.Bandwidth;
        double flop = StepFlopPerDevice(plan, cluster);
        double rate = options.DeviceFlops * cluster.Utilization;
        double computeSeconds = flop / rate;
        string bandwidth = (cluster.Bandwidth / 1e9).ToString("0.##", Inv) + " GB/s";

        found.Add(Finding.Of(Rules.ClusterPlan, span, plan.Name, n,
            Units.Bytes(StateBytesPerDevice(psi, n, 0)), Units.Bytes(StateBytesPerDevice(psi, n, 1)),
            Units.Bytes(StateBytesPerDevice(psi, n, 2)), Units.Bytes(StateBytesPerDevice(psi, n, 3)),
            Units.Bytes(act), cluster.MicroBatch.ToString("N0", Inv), Units.Bytes(volume), Seconds(commSeconds), bandwidth, Seconds(computeSeconds)));

        if (n > 1 && commSeconds > computeSeconds && !accepted.Contains(Rules.CommunicationBound.Id))
        {
            // Compute grows with the accumulation steps, the all-reduce does not: the steps that balance the two. A model
            // without multiply-accumulates (a lookup table alone) has no such number.
            double balanced = Math.Ceiling(cluster.AccumulationSteps * commSeconds / computeSeconds);
            string remedy = (balanced < long.MaxValue ? "accumulate at least " + ((long)balanced).ToString("N0", Inv) + " micro-batches per step (AccumulationSteps), "
                    : "accumulate more micro-batches per step (AccumulationSteps), ")
                + "raise the micro-batch (ZeRO stages 1-2 keep this volume and free memory for it; stage 3 moves 1.5× it), or use a faster interconnect";
            found.Add(Finding.Of(Rules.CommunicationBound, span, plan.Name, n, Units.Bytes(volume), Units.Bytes(GradientBytes * psi),
                Seconds(commSeconds), bandwidth, Seconds(computeSeconds), Units.Scientific(flop), Units.Count(options.DeviceFlops),
                Units.Percent(cluster.Utilization), cluster.MicroBatch.ToString("N0", Inv), cluster.AccumulationSteps.ToString("N0", Inv), remedy));
        }

        if (cluster.DeviceMemory is double memory)
        {
            double best = StateBytesPerDevice(psi, n, 3);
            if (best + act > memory && !accepted.Contains(Rules.StateFitsNoStage.Id))
            {
                string advice;
                if (best >= memory)
                {
                    // Stage 3's state alone is (2 + 2 + K)Ψ/n: the devices at which it leaves room for the activations.
                    long needed = (long)Math.Ceiling(StateBytesPerDevice(psi, 1, 3) / Math.Max(memory - act, 1));
                    advice = memory > act
                        ? "the state alone needs at least " + needed.ToString("N0", Inv) + " devices at stage 3; add devices or split the model (tensor or pipeline parallelism)"
                        : "the activations alone exceed the device; lower the micro-batch or recompute activations, and add devices or split the model";
                }
                else advice = "the activations do not fit beside the state; lower the micro-batch, recompute activations (checkpointing), or add devices";
                found.Add(Finding.Of(Rules.StateFitsNoStage, span, plan.Name, Units.Bytes(memory), n, Units.Bytes(best),
                    Units.Bytes(StateBytesPerDevice(psi, n, 0)), Units.Bytes(act), cluster.MicroBatch.ToString("N0", Inv), Units.Bytes(best + act), advice));
            }
        }
        return true;
    }

    /// <summary>"0.552 s", "106 ms", "12.3 µs": three significant digits.</summary>
    public static string Seconds(double s)
    {
        (double v, string unit) = s >= 1 ? (s, " s") : s >= 1e-3 ? (s * 1e3, " ms") : (s * 1e6, " µs");
        return v.ToString(v >= 100 ? "0" : v >= 10 ? "0.#" : "0.##", Inv) + unit;
    }
}
