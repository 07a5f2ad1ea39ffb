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
using Microsoft.CodeAnalysis.Simplification;

namespace ArchDsl.CodeFixes;

/// <summary>
/// ADSL1012 on a classification head fed a C×H×W map: inserts global average pooling and flattening
/// before the head, with torchvision's names (avgpool, flatten).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertPoolingCodeFix)), Shared]
public sealed class InsertPoolingCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Rules.ClassificationHeadOnMap.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(Finding.InputLayoutProperty, out var layout) || layout != "Image") continue;
            var field = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<FieldDeclarationSyntax>();
            if (field?.Parent is not ClassDeclarationSyntax) continue;
            context.RegisterCodeFix(
                CodeAction.Create("Insert global average pooling and flattening before the head",
                    ct => InsertAsync(context.Document, field, ct), equivalenceKey: "ArchDsl.InsertPooling"),
                diagnostic);
        }
    }

    private static async Task<Document> InsertAsync(Document document, FieldDeclarationSyntax head, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root is null || head.Parent is not ClassDeclarationSyntax type) return document;
        var taken = type.Members.OfType<FieldDeclarationSyntax>().SelectMany(f => f.Declaration.Variables).Select(v => v.Identifier.Text).ToImmutableHashSet();
        string Free(string name)
        {
            var n = name;
            for (int i = 2; taken.Contains(n); i++) n = name + i;
            return n;
        }
        var indent = head.GetLeadingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        var leading = indent == default ? SyntaxFactory.TriviaList() : SyntaxFactory.TriviaList(indent);
        var newline = SyntaxFactory.TriviaList(SyntaxFactory.EndOfLine("\n"));
        // Written in full and simplified against the file's usings: a file that names TorchSharp's modules in full (no
        // `using TorchSharp.Modules;`) gets compiling fields, one with the usings gets the short names.
        var pool = SyntaxFactory.ParseMemberDeclaration($"[global::ArchDsl.AdaptiveAvgPool2d(1, 1)] global::TorchSharp.Modules.AdaptiveAvgPool2d {Free("avgpool")};")!
            .WithLeadingTrivia(leading).WithTrailingTrivia(newline).WithAdditionalAnnotations(Simplifier.Annotation);
        var flatten = SyntaxFactory.ParseMemberDeclaration($"[global::ArchDsl.Flatten] global::TorchSharp.Modules.Flatten {Free("flatten")};")!
            .WithLeadingTrivia(leading).WithTrailingTrivia(newline).WithAdditionalAnnotations(Simplifier.Annotation);
        return document.WithSyntaxRoot(root.InsertNodesBefore(head, new[] { pool, flatten }));
    }
}
