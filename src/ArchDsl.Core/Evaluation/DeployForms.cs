using System.Collections.Generic;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Layers;

namespace ArchDsl.Core.Evaluation;

/// <summary>
/// Deploy forms: which layers fold into the one before them (each kind says whether it folds or absorbs), and the
/// check of a declaration that asks for a deploy form (<c>[Model(Deploy = true)]</c>, <c>[Block(Deploy = true)]</c>).
/// </summary>
internal static class DeployForms
{
    /// <summary>
    /// Marks, in one module's layers, each layer that folds into the layer just before it (a batch norm into a
    /// convolution). Only where nothing else sees the value between them: the first layer has no activation, residual
    /// or join of its own, and no later join reads the second one's input.
    /// </summary>
    internal static void MarkFolds(List<LayerNode> layers)
    {
        for (int i = 1; i < layers.Count; i++)
        {
            LayerNode before = layers[i - 1], n = layers[i];
            // A layer with its own Input reads another value than the one before it.
            if (n.KindInfo is not { FoldsIntoPrevious: true } || n.InputFrom != null || before.KindInfo is not { } kind) continue;
            if (before.FoldsInto != null || before.Activation != null || before.ActivationParameter != null
                || before.Residual != null || before.Join != null || kind.Forward != ForwardForm.Call) continue;
            if (ReadsInputOf(layers, n.Name) || kind.AbsorbingFold(before) is null) continue;
            before.Absorbs = n;
            n.FoldsInto = before;
        }
    }

    private static bool ReadsInputOf(List<LayerNode> layers, string name)
    {
        foreach (var l in layers)
            if (l.Residual?.From == name || l.Join?.From == name || l.InputFrom == name) return true;
        return false;
    }

    /// <summary>Layers of one module that change in its deploy form: a fold, a re-parameterised layer, a projection that
    /// folds (where it may exist), or a block inside with any of those.</summary>
    internal static bool HasDeployForm(IEnumerable<LayerNode> layers)
    {
        foreach (var l in layers)
        {
            if (l.OwnDeploy != null || l.FoldsInto != null) return true;
            if (l.Residual is { Optional: false, Deploy: not null, Mode: not ShortcutMode.Identity }) return true;
            if (HasDeployForm(l.Children)) return true;
        }
        return false;
    }

    /// <summary>
    /// <c>Deploy = true</c> on [Model] or [Block] asks for a deploy form: an error at the argument where nothing in the
    /// declaration folds or re-parameterises, so the deploy counts and ToDeployForm would silently not exist.
    /// </summary>
    internal static void CheckAsked(Session s, ModuleDecl decl, List<LayerNode> layers)
    {
        if ((decl.Attribute("Model") ?? decl.Attribute("Block"))?.Get("Deploy") is not { Kind: ArgKind.Bool, Int: not 0 } asked) return;
        if (HasDeployForm(layers)) return;
        s.Report(Rules.NoDeployForm, asked.Span, false, decl.Name);
    }
}
