using System.Collections.Generic;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Evaluation;

/// <summary>How a tensor is laid out, batch dimension aside.</summary>
public enum Layout
{
    /// <summary>C×H×W feature maps.</summary>
    Image,
    /// <summary>N×D token sequences.</summary>
    Tokens,
    /// <summary>D features.</summary>
    Vector,
    /// <summary>H×W×C feature maps, channels last (Swin's blocks; after [Permute(0, 2, 3, 1)]).</summary>
    ChannelsLast,
}

/// <summary>How a residual's shortcut reaches the sum.</summary>
public enum ShortcutMode
{
    /// <summary>The shapes always match: a plain add.</summary>
    Identity,
    /// <summary>The shapes never match: the projection always exists.</summary>
    Projection,
    /// <summary>Depends on the block's arguments: the constructor takes a flag.</summary>
    ByArgument,
}

/// <summary>A residual connection on a layer: output = act(layer(x) + shortcut(input of From)).</summary>
public sealed class ResidualNode
{
    public string From { get; internal set; } = "";
    public string ShortcutName { get; internal set; } = "downsample";
    public ShortcutMode Mode { get; internal set; }
    /// <summary>When the projection exists: never, always, or when one of the shapes' sizes differs at run time.</summary>
    public ShapeTest Condition { get; internal set; } = ShapeTest.Never;
    /// <summary>Concrete evaluation only: whether the shapes differ in this instance.</summary>
    public bool Differs { get; internal set; }
    /// <summary>Add only where the shapes match, else nothing (never a projection).</summary>
    public bool Optional { get; internal set; }
    /// <summary>The projection is registered before the member From names (torchvision's RegNet: proj before f).</summary>
    public bool ShortcutFirst { get; internal set; }
    /// <summary>The member the residual is on (names the flag of an optional one).</summary>
    public string Layer { get; internal set; } = "";
    /// <summary>Concrete evaluation only: whether this instance projects.</summary>
    public bool Projects => Differs && !Optional;
    public Shape FromShape { get; internal set; } = new();
    public Shape ToShape { get; internal set; } = new();
    public Dim Stride { get; internal set; } = Dim.Of(1);
    public long Parameters { get; internal set; }
    public long Buffers { get; internal set; }
    public long Macs { get; internal set; }
    /// <summary>In a [Slimmable] model: the projection that runs every width (a slimmable 1×1 convolution and a
    /// switchable batch norm in a Sequential); null otherwise.</summary>
    public ModuleRecipe? SlimProjection { get; internal set; }
    /// <summary>Counts of the projection in the deploy form where it folds (its batch norm into its convolution's
    /// bias); null where it deploys as it trains.</summary>
    public DeployCounts? Deploy { get; internal set; }
    /// <summary>
    /// The projection's module: for images a 1×1 convolution and batch norm in a <c>Sequential</c> (torchvision's
    /// downsample), otherwise a <c>Linear</c> on the last dimension. Generated code and reports both name it from here.
    /// </summary>
    public string ProjectionKind => ToShape.Rank == 3 ? "Sequential" : "Linear";
    /// <summary>Name of the block constructor's flag for ByArgument: withDownsample (the projection exists), or for an
    /// optional residual skipBn3Residual (the shapes differ, so nothing is added).</summary>
    public string FlagName => Optional ? "skip" + Capital(Layer) + "Residual" : "with" + Capital(ShortcutName);

    /// <summary>"project_bn" → "ProjectBn", "downsample" → "Downsample".</summary>
    private static string Capital(string s)
    {
        var sb = new System.Text.StringBuilder(s.Length);
        foreach (var part in s.Split('_'))
            if (part.Length > 0) sb.Append(char.ToUpperInvariant(part[0])).Append(part, 1, part.Length - 1);
        return sb.Length == 0 ? s : sb.ToString();
    }
}

public enum JoinOp
{
    /// <summary>The earlier value first, then this layer's output, along the channels (maps) or the last axis.</summary>
    Concat,
    /// <summary>Element by element, with broadcasting.</summary>
    Multiply,
    /// <summary>Element by element, of equal shapes: two branches from one value summed.</summary>
    Sum,
}

