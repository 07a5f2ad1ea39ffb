using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text;
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
/// ADSL1013 (restoration and recognition heads on one body without task-specific modules): moves each
/// single-layer head into its own [Block] class, named after the model and the task
/// (<c>NetDerainingHead</c>), and replaces the member by <c>[Use(typeof(NetDerainingHead)), Head(...)]</c>.
/// The layer keeps its hyperparameters; its state_dict key gains the block's level (derain.derain.weight).
/// Offered only when every such head is a plain field of a top-level model in this document, without a
/// residual and without expression arguments (strings, <c>With</c>), which would lose their binding in a block.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OwnHeadBlockCodeFix)), Shared]
public sealed class OwnHeadBlockCodeFix : CodeFixProvider
{
    private const string LayerAttribute = "ArchDsl.LayerAttribute";
    private const string HeadAttribute = "ArchDsl.HeadAttribute";
    private const string ResidualAttribute = "ArchDsl.ResidualAttribute";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Rules.ConflictingHeads.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(ArchDsl.Core.Diagnostics.Finding.HeadsProperty, out var heads) || string.IsNullOrEmpty(heads)) continue;
            var type = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<ClassDeclarationSyntax>();
            if (type is null) continue;
            var plan = Plan(model, type, heads!, context.CancellationToken);
            if (plan is null) continue;
            context.RegisterCodeFix(
                CodeAction.Create("Give each task its own head block around the shared body",
                    ct => ApplyAsync(context.Document, type, plan, ct), equivalenceKey: "ArchDsl.OwnHeadBlock"),
                diagnostic);
        }
    }

    private sealed record Move(FieldDeclarationSyntax Field, AttributeSyntax Layer, string BlockName, string Layout);

    /// <summary>What to move, or null when any head cannot be moved reliably.</summary>
    private static List<Move>? Plan(SemanticModel model, ClassDeclarationSyntax type, string heads, CancellationToken ct)
    {
        // The blocks become siblings of the model: a namespace or compilation-unit member only.
        if (type.Parent is not (BaseNamespaceDeclarationSyntax or CompilationUnitSyntax)) return null;
        var moves = new List<Move>();
        var taken = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var entry in heads.Split(';'))
        {
            var parts = entry.Split(':');
            if (parts.Length != 2) return null;
            var field = type.Members.OfType<FieldDeclarationSyntax>()
                .FirstOrDefault(f => f.Declaration.Variables.Any(v => v.Identifier.Text == parts[0]));
            if (field is null || field.Declaration.Variables.Count != 1) return null;
            AttributeSyntax? layer = null;
            string? task = null;
            foreach (var attribute in field.AttributeLists.SelectMany(l => l.Attributes))
            {
                var attributeType = model.GetTypeInfo(attribute, ct).Type;
                if (attributeType is null) return null;
                if (attributeType.ToDisplayString() == ResidualAttribute) return null;
                if (attributeType.ToDisplayString() == HeadAttribute)
                    task = attribute.ArgumentList?.Arguments.FirstOrDefault() is { } arg ? model.GetSymbolInfo(arg.Expression, ct).Symbol?.Name : null;
                for (var t = attributeType.BaseType; t != null; t = t.BaseType)
                    if (t.ToDisplayString() == LayerAttribute) layer = attribute;
            }
            if (layer is null || task is null) return null;
            // Expressions over parameters ("heads", With = "...") would lose their binding in a new block.
            if (layer.ArgumentList is { } args && args.Arguments.Any(a => a.Expression.IsKind(SyntaxKind.StringLiteralExpression) ||
                    a.Expression.IsKind(SyntaxKind.InterpolatedStringExpression) || a.NameEquals?.Name.Identifier.Text == "With"))
                return null;
            var name = type.Identifier.Text + task + "Head";
            var candidate = name;
            for (int i = 2; taken.Contains(candidate) || !model.LookupNamespacesAndTypes(type.SpanStart, name: candidate).IsEmpty; i++)
                candidate = name + i;
            taken.Add(candidate);
            moves.Add(new Move(field, layer, candidate, parts[1]));
        }
        return moves.Count == 0 ? null : moves;
    }

    private static async Task<Document> ApplyAsync(Document document, ClassDeclarationSyntax type, List<Move> moves, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root is null) return document;
        string eol = type.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToString();
        if (eol.Length == 0) eol = "\n";
        string classIndent = Indent(type);
        string modifiers = string.Join(" ", type.Modifiers.Where(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword)).Select(m => m.Text));
        if (modifiers.Length > 0) modifiers += " ";

        var replaced = new Dictionary<SyntaxNode, SyntaxNode>();
        var blocks = new List<MemberDeclarationSyntax>();
        foreach (var m in moves)
        {
            var field = m.Field;
            var variable = field.Declaration.Variables[0].Identifier.Text;
            string fieldModifiers = field.Modifiers.Count == 0 ? "" : field.Modifiers.ToString() + " ";

            // The model keeps the member, now an instance of the head block.
            var lists = new StringBuilder();
            foreach (var list in field.AttributeLists)
            {
                var items = list.Attributes.Select(a => a == m.Layer ? $"Use(typeof({m.BlockName}))" : a.ToString());
                lists.Append('[').Append(string.Join(", ", items)).Append("] ");
            }
            var member = SyntaxFactory.ParseMemberDeclaration($"{lists}{fieldModifiers}{m.BlockName} {variable};")!
                .WithLeadingTrivia(field.GetLeadingTrivia()).WithTrailingTrivia(field.GetTrailingTrivia());
            replaced[field] = member;

            // The block holds the layer itself, under the same name.
            string memberIndent = Indent(field);
            var text = new StringBuilder()
                .Append("[Block(Layout.").Append(m.Layout).Append(")]").Append(eol)
                .Append(classIndent).Append(modifiers).Append("partial class ").Append(m.BlockName).Append(eol)
                .Append(classIndent).Append('{').Append(eol)
                .Append(memberIndent).Append('[').Append(m.Layer).Append("] ").Append(fieldModifiers)
                .Append(field.Declaration.Type.ToString()).Append(' ').Append(variable).Append(';').Append(eol)
                .Append(classIndent).Append('}');
            var block = SyntaxFactory.ParseMemberDeclaration(text.ToString())!
                .WithLeadingTrivia(SyntaxFactory.EndOfLine(eol), SyntaxFactory.Whitespace(classIndent))
                .WithTrailingTrivia(SyntaxFactory.EndOfLine(eol));
            blocks.Add(block);
        }

        var newType = type.ReplaceNodes(replaced.Keys, (original, _) => replaced[original]);
        // Each block follows the model after one blank line, also when the model ends the file without a line break.
        if (!newType.GetTrailingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)))
            newType = newType.WithTrailingTrivia(newType.GetTrailingTrivia().Add(SyntaxFactory.EndOfLine(eol)));
        var nodes = new List<SyntaxNode> { newType };
        nodes.AddRange(blocks);
        return document.WithSyntaxRoot(root.ReplaceNode(type, nodes));
    }

    private static string Indent(SyntaxNode node)
    {
        var whitespace = node.GetLeadingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        return whitespace == default ? "" : whitespace.ToString();
    }
}
