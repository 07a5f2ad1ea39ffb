using System;
using System.Diagnostics;

namespace ArchDsl;

// Attributes read by the build-time judgement (ADSL1xxx, reported by the generator). They change nothing in the
// generated module; they declare intent (a training plan, a memory budget, task heads, a teacher) or
// record a reviewed decision (an opt-out with its justification).

/// <summary>
/// The task a head serves. Named <c>TaskKind</c> rather than <c>Task</c> so it does not clash with
/// System.Threading.Tasks.Task under implicit usings.
/// </summary>
public enum TaskKind
{
    /// <summary>One label per image: needs a feature vector (pooled, flattened, or a selected token).</summary>
    Classification,
    /// <summary>Boxes and labels: dense prediction.</summary>
    Detection,
    /// <summary>A label per pixel: dense prediction.</summary>
    Segmentation,
    /// <summary>Depth per pixel: dense prediction.</summary>
    Depth,
    /// <summary>Image restoration: a higher-resolution image.</summary>
    SuperResolution,
    /// <summary>Image restoration: noise removed.</summary>
    Denoising,
    /// <summary>Image restoration: rain streaks removed.</summary>
    Deraining,
    /// <summary>Image restoration: blur removed.</summary>
    Deblurring,
    /// <summary>Image restoration: haze removed.</summary>
    Dehazing,
    /// <summary>Image restoration: missing regions filled in.</summary>
    Inpainting,
    /// <summary>Image restoration: low-light images enhanced.</summary>
    LowLightEnhancement,
}

/// <summary>Marks a layer (or block instance) as a head serving a task; the generator checks what reaches it (ADSL1011, ADSL1012, ADSL1013, ADSL1015).</summary>
[AttributeUsage(AttributeTargets.Field, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class HeadAttribute : Attribute
{
    /// <param name="task">The task this head serves.</param>
    public HeadAttribute(TaskKind task) => Task = task;

    /// <summary>The task this head serves.</summary>
    public TaskKind Task { get; }
    /// <summary>
    /// Side length of the input images this task needs (e.g. 48 for IPT's 48×48 restoration patches,
    /// 224 for classification), optional. Heads needing different resolutions on a body with a learned,
    /// fixed-length positional embedding are reported (ADSL1015).
    /// </summary>
    public int Resolution { get; set; }
}

/// <summary>
/// How the model will be trained: either <see cref="Samples"/> and <see cref="Epochs"/> (images), or
/// <see cref="Tokens"/>. The judgement estimates training compute from it (ADSL1003-ADSL1005).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class TrainingPlanAttribute : Attribute
{
    /// <summary>Training samples per epoch (e.g. 1_281_167 for ImageNet-1k).</summary>
    public long Samples { get; set; }
    /// <summary>Passes over the samples.</summary>
    public double Epochs { get; set; }
    /// <summary>Training tokens in total (e.g. 2e12); use instead of samples and epochs.</summary>
    public double Tokens { get; set; }
    /// <summary>Samples per step, used by the memory estimate (default 1). With <see cref="Devices"/>: the samples
    /// each device takes per forward and backward pass (the micro-batch); a sample is one input of the declared
    /// shape, for a language model one sequence at the declared context.</summary>
    public int BatchSize { get; set; }

    // The cluster (ADSL1019-ADSL1021, docs/judgement.md "Planning the cluster"). Each of these, when set, wins over
    // the .editorconfig key and the MSBuild property of the same meaning.

    /// <summary>Data-parallel devices (e.g. 64). Declaring it turns on the cluster judgement: per-device training
    /// state at ZeRO stages 0-3 and the gradient all-reduce per step.</summary>
    public int Devices { get; set; }
    /// <summary>Memory of one device, e.g. "80GiB" (default: [MemoryBudget], else archdsl.memory.device_memory).</summary>
    public string? DeviceMemory { get; set; }
    /// <summary>Interconnect bandwidth per device in GB/s (10^9 bytes per second; default 50, one 400 Gb/s link).</summary>
    public double Bandwidth { get; set; }
    /// <summary>Model FLOP utilisation of each device, in (0, 1] (default archdsl.training.device_utilization, 40%).</summary>
    public double Utilization { get; set; }
    /// <summary>Micro-batches per optimizer step (gradient accumulation; default 1). Gradients are reduced once per step.</summary>
    public int AccumulationSteps { get; set; }
}

/// <summary>
/// The memory of the device the model must train and run on, e.g. "80GiB". The generator warns when the
/// training or inference estimate exceeds it (ADSL1006, ADSL1007).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class MemoryBudgetAttribute : Attribute
{
    /// <param name="memory">A size: "80GiB", "40GB", "24GiB".</param>
    public MemoryBudgetAttribute(string memory) => Memory = memory;

    /// <summary>The device memory as written.</summary>
    public string Memory { get; }
    /// <summary>Batch for the estimates (default: the training plan's batch, else 1).</summary>
    public int BatchSize { get; set; }
}

/// <summary>Names the model this one is distilled from (ADSL1014 compares families and sizes).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class TeacherAttribute : Attribute
{
    /// <param name="teacher">A class marked [Model].</param>
    public TeacherAttribute(Type teacher) => Teacher = teacher;

    /// <summary>The teacher model.</summary>
    public Type Teacher { get; }
}

/// <summary>
/// Accepts one judgement finding for this model, with the reason: [Accept("ADSL1001", Justification = "...")].
/// Without a non-empty justification the opt-out is reported (ADSL1009) and ignored.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class AcceptAttribute : Attribute
{
    /// <param name="ruleId">The rule accepted, e.g. "ADSL1001".</param>
    public AcceptAttribute(string ruleId) => RuleId = ruleId;

    /// <summary>The rule accepted.</summary>
    public string RuleId { get; }
    /// <summary>Why the finding is acceptable for this model.</summary>
    public string? Justification { get; set; }
}
