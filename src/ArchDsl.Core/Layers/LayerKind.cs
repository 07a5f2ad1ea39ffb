using System.Collections.Generic;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Core.Layers;

/// <summary>What a layer is for the tools that judge, estimate and draw it: they read this, never the kind's name.</summary>
public enum LayerCategory
{
    Convolution,
    Normalization,
    Activation,
    Pooling,
    Dense,
    Attention,
    Embedding,
    Reshape,
    Regularization,
    Other,
    Composite,
}

/// <summary>How the generated forward pass applies a layer to the running value <c>x</c>.</summary>
public enum ForwardForm
{
    /// <summary><c>x = layer.call(x)</c>.</summary>
    Call,
    /// <summary>A learned token is prepended: <c>x = cat(token.expand(batch), x)</c>.</summary>
    PrependToken,
    /// <summary>A learned tensor is added: <c>x = x + p</c>.</summary>
    AddParameter,
    /// <summary>A learned tensor scales: <c>x = p * x</c> (layer scale).</summary>
    MulParameter,
}

/// <summary>
/// One layer kind: the attribute arguments it reads, its shape rule and counts, the module it creates (as data), its
/// forward form and its traits. Everything about a kind lives in its subclass; the evaluator, the generator, the
/// judgement and the tools ask it rather than switching on names.
/// </summary>
public abstract class LayerKind
{
    private static readonly string[] NoArguments = System.Array.Empty<string>();

    protected LayerKind(string name, string moduleType, Layout[]? accepts, string[]? positional = null, string[]? named = null)
    {
        Name = name;
        ModuleType = moduleType;
        Accepts = accepts;
        Positional = positional ?? NoArguments;
        Named = named ?? NoArguments;
    }

    /// <summary>Attribute name without the suffix: "Conv2d".</summary>
    public string Name { get; }
    /// <summary>Full name of the member type the generated code assigns: "TorchSharp.Modules.Conv2d"; empty where it
    /// depends on the arguments (a block's own type).</summary>
    public string ModuleType { get; }
    /// <summary>Input layouts the layer takes; null for any.</summary>
    public Layout[]? Accepts { get; }
    /// <summary>Hyperparameter names of the attribute's positional arguments, in order (the attribute's property names).</summary>
    public string[] Positional { get; }
    /// <summary>Named arguments it reads besides <see cref="LayerArgs.Common"/> (the attribute's property names).</summary>
    public string[] Named { get; }

    public virtual LayerCategory Category => LayerCategory.Other;
    /// <summary>Its attribute derives from LayerAttribute, so it has <see cref="LayerArgs.Common"/> (Stage and Use do not).</summary>
    public virtual bool TakesCommonArguments => true;
    public virtual ForwardForm Forward => ForwardForm.Call;
    /// <summary>Its output is a tensor it made and that its backward pass does not read: an in-place add or
    /// activation after it is safe.</summary>
    public virtual bool FreshOutput => false;
    /// <summary>It reads integer token ids (a language model's first layer): the model's sample is a sequence.</summary>
    public virtual bool ReadsTokenIds => false;
    /// <summary>It drops a residual branch (stochastic depth): where an optional residual on it adds nothing, the layer
    /// does not run either, as in torchvision's MBConv.</summary>
    public virtual bool DropsResidualBranch => false;
    /// <summary>It acts on the last axis only (Linear, LayerNorm): on a C×H×W map that is the width, nearly always a
    /// mistake (ADSL1017).</summary>
    public virtual bool ActsOnLastAxis => false;
    /// <summary>For <see cref="ActsOnLastAxis"/> kinds: what to write instead, for a C×H×W input (ADSL1017).</summary>
    public virtual string LastAxisAdvice(Shape input)
    {
        string features;
        try { features = Reporting.Report.Number(checked(input[0].Value * input[1].Value * input[2].Value)); }
        catch (System.OverflowException) { features = input.ToString(); }
        return $"put [Flatten] (after pooling) before it to use all {features} features";
    }

    /// <summary>Its parameter count as a formula, for docs/counting.md's table ("0" for none).</summary>
    public virtual string ParameterFormula => "0";
    /// <summary>Its MACs at batch 1 as a formula, for docs/counting.md's table ("0" for none).</summary>
    public virtual string MacFormula => "0";

    /// <summary>One-line description for docs/dsl.md's table.</summary>
    public abstract string Summary { get; }

    /// <summary>Every argument name the kind may read: positional, named and the common ones.</summary>
    public IEnumerable<string> Arguments
    {
        get
        {
            foreach (var p in Positional) yield return p;
            foreach (var n in Named) yield return n;
            if (TakesCommonArguments)
                foreach (var c in LayerArgs.Common) yield return c;
        }
    }

    /// <summary>
    /// Reads the arguments, checks the input, and fills the node: its counts, its <see cref="LayerNode.Recipe"/>, its
    /// typed <see cref="LayerNode.Spec"/> where others read it, and its stride. Returns the output shape, or null after
    /// reporting why there is none.
    /// </summary>
    internal abstract Shape? Infer(LayerArgs a, LayerNode n, Shape x);

    /// <summary>Activation elements the backward pass keeps besides the layer's output (attention probabilities).</summary>
    public virtual double ExtraActivationElements(LayerNode n) => 0;

    /// <summary>In a [Slimmable] model: the runtime module its field declares where the kind's weights slim; null where
    /// it is <see cref="ModuleType"/>.</summary>
    public virtual string? SlimModuleType => null;

    /// <summary>In a [Slimmable] model: fills the layer's active output size, used parameters and MACs at each width,
    /// what it stores, and the module that runs every width (see <see cref="SlimLayer"/>). False where the kind cannot
    /// slim, the default.</summary>
    internal virtual bool Slim(SlimLayer l) => false;

    public override string ToString() => Name;
}
