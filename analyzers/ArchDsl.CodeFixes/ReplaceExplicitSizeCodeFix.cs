using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using ArchDsl.Core.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchDsl.CodeFixes;

/// <summary>
/// ADSL0019 (reported by the generator) on an explicit InFeatures/InChannels that disagrees with the
/// inferred input size: writes the inferred size. The size comes from the diagnostic's "Inferred"
/// property, which the generator fills from the core's finding.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReplaceExplicitSizeCodeFix)), Shared]
public sealed class ReplaceExplicitSizeCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Rules.ExplicitInputSize.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(Finding.InferredProperty, out var text) ||
                !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var inferred))
                continue;
            diagnostic.Properties.TryGetValue(Finding.ArgumentProperty, out var name);
            var argument = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>();
            if (argument?.NameEquals is null || argument.NameEquals.Name.Identifier.Text != name) continue;
            context.RegisterCodeFix(
                CodeAction.Create($"Write the inferred size: {name} = {inferred.ToString(CultureInfo.InvariantCulture)}",
                    ct => ReplaceAsync(context.Document, argument, inferred, ct), equivalenceKey: "ArchDsl.ReplaceExplicitSize"),
                diagnostic);
        }
    }

    private static async Task<Document> ReplaceAsync(Document document, AttributeArgumentSyntax argument, int inferred, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root is null) return document;
        var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(inferred))
            .WithTriviaFrom(argument.Expression);
        return document.WithSyntaxRoot(root.ReplaceNode(argument.Expression, literal));
    }
}
