namespace ArchDsl.Core.Diagnostics;

// The cluster plan ([TrainingPlan(Devices = n, ...)]); the formulas live in ArchDsl.Core.Judgement.Cluster.
public static partial class Rules
{
    public static readonly Rule ClusterPlan = new("ADSL1019", "Cluster plan figures",
        "Model '{0}' on {1} devices: training state per device {2} at ZeRO stage 0, {3} at stage 1, {4} at stage 2, {5} at stage 3, plus {6} activations at micro-batch {7}; gradient all-reduce {8} per device per step, {9} at {10} against {11} of compute",
        Performance, Severity.Info,
        "Per-device memory of mixed-precision Adam training (2 + 2 + 12 bytes per parameter, sharded as the ZeRO stages define) and the ring all-reduce of the gradients, 2·(n−1)/n × gradient bytes per device per step; see docs/judgement.md.");

    public static readonly Rule CommunicationBound = new("ADSL1020", "Gradient all-reduce takes longer than the step's compute",
        "Model '{0}' on {1} devices: each step's gradient all-reduce moves {2} per device (2·(n−1)/n × {3} of 2-byte gradients), {4} at {5}, longer than the step's {6} of compute ({7} FLOP per device at {8} FLOP/s and {9} utilisation, micro-batch {10} × {11} accumulation steps); {12}",
        Performance, Severity.Warning,
        "When the all-reduce of one step takes longer than its forward and backward passes, no overlap can hide it and the devices wait on the network. Accumulate more micro-batches per step, raise the micro-batch, or use a faster interconnect; ZeRO stages 1 and 2 keep the volume and stage 3 raises it by half (see docs/judgement.md).");

    public static readonly Rule StateFitsNoStage = new("ADSL1021", "Training state fits no device at any ZeRO stage",
        "Model '{0}' does not fit a {1} device on {2} devices at any ZeRO stage: even at stage 3 each device holds {3} of training state ({4} unsharded) and {5} of activations at micro-batch {6}, {7} in all; {8}",
        Performance, Severity.Warning,
        "ZeRO stage 3 shards weights, gradients and optimizer state across the data-parallel devices; activations are not sharded. When even that does not fit, the plan needs more devices, a smaller micro-batch, activation recomputation, or model parallelism.");
}
