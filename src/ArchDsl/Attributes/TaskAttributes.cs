using System;
using System.Diagnostics;

namespace ArchDsl;

/// <summary>
/// One task of a multi-task model (IPT): the task's own head (before the shared body) and tail (after it), members
/// of the model. Every member that is no task's head or tail is the shared body. The generated module gets an enum
/// <c>Task</c> with one member per declaration, in order, and <c>forward(x, task)</c>, which runs the task's head,
/// the body and the task's tail; <c>forward(x)</c> runs the first declared task. Counts per task path are generated
/// as <c>{Name}ParameterCount</c> and <c>{Name}Macs</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class TaskAttribute : Attribute
{
    /// <param name="name">The task's name in the generated enum, e.g. "SuperResolution2x".</param>
    /// <param name="kind">What the task does (read by the judgement: restoration and recognition on one body).</param>
    public TaskAttribute(string name, TaskKind kind)
    {
        Name = name;
        Kind = kind;
    }

    /// <summary>The task's name in the generated enum.</summary>
    public string Name { get; }
    /// <summary>What the task does.</summary>
    public TaskKind Kind { get; }
    /// <summary>The member (a layer, or a block by [Use]) that runs before the shared body for this task; without
    /// one the input goes straight into the body.</summary>
    public string? Head { get; set; }
    /// <summary>The member that turns the shared body's output into this task's output (required).</summary>
    public string? Tail { get; set; }
}

/// <summary>
/// A classifier exit after a member of the model: global average pooling (on a C×H×W map) and a linear layer to the
/// model's classes. The generated module gets <c>ForwardExits(x)</c> (every exit's logits, the model's own output
/// last, for training) and <c>forward(x, threshold, mode)</c>, which returns at the first exit whose confidence (the
/// largest softmax probability) reaches the threshold; counts to each exit are generated as <c>ExitMacs</c> and
/// <c>ExitParameterCounts</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
[Conditional("ARCHDSL_KEEP_ATTRIBUTES")]
public sealed class ExitAttribute : Attribute
{
    /// <param name="after">The member after which the exit reads the features (nameof(layer2)).</param>
    public ExitAttribute(string after) => After = after;

    /// <summary>The member after which the exit reads the features.</summary>
    public string After { get; }
}
