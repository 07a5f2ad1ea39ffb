using System.Collections.Generic;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Evaluation;

/// <summary>One [Task]: its head (or none), the shared body and its tail, with the counts of that path.</summary>
public sealed class TaskPath
{
    /// <summary>The enum member's name.</summary>
    public string Name { get; internal set; } = "";
    /// <summary>The TaskKind's name (judgement reads it).</summary>
    public string Kind { get; internal set; } = "";
    public LayerNode? Head { get; internal set; }
    public LayerNode Tail { get; internal set; } = null!;
    public Shape Output { get; internal set; } = new();
    /// <summary>Parameters of head, body and tail.</summary>
    public long Parameters { get; internal set; }
    public long Buffers { get; internal set; }
    /// <summary>MACs per sample of head, body and tail.</summary>
    public long Macs { get; internal set; }
    public AttributeDecl Attribute { get; internal set; } = null!;
}

/// <summary>One [Exit]: a classifier after a top-level member; the counts to it include the exits before it, which
/// ran and were not confident enough.</summary>
public sealed class ExitPoint
{
    /// <summary>The member it follows.</summary>
    public string After { get; internal set; } = "";
    /// <summary>Index in the model's layers of that member.</summary>
    public int LayerIndex { get; internal set; }
    public Shape Input { get; internal set; } = new();
    /// <summary>The input is a C×H×W map, averaged first.</summary>
    public bool Pools { get; internal set; }
    public long Features { get; internal set; }
    public long Classes { get; internal set; }
    /// <summary>The exit's own linear layer.</summary>
    public long Parameters { get; internal set; }
    public long Macs { get; internal set; }
    /// <summary>Layers up to After and the exits up to this one.</summary>
    public long ParametersToExit { get; internal set; }
    public long MacsToExit { get; internal set; }
    public AttributeDecl Attribute { get; internal set; } = null!;
}

/// <summary>The member names a model's tasks and exits read (the generator partitions the layers by them).</summary>
public static class TaskParts
{
    /// <summary>Whether a node is some task's head or tail (not the shared body).</summary>
    public static bool IsTaskPart(ModelPlan plan, LayerNode n)
    {
        foreach (var t in plan.Tasks)
            if (ReferenceEquals(t.Head, n) || ReferenceEquals(t.Tail, n)) return true;
        return false;
    }

    /// <summary>The shared body: the model's layers that are no task's head or tail, in order.</summary>
    public static List<LayerNode> Body(ModelPlan plan)
    {
        var body = new List<LayerNode>(plan.Layers.Count);
        foreach (var n in plan.Layers)
            if (!IsTaskPart(plan, n)) body.Add(n);
        return body;
    }
}
