using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArchDsl.Core.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace ArchDsl.CodeFixes;

/// <summary>
/// Adds [Accept("ADSLxxxx", Justification = "TODO: ...")] to the model, for the judgement warnings a
/// team may decide to live with. The placeholder is meant to be replaced by the real reason.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddAcceptCodeFix)), Shared]
public sealed class AddAcceptCodeFix : CodeFixProvider
{
    public const string Placeholder = "TODO: explain why this is acceptable for this model";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        Rules.LargeModel.Id, Rules.ComputePerSample.Id, Rules.TrainingAboveEuThreshold.Id, Rules.TrainingAboveFrontierThreshold.Id,
        Rules.TrainingMemoryOverBudget.Id, Rules.InferenceMemoryOverBudget.Id, Rules.ConflictingHeads.Id, Rules.DistillationGap.Id,
        Rules.HeadResolutionsShareEmbedding.Id, Rules.LinearOnMap.Id, Rules.CommunicationBound.Id, Rules.StateFitsNoStage.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan);
            var type = node.FirstAncestorOrSelf<ClassDeclarationSyntax>();
            if (type is null) continue;
            var id = diagnostic.Id;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Accept {id} for this model with a justification",
                    ct => AddAcceptAsync(context.Document, type, id, ct),
                    equivalenceKey: "ArchDsl.Accept." + id),
                diagnostic);
        }
    }

    private static async Task<Document> AddAcceptAsync(Document document, ClassDeclarationSyntax type, string id, CancellationToken ct)
    {
        var editor = await DocumentEditor.CreateAsync(document, ct).ConfigureAwait(false);
        var g = editor.Generator;
        // Named in full and simplified against the file's usings, so it binds in a file without `using ArchDsl;`.
        var attribute = g.Attribute(SyntaxFactory.ParseName("global::ArchDsl.Accept").WithAdditionalAnnotations(Simplifier.Annotation),
            new[] { g.AttributeArgument(g.LiteralExpression(id)), g.AttributeArgument("Justification", g.LiteralExpression(Placeholder)) });
        editor.AddAttribute(type, attribute);
        return editor.GetChangedDocument();
    }
}