/// <summary>A join of this layer's output with the input of an earlier member (before the layer's activation).</summary>
public sealed class JoinNode
{
    public JoinOp Op { get; internal set; }
    public string From { get; internal set; } = "";
    public Shape FromShape { get; internal set; } = new();
    /// <summary>Concat: the axis joined, counted without the batch axis.</summary>
    public int Axis { get; internal set; }
}

/// <summary>The arguments a parent passes to one block instance's constructor.</summary>
public sealed class BlockCall
{
    public BlockCall(ModuleDecl block, BlockSignature signature)
    {
        Block = block;
        Signature = signature;
    }

    public ModuleDecl Block { get; }
    public BlockSignature Signature { get; }
    public List<KeyValuePair<string, Dim>> Args { get; } = new();
    /// <summary>Flag values: constants, or conditions over the parent's variables.</summary>
    public List<KeyValuePair<string, ShapeTest>> Flags { get; } = new();
    /// <summary>Activation parameters: an Act member, or the parent's own activation parameter passed on.</summary>
    public List<KeyValuePair<string, ActivationValue>> Activations { get; } = new();
}

/// <summary>A condition on sizes: never, always, or true when any pair of sizes differs (known at run time only).</summary>
public sealed class ShapeTest
{
    public static readonly ShapeTest Never = new(false, null);
    public static readonly ShapeTest Always = new(true, null);

    private ShapeTest(bool constant, List<KeyValuePair<Expr, Expr>>? differences)
    {
        Constant = constant;
        Differences = differences ?? new List<KeyValuePair<Expr, Expr>>();
    }

    public static ShapeTest AnyDiffers(List<KeyValuePair<Expr, Expr>> pairs) => pairs.Count == 0 ? Never : new ShapeTest(false, pairs);

    /// <summary>The value when <see cref="Differences"/> is empty.</summary>
    public bool Constant { get; }
    public IReadOnlyList<KeyValuePair<Expr, Expr>> Differences { get; }
    public bool IsNever => Differences.Count == 0 && !Constant;
    public bool IsAlways => Differences.Count == 0 && Constant;

    public override string ToString() =>
        Differences.Count == 0 ? (Constant ? "always" : "never") : string.Join(" or ", System.Linq.Enumerable.Select(Differences, d => d.Key + " != " + d.Value));
}

/// <summary>One layer (or a composite: stage, block instance) with its shapes and counts.</summary>
public sealed class LayerNode
{
    public string Name { get; internal set; } = "";
    public string Path { get; internal set; } = "";
    public string Kind { get; internal set; } = "";
    public int Depth { get; internal set; }
    public MemberDecl? Member { get; internal set; }
    public AttributeDecl? Attribute { get; internal set; }
    public Shape Input { get; internal set; } = new();
    public Shape Output { get; internal set; } = new();

    /// <summary>Parameters, buffers and MACs of this layer itself (children and shortcut not included).</summary>
    public long OwnParameters { get; internal set; }
    public long OwnBuffers { get; internal set; }
    public long OwnMacs { get; internal set; }
    /// <summary>Of <see cref="OwnParameters"/>, those one input uses (a router picks some experts); null for all.</summary>
    public long? OwnActiveParameters { get; internal set; }
    /// <summary>Own counts in the deploy form where the layer re-parameterises (RepVGG's branches as one convolution);
    /// null where it deploys as it trains.</summary>
    public DeployCounts? OwnDeploy { get; internal set; }
    /// <summary>Deploy form: the layer before it, into which this one folds (a batch norm into its convolution); null
    /// where it does not fold.</summary>
    public LayerNode? FoldsInto { get; internal set; }
    /// <summary>Deploy form: the layer after it, which folds into this one; null where none does.</summary>
    public LayerNode? Absorbs { get; internal set; }

