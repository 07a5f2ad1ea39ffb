using System.Collections.Generic;

namespace ArchDsl.Core.Diagnostics;

public enum Severity { Hidden, Info, Warning, Error }

/// <summary>A diagnostic rule as data. The generator turns these into Roslyn descriptors (the code fixes know them by id);
/// the ids, texts and severities of diagnostics live here only (the suppressor's suppression ids, ADSL9xxx, are its own).</summary>
public sealed class Rule
{
    public Rule(string id, string title, string messageFormat, string category, Severity severity, string description)
    {
        Id = id;
        Title = title;
        MessageFormat = messageFormat;
        Category = category;
        Severity = severity;
        Description = description;
    }

    public string Id { get; }

    /// <summary>A judgement of a well-formed design (ADSL1000 and up), as opposed to a declaration that cannot
    /// be built (ADSL00xx).</summary>
    public bool IsJudgement => string.CompareOrdinal(Id, "ADSL1000") >= 0;

    public string Title { get; }
    public string MessageFormat { get; }
    public string Category { get; }
    public Severity Severity { get; }
    public string Description { get; }
    /// <summary>The rule's page, as a path in the ArchDsl repository. Descriptors carry no help link: the project has
    /// no published address, and a link to a made-up one would be worse than none.</summary>
    public string DocsPath => "docs/diagnostics/" + Id + ".md";
}

/// <summary>Every rule of the project. Ids are ADSL + four digits: 0xxx declarations and shapes
/// (reported by the generator), 1xxx judgement of the design (also reported by the generator, from the plan it emitted).</summary>
public static partial class Rules
{
    private const string Design = "Design";
    private const string Usage = "Usage";

    public static readonly Rule NotPartial = new("ADSL0001", "Model or block must be a partial, top-level, non-generic class",
        "'{0}' must be a partial, top-level, non-generic class so ArchDsl can generate its module{1}", Usage, Severity.Error,
        "The generator adds the constructor, forward pass and counts to the same class, which needs a partial, non-nested, non-generic class without a base class of its own.");

    public static readonly Rule BadArgument = new("ADSL0002", "Layer argument is missing or invalid",
        "{0}: {1}", Usage, Severity.Error,
        "A hyperparameter is missing, has the wrong kind of value, or is out of range.");

    public static readonly Rule BadExpression = new("ADSL0003", "Expression or binding cannot be read",
        "{0}: '{1}' cannot be read: {2}", Usage, Severity.Error,
        "Block parameters are written as integer expressions (\"width * 4\") and bound as \"name = expression, ...\".");

    public static readonly Rule MissingBlockParameter = new("ADSL0004", "Block parameter is never given",
        "{0} needs parameter '{1}' (used by {2}) but it is never given here; add \"{1} = ...\" to the bindings", Usage, Severity.Error,
        "Every identifier a block's expressions use must be bound by the Stage or Use that instantiates it, or have a [Param] default on the block.");

    public static readonly Rule ImpossibleShape = new("ADSL0005", "Layer cannot be applied to its input shape",
        "{0}: {1}", Design, Severity.Error,
        "The layer's output would have a non-positive size: for example a kernel larger than its padded input.");

    public static readonly Rule GroupsMismatch = new("ADSL0006", "Channels not divisible by groups",
        "{0}: {1}", Design, Severity.Error,
        "A grouped convolution needs both its input and output channels divisible by the number of groups.");

    public static readonly Rule HeadsMismatch = new("ADSL0007", "Attention heads do not divide the width",
        "{0}: the width {1} is not divisible by {2} heads; choose a head count that divides {1} (for example {3})", Design, Severity.Error,
        "Multi-head attention splits the width evenly across heads.");

    public static readonly Rule WrongLayout = new("ADSL0008", "Layer does not accept this input layout",
        "{0}: {1} expects {2} input but receives {3}", Design, Severity.Error,
        "Image layers take C×H×W maps, sequence layers take N×D tokens, and vector layers take D features.");

    public static readonly Rule WrongMemberType = new("ADSL0009", "Member type does not match its layer",
        "'{0}' is declared as {1} but [{2}] creates {3}; declare it as {3}", Usage, Severity.Error,
        "The generator assigns the module it builds to the member, so the member's type must be the module's type.");

    public static readonly Rule BadInput = new("ADSL0010", "Model input shape is missing or invalid",
        "Model '{0}': {1}", Usage, Severity.Error,
        "A model declares its input shape without the batch dimension, e.g. [Input(3, 224, 224)].");

    public static readonly Rule EmptyModel = new("ADSL0011", "Model or block has no layers",
        "'{0}' declares no layers; give it at least one member with a layer attribute", Usage, Severity.Error,
        "Layers are fields marked with a layer attribute, in declaration order.");

    public static readonly Rule UnknownBlock = new("ADSL0012", "Block type is unknown or used recursively",
        "{0}: {1}", Usage, Severity.Error,
        "Stage and Use take typeof(X) where X is a partial class marked [Block]; a block cannot contain itself.");

    public static readonly Rule BadResidual = new("ADSL0013", "Residual connection or join cannot be formed",
        "{0}: {1}", Design, Severity.Error,
        "Residual, Concat, Multiply and Sum (From = nameof(m)) join the input of member m, at or before this one, with this member's output; their shapes must fit the join.");

