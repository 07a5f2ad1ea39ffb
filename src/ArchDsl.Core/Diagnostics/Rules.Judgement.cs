namespace ArchDsl.Core.Diagnostics;

// Judgement of a design that is well formed (ADSL1xxx), reported by the generator
// (generators/ArchDsl.Generators) from the plan it emits. The logic behind each rule lives in ArchDsl.Core.Judgement.
public static partial class Rules
{
    private const string Performance = "Performance";
    private const string Compliance = "Compliance";
    private const string Configuration = "Configuration";

    public static readonly Rule CountsAtAGlance = new("ADSL1000", "Model counts at a glance",
        "Model '{0}': {1} parameters, {2} MACs per sample at input {3} (output {4})", Design, Severity.Info,
        "Parameters and multiply-accumulates of the model at its declared input, as the core counts them, so IDEs and 'dotnet build -v:n' show them without opening generated files.");

    public static readonly Rule LargeModel = new("ADSL1001", "Large model by parameter count",
        "Model '{0}' has {1} trainable parameters, above the large-model threshold of {2}; training it with Adam in mixed precision needs about {3} for weights, gradients and optimizer state (16 bytes per parameter) before activations{4}",
        Design, Severity.Warning,
        "More than 100 M parameters is the working definition of a large model. When the model declares a [TrainingPlan], the message also gives its training-compute estimate. Raise the threshold with archdsl.ADSL1001.max_parameters or <ArchDslMaxParameters>, or accept it per model with [Accept(\"ADSL1001\", Justification = \"...\")].");

    public static readonly Rule ComputePerSample = new("ADSL1002", "High compute per sample",
        "Model '{0}' needs {1} MACs ({2} FLOPs) per sample at input {3}, above the threshold of {4} MACs",
        Performance, Severity.Warning,
        "Multiply-accumulates of one forward pass at the declared input. Configure with archdsl.ADSL1002.max_macs or <ArchDslMaxMacs>.");

    public static readonly Rule TrainingEstimate = new("ADSL1003", "Training compute estimate",
        "Model '{0}' training plan ({1}): about {2} FLOP ({3}), about {4} GPU-days at {5} FLOP/s and {6} utilisation",
        Compliance, Severity.Info,
        "Training compute of the declared [TrainingPlan], estimated as 6·N·D (see docs/judgement.md for what D is for images and for tokens).");

    public static readonly Rule TrainingAboveEuThreshold = new("ADSL1004", "Training compute above the EU AI Act threshold",
        "Model '{0}' training plan needs about {1} FLOP, above {2} FLOP (EU AI Act, Art. 51(2): presumed systemic risk for general-purpose models); about {3} GPU-days at {4} FLOP/s and {5} utilisation",
        Compliance, Severity.Warning,
        "Regulation (EU) 2024/1689 presumes high-impact capabilities for general-purpose models trained with more than 10^25 FLOP. Configure with archdsl.ADSL1004.max_training_flop or <ArchDslEuTrainingFlop>.");

    public static readonly Rule TrainingAboveFrontierThreshold = new("ADSL1005", "Training compute above the California SB 53 frontier threshold",
        "Model '{0}' training plan needs about {1} FLOP, above {2} FLOP (California SB 53 'frontier model'); about {3} GPU-days at {4} FLOP/s and {5} utilisation",
        Compliance, Severity.Warning,
        "California SB 53 (2025) defines a frontier model as one trained with more than 10^26 operations. Configure with archdsl.ADSL1005.max_training_flop or <ArchDslFrontierTrainingFlop>.");

    public static readonly Rule TrainingMemoryOverBudget = new("ADSL1006", "Training memory above the memory budget",
        "Model '{0}' needs about {1} to train at batch {2} ({3} weights, gradients and Adam state at 16 bytes per parameter, {4} activations), above the memory budget of {5}",
        Performance, Severity.Warning,
        "Estimate of mixed-precision Adam training memory without recomputation or sharding; see docs/judgement.md.");

    public static readonly Rule InferenceMemoryOverBudget = new("ADSL1007", "Inference memory above the memory budget",
        "Model '{0}' needs about {1} for inference at batch {2} ({3} weights and buffers at 2 bytes each, {4} peak activations{6}), above the memory budget of {5}",
        Performance, Severity.Warning,
        "Estimate of half-precision inference memory; see docs/judgement.md.");

    public static readonly Rule BadConfiguration = new("ADSL1008", "Invalid ArchDsl configuration value",
        "Configuration '{0}' = '{1}' is not a valid {2}; using the default {3}",
        Configuration, Severity.Warning,
        "Thresholds accept numbers with human units: 100M, 1.5G, 1e25, 989T, 80GiB, 40%.");