    /// <summary>Counts of the deploy form, children and shortcut included.</summary>
    public DeployCounts Deploy
    {
        get
        {
            var own = OwnDeploy
                ?? (FoldsInto != null ? new DeployCounts(0, 0, 0) : null)
                ?? (Absorbs != null ? KindInfo?.AbsorbingFold(this) : null)
                ?? new DeployCounts(OwnParameters, OwnBuffers, OwnMacs);
            long p = own.Parameters, b = own.Buffers, m = own.Macs;
            if (Residual is { Projects: true } r)
            {
                var d = r.Deploy ?? new DeployCounts(r.Parameters, r.Buffers, r.Macs);
                p = checked(p + d.Parameters); b = checked(b + d.Buffers); m = checked(m + d.Macs);
            }
            foreach (var c in Children)
            {
                var d = c.Deploy;
                p = checked(p + d.Parameters); b = checked(b + d.Buffers); m = checked(m + d.Macs);
            }
            return new DeployCounts(p, b, m);
        }
    }

    /// <summary>It or a layer inside it has a deploy form different from its training form.</summary>
    public bool HasDeployForm
    {
        get
        {
            if (OwnDeploy != null || FoldsInto != null || Residual is { Projects: true, Deploy: not null }) return true;
            foreach (var c in Children) if (c.HasDeployForm) return true;
            return false;
        }
    }

    /// <summary>The kind that evaluated this node; null for a block instance (a child of Stage or Use).</summary>
    public LayerKind? KindInfo { get; internal set; }
    /// <summary>The module the layer creates, as data (null for composites and block instances).</summary>
    public ModuleRecipe? Recipe { get; internal set; }
    /// <summary>The kind's typed hyperparameters where judgement or estimates read them (e.g. attention heads).</summary>
    public object? Spec { get; internal set; }
    /// <summary>How much the layer shrinks the map (a shortcut from before it must stride as much).</summary>
    public Dim Stride { get; internal set; } = Dim.Of(1);
    /// <summary>Stage and Use, and block instances: the block's full and simple names.</summary>
    public string? BlockFullName { get; internal set; }
    public string? BlockName { get; internal set; }
    /// <summary>Input = nameof(m): the member whose input this layer reads instead of the running value; null otherwise.</summary>
    public string? InputFrom { get; internal set; }
    /// <summary>Use of a block with a skip input: the member whose input it receives (or the enclosing block's own skip).</summary>
    public string? SkipFrom { get; internal set; }
    /// <summary>Stage: the children's names, with {i} for the index.</summary>
    public IndexPattern NamePattern { get; internal set; } = new("", 0, "");
    /// <summary>The state_dict path where it differs from the member's name ("features.0.0"); null otherwise.</summary>
    public string? Key { get; internal set; }
    /// <summary>Stage only: each block's path ("features.{i+2}"); the stage itself then has none.</summary>
    public IndexPattern? KeyPattern { get; internal set; }
    /// <summary>Inside a block checked on its own: the activation parameter whose value, given at construction, applies
    /// after the layer (instead of <see cref="Activation"/>).</summary>
    public string? ActivationParameter { get; internal set; }
    /// <summary>Activation applied after the layer (and after a residual add): ReLU, GELU, ... or null.</summary>
    public string? Activation { get; internal set; }
    public string? HeadTask { get; internal set; }

    public List<LayerNode> Children { get; } = new();
    public ResidualNode? Residual { get; internal set; }
    public JoinNode? Join { get; internal set; }
    /// <summary>Set on block-instance nodes (children of Stage and Use).</summary>
    public BlockCall? Call { get; internal set; }
    /// <summary>Stages in a block: the repeat count as an expression (a loop in generated code).</summary>
    public Dim Count { get; internal set; } = Dim.Of(1);

    public long Parameters
    {
        get
        {
            long n = OwnParameters + (Residual is { Projects: true } r ? r.Parameters : 0);
            foreach (var c in Children) n = checked(n + c.Parameters);
            return n;
        }
    }

    /// <summary>Parameters one input uses: <see cref="Parameters"/> less the experts a router leaves out.</summary>
    public long ActiveParameters
    {
        get
        {
            long n = (OwnActiveParameters ?? OwnParameters) + (Residual is { Projects: true } r ? r.Parameters : 0);
            foreach (var c in Children) n = checked(n + c.ActiveParameters);
            return n;
        }
    }

    public long Buffers
    {
        get
        {
            long n = OwnBuffers + (Residual is { Projects: true } r ? r.Buffers : 0);
            foreach (var c in Children) n = checked(n + c.Buffers);
            return n;
        }
    }