    public static readonly Rule Overflow = new("ADSL0014", "Count does not fit in 64 bits",
        "{0}: {1} exceeds the 64-bit range; reduce the sizes", Design, Severity.Error,
        "Parameter and compute counts are exact 64-bit integers; a design whose counts overflow them cannot be counted or built.");

    public static readonly Rule ConflictingAttributes = new("ADSL0015", "Member has more than one layer attribute",
        "'{0}' has both [{1}] and [{2}]; a member is one layer", Usage, Severity.Error,
        "Each member holds exactly one layer; split the layers into separate members.");

    public static readonly Rule StageShapeChange = new("ADSL0016", "Repeated blocks must keep their shape",
        "{0}: block {1} of the stage changes its input {2} into {3}; inside a block only the first block of a stage may change the shape (a model's stage may)", Design, Severity.Error,
        "A stage inside a block is generated as a loop with one set of sizes: the first block may change the shape (stride, width), the following ones must keep it. A model's stage writes each block with its own sizes.");

    public static readonly Rule UnknownParameter = new("ADSL0017", "Binding names a parameter the block does not use",
        "{0}: '{1}' is not a parameter of {2} (it uses: {3})", Usage, Severity.Error,
        "A binding that no expression of the block uses is almost always a misspelling.");

    public static IEnumerable<Rule> All
    {
        get
        {
            foreach (var info in typeof(Rules).GetFields())
                if (info.GetValue(null) is Rule r) yield return r;
        }
    }

    public static Rule? ById(string id)
    {
        foreach (var r in All)
            if (r.Id == id) return r;
        return null;
    }
}

public static partial class Rules
{
    public static readonly Rule PixelShuffleChannels = new("ADSL0018", "PixelShuffle channels not divisible by r²",
        "{0}: {1} input channels are not divisible by {2}² = {3}; give the layer before it a multiple of {3} channels", Design, Severity.Error,
        "PixelShuffle(r) turns C×H×W into (C/r²)×(H·r)×(W·r), so C must be a multiple of r².");
}

public static partial class Rules
{
    public static readonly Rule ExplicitInputSize = new("ADSL0019", "Explicit input size disagrees with what reaches the layer",
        "{0}: {1} = {2} but {3} {4} reach it; remove {1} or write {3}", Design, Severity.Error,
        "InFeatures (Linear, Mlp) and InChannels (Conv2d, BatchNorm2d) are optional: the size is inferred from the layer's input. When written, it must equal the inferred size; it documents the design and catches a body that changed under a head.");
}

public static partial class Rules
{
    public static readonly Rule InternalError = new("ADSL0099", "ArchDsl could not process a declaration",
        "ArchDsl could not process '{0}': {1}. This is a bug in ArchDsl; please report it with the declaration", Usage, Severity.Error,
        "An unexpected failure inside ArchDsl. It is reported instead of escaping as a compiler crash; no module is generated.");
}

public static partial class Rules
{
    public static readonly Rule TorchSharpHidden = new("ADSL0022", "A type or namespace hides TorchSharp from the generated code",
        "'{0}': '{1}' is in scope where its module is generated, and hides TorchSharp's {2} from that code; rename it, or declare '{0}' where it is not in scope", Usage, Severity.Error,
        "Generated code calls TorchSharp as nn and torch, like hand-written TorchSharp; a type or namespace of that name in an enclosing namespace, or nested in the class, is found first.");

    public static readonly Rule LayerFieldPlacement = new("ADSL0021", "Layer field is static, const or in another part of the class",
        "'{0}': {1}", Usage, Severity.Error,
        "Layers run in the order their instance fields are written, in one part of the class.");

    public static readonly Rule ReservedName = new("ADSL0020", "Member name is taken by the generated module",
        "'{0}' is already a member of the generated module ({1}); rename yours", Usage, Severity.Error,
        "The generated part declares counts, tables and the module's methods, and derives from TorchSharp's Module; a layer cannot take one of those names.");

    public static readonly Rule MissingUsing = new("ADSL0024", "Layer type not found: a using is missing",
        "'{0}' is declared as {1}, which is not found: add 'using {2};' to the file ([{3}] creates {2}.{1})", Usage, Severity.Error,
        "The layer fields' types are TorchSharp's modules (TorchSharp.Modules) or ArchDsl's (ArchDsl.Layers); without the file's using the compiler cannot find them. Reported once per model and namespace, on the first such field.");

    public static readonly Rule BadKey = new("ADSL0023", "State-dict key cannot be used",
        "{0}: {1}", Usage, Severity.Error,
        "Key gives a layer its state_dict path (\"features.0.0\"): dot-separated parts of letters, digits, '_' and '-'; no two layers of one module may share a path, and no layer's path may lie inside another layer's.");

    public static readonly Rule NoDeployForm = new("ADSL0030", "Deploy form asked of a declaration that has none",
        "{0} asks for a deploy form (Deploy = true), but nothing in it folds: no [BatchNorm2d] directly after a [Conv2d] (without an activation or join between them), no projected shortcut, no [RepVgg], and no block that has one", Design, Severity.Error,
        "In the deploy form each batch norm that follows a convolution folds into it, shortcut projections fold likewise, and RepVGG blocks become one convolution; Deploy = true declares that the model or block has such a form, so that its deploy counts and ToDeployForm exist.");
}