    public static readonly Rule AcceptWithoutJustification = new("ADSL1009", "Opt-out without a justification",
        "[Accept(\"{0}\")] on '{1}' needs a non-empty Justification saying why the finding is acceptable; the opt-out is ignored until it has one",
        Design, Severity.Warning,
        "An opt-out records a decision; the justification is what reviewers read.");

    public static readonly Rule BadJudgementAttribute = new("ADSL1010", "Training plan or memory budget is invalid",
        "'{0}': {1}",
        Usage, Severity.Warning,
        "[TrainingPlan] takes Samples and Epochs, or Tokens, all positive, and for a cluster whole Devices and AccumulationSteps from 1, a positive Bandwidth, a Utilization in (0, 1] and a DeviceMemory size; [MemoryBudget] takes a size such as \"80GiB\".");

    public static readonly Rule DenseHeadWithoutMap = new("ADSL1011", "Dense-prediction head has no spatial map",
        "{0}: the {1} head receives {2}, with no spatial map left after global pooling or flattening; place it before the pooling",
        Design, Severity.Error,
        "Segmentation, detection, depth and restoration heads predict per position; they need a C×H×W map or a token sequence.");

    public static readonly Rule ClassificationHeadOnMap = new("ADSL1012", "Classification head fed a spatial map",
        "{0}: the Classification head receives {1}, not a feature vector; add global pooling and flattening (or select a token) before it",
        Design, Severity.Error,
        "A classification head maps one feature vector per sample to class scores.");

    public static readonly Rule AcceptUnknownRule = new("ADSL1016", "Opt-out silences nothing",
        "[Accept(\"{0}\")] on '{1}' silences nothing: {2}",
        Design, Severity.Warning,
        "A mistyped id, or an opt-out on a block, would leave the finding it meant to silence in place without a word.");

    /// <summary>ADSL1016's reasons.</summary>
    public const string NoSuchJudgementRule = "no judgement rule (ADSL1xxx) has that id; check it";
    public const string AcceptOnBlock = "opt-outs apply to models; put it on the model that uses this block";

    public static readonly Rule LinearOnMap = new("ADSL1017", "Last-axis layer fed a C×H×W map",
        "{0}: [{1}] receives the C×H×W map {2} and acts on its last axis alone, giving {3}; {4}",
        Design, Severity.Warning,
        "PyTorch applies a Linear to the last axis of whatever it receives. On a feature map that is the width alone, which in a convolutional network is nearly always a missing Flatten: the model still builds, with other counts and another output shape.");

    public static readonly Rule ProjectionInserted = new("ADSL1018", "Shortcut projection inserted",
        "{0}: the residual's shapes differ ({1} → {2}), so ArchDsl inserts the projection '{3}', {4} with {5} parameters; write Shortcut = \"{3}\" to declare it",
        Design, Severity.Info,
        "Where a residual's shapes differ, a projection is added so that the sum can be formed (torchvision's downsample). It has parameters of its own, so it is said, not invented silently; naming it with Shortcut declares it and ends this note.");

    public static readonly Rule ConflictingHeads = new("ADSL1013", "Restoration and recognition heads share one body",
        "Model '{0}' has restoration heads ({1}) and recognition heads ({2}) on one shared body; joint training of these tasks may conflict",
        Design, Severity.Warning,
        "Published results are mixed (see docs/judgement.md). Reported where a [Head] is a single layer rather than its own head block, and for [Task] models whose tasks mix the two families (the body is shared whatever the heads and tails); accept with a justification where the evidence supports it.");

    public static readonly Rule ChainedHeads = new("ADSL1022", "A task head feeds another task head",
        "{0}: the {1} head receives the output of the {2} head '{3}', which predicts per position: heads written one after another run in sequence, each task's output feeding the next; declare the tasks with [Task(...)] so that forward(x, task) runs one head and tail per task",
        Design, Severity.Warning,
        "[Head] marks a layer for judgement only; the layers of a model run in the order they are written, so a second head reads the first head's output rather than the shared body's. [Task] declares heads and tails around one body, and the generated forward(x, task) runs only the chosen task's (see docs/dsl.md, Tasks).");

    public static readonly Rule DistillationGap = new("ADSL1014", "Teacher and student differ widely",
        "Model '{0}' ({1}, {2} parameters) distils from '{3}' ({4}, {5} parameters): {6}",
        Design, Severity.Info,
        "Distillation across architecture families or across a large capacity gap is an open question; measure it.");

    public static readonly Rule HeadResolutionsShareEmbedding = new("ADSL1015", "Heads need different resolutions but share a fixed-length positional embedding",
        "Model '{0}' has heads that need different input resolutions ({1}) but '{2}' is a learned positional embedding of fixed length {3} tokens, made for input {4}; use interpolated or relative position embeddings, or one model per resolution",
        Design, Severity.Warning,
        "A learned positional embedding has one entry per token of the declared input; an input of another resolution gives another token count. Interpolate the embedding, use relative positions, or build one model per resolution (see docs/judgement.md).");
}