    public long Macs
    {
        get
        {
            long n = OwnMacs + (Residual is { Projects: true } r ? r.Macs : 0);
            foreach (var c in Children) n = checked(n + c.Macs);
            return n;
        }
    }
}

/// <summary>What a block's constructor takes, derived from the block's declaration alone.</summary>
/// <remarks>Read-only once derived: one signature is shared by every plan (and thread) that uses its block.</remarks>
public sealed class BlockSignature
{
    internal readonly List<string> InputList = new();
    internal readonly List<KeyValuePair<string, long?>> ParameterList = new();
    internal readonly List<string> FlagList = new();
    internal readonly List<KeyValuePair<string, string>> ActivationList = new();
    internal readonly Dictionary<string, string> UsedByMap = new();

    public string BlockName { get; internal set; } = "";
    /// <summary>The name of the block's skip input ([Block(Skip = "skip")]), or null: its forward takes one input.</summary>
    public string? Skip { get; internal set; }
    /// <summary>An expression of the block does not parse: the parameters it names are missing from the list.</summary>
    public bool ParametersIncomplete { get; internal set; }
    public Layout Layout { get; internal set; }
    /// <summary>Input dimensions the block's expressions use (inChannels, inHeight, ..., then skipChannels, ...), in layout order.</summary>
    public IReadOnlyList<string> Inputs => InputList;
    /// <summary>Block parameters in order of first use, with their [Param] default if any.</summary>
    public IReadOnlyList<KeyValuePair<string, long?>> Parameters => ParameterList;
    /// <summary>Activation parameters ([Param("act", Act.ReLU)]) with their defaults, in declaration order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Activations => ActivationList;
    /// <summary>Flags for residual projections that depend on the arguments.</summary>
    public IReadOnlyList<string> Flags => FlagList;
    /// <summary>Which member's expressions use each parameter (for messages).</summary>
    public IReadOnlyDictionary<string, string> UsedBy => UsedByMap;
}

/// <summary>A model fully evaluated at its declared input: every layer concrete.</summary>
public sealed class ModelPlan
{
    public ModuleDecl Declaration { get; internal set; } = null!;
    /// <summary>[StochasticDepthRamp]: the largest drop probability and whether the last layer reaches it; null without.</summary>
    public (double Max, bool EndsAtMax)? DepthRamp { get; internal set; }
    public string Name => Declaration.Name;
    public Shape Input { get; internal set; } = new();
    public Shape Output { get; internal set; } = new();
    public List<LayerNode> Layers { get; } = new();
    public List<Finding> Findings { get; } = new();
    public bool HasErrors { get; internal set; }
    public long Parameters { get; internal set; }
    /// <summary>Parameters one token uses: <see cref="Parameters"/> less the experts its routers leave out.</summary>
    public long ActiveParameters { get; internal set; }
    public long Buffers { get; internal set; }
    public long Macs { get; internal set; }
    public long Flops => checked(2 * Macs);
    /// <summary>Counts of the deploy form where a layer re-parameterises; null where the model deploys as it trains.</summary>
    public DeployCounts? Deploy { get; internal set; }
    /// <summary>[Task] paths around a shared body, in declaration order; empty for a single-path model.</summary>
    public List<TaskPath> Tasks { get; } = new();
    /// <summary>[Exit] classifiers in forward order; empty without early exits.</summary>
    public List<ExitPoint> Exits { get; } = new();
    /// <summary>[Slimmable]: the widths and the counts at each; null for a model of one width.</summary>
    public SlimPlan? Slim { get; internal set; }
}

/// <summary>Parameters, buffers and MACs of a deploy form.</summary>
public sealed record DeployCounts(long Parameters, long Buffers, long Macs);

/// <summary>A block evaluated symbolically: the layers' arguments as expressions of its parameters.</summary>
public sealed class BlockPlan
{
    public ModuleDecl Declaration { get; internal set; } = null!;
    public BlockSignature Signature { get; internal set; } = new();
    public List<LayerNode> Layers { get; } = new();
    public List<Finding> Findings { get; } = new();
    public bool HasErrors { get; internal set; }
}
