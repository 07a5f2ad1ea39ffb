using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Generators.Reading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ArchDsl.Analyzers;

/// <summary>
/// Layer fields are assigned by the generated constructor. When the generator emits nothing (the model
/// has an error of its own, already reported), the compiler would add a follow-on warning for every
/// field: never assigned (CS0169, CS0649), non-nullable uninitialised (CS8618), could be readonly
/// (IDE0044), unused (IDE0051, IDE0052). This suppressor removes those on fields that carry an ArchDsl
/// attribute inside a [Model] or [Block] class, and on nothing else.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LayerFieldSuppressor : DiagnosticSuppressor
{
    private const string Why = "The field carries an ArchDsl layer attribute: the generated constructor assigns it.";

    internal static readonly SuppressionDescriptor NeverUsed = new("ADSL9169", "CS0169", Why);
    internal static readonly SuppressionDescriptor NeverAssigned = new("ADSL9649", "CS0649", Why);
    internal static readonly SuppressionDescriptor NotInitialized = new("ADSL9618", "CS8618", Why);
    internal static readonly SuppressionDescriptor CouldBeReadonly = new("ADSL9044", "IDE0044", Why);
    internal static readonly SuppressionDescriptor UnusedMember = new("ADSL9051", "IDE0051", Why);
    internal static readonly SuppressionDescriptor UnreadMember = new("ADSL9052", "IDE0052", Why);

    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } =
        ImmutableArray.Create(NeverUsed, NeverAssigned, NotInitialized, CouldBeReadonly, UnusedMember, UnreadMember);

    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        foreach (var diagnostic in context.ReportedDiagnostics)
        {
            var descriptor = SupportedSuppressions.FirstOrDefault(s => s.SuppressedDiagnosticId == diagnostic.Id);
            if (descriptor is null) continue;
            var tree = diagnostic.Location.SourceTree;
            if (tree is null) continue;
            var node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan);
            var declarator = node as VariableDeclaratorSyntax ?? node.FirstAncestorOrSelf<VariableDeclaratorSyntax>();
            if (declarator is null) continue;
            var model = context.GetSemanticModel(tree);
            if (model.GetDeclaredSymbol(declarator, context.CancellationToken) is IFieldSymbol field && IsLayerField(field))
                context.ReportSuppression(Suppression.Create(descriptor, diagnostic));
        }
    }

    internal static bool IsLayerField(IFieldSymbol field)
    {
        if (field.IsStatic || field.IsConst) return false;
        bool ours = field.GetAttributes().Any(a => a.AttributeClass?.ContainingNamespace?.ToDisplayString() == DeclarationReader.AttributeNamespace);
        if (!ours) return false;
        return field.ContainingType.GetAttributes().Any(a =>
        {
            var name = a.AttributeClass?.ToDisplayString();
            return name == DeclarationReader.ModelAttribute || name == DeclarationReader.BlockAttribute;
        });
    }
}
