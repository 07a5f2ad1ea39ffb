using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Judgement;
using ArchDsl.Generators;
using ArchDsl.Generators.Reading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ArchDsl.Analyzers;

/// <summary>
/// Judges every [Model] class: reads it with the generator's reader, evaluates it with the core, and
/// reports the core's judgement findings (ADSL1xxx). Models with errors are left to the generator.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class JudgementAnalyzer : DiagnosticAnalyzer
{
    /// <summary>On ADSL1012: "Image" when the head receives a C×H×W map (the pooling fix applies), else "Tokens".</summary>
    public const string InputLayoutProperty = "InputLayout";

    /// <summary>
    /// On ADSL1013: the single-layer heads of the model's own members that the "own head block" fix moves,
    /// as "member:Layout;member:Layout" (Layout of the head's input: Image, Tokens or Vector). Absent when a
    /// conflicting head is a single layer inside a block, which that fix cannot reach.
    /// </summary>
    public const string HeadsProperty = "Heads";

    /// <summary>The judgement rules: every rule id from ADSL1000 up.</summary>
    internal static readonly ImmutableArray<Rule> JudgementRules =
        Rules.All.Where(r => string.CompareOrdinal(r.Id, "ADSL1000") >= 0).OrderBy(r => r.Id, System.StringComparer.Ordinal).ToImmutableArray();

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        JudgementRules.Append(Rules.InternalError).Select(Descriptors.For).ToImmutableArray();

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var model = start.Compilation.GetTypeByMetadataName(DeclarationReader.ModelAttribute);
            if (model is null) return;
            start.RegisterSymbolAction(ctx => Analyze(ctx, model), SymbolKind.NamedType);
        });
    }

    private static bool IsModel(INamedTypeSymbol type, INamedTypeSymbol modelAttribute) =>
        type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, modelAttribute));

    private static void Analyze(SymbolAnalysisContext ctx, INamedTypeSymbol modelAttribute)
    {
        if (ctx.Symbol is not INamedTypeSymbol type || !IsModel(type, modelAttribute)) return;
        try
        {
            AnalyzeModel(ctx, type, modelAttribute);
        }
        catch (System.Exception ex) when (ex is not System.OperationCanceledException)
        {
            // A failure inside ArchDsl is a diagnostic on the model, never an analyzer crash (AD0001).
            ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.For(Rules.InternalError), type.Locations.FirstOrDefault() ?? Location.None,
                type.Name, ex.GetType().Name + ": " + ex.Message));
        }
    }

    private static void AnalyzeModel(SymbolAnalysisContext ctx, INamedTypeSymbol type, INamedTypeSymbol modelAttribute)
    {
        var ct = ctx.CancellationToken;
        var (root, blocks) = DeclarationReader.ReadWithBlocks(type, ct, ctx.Compilation);
        var plan = Evaluator.EvaluateModel(root, blocks);
        if (plan.HasErrors) return;

        var tree = type.DeclaringSyntaxReferences.FirstOrDefault()?.SyntaxTree;
        var options = JudgementOptions.Read(new OptionSource(ctx.Options.AnalyzerConfigOptionsProvider, tree));

        ModelPlan? teacher = null;
        foreach (var a in type.GetAttributes())
        {
            if (a.AttributeClass?.ToDisplayString() != "ArchDsl.TeacherAttribute") continue;
            if (a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is INamedTypeSymbol t &&
                !SymbolEqualityComparer.Default.Equals(t, type) && IsModel(t, modelAttribute))
            {
                var (troot, tblocks) = DeclarationReader.ReadWithBlocks(t, ct, ctx.Compilation);
                teacher = Evaluator.EvaluateModel(troot, tblocks);
            }
        }

        foreach (var f in Judge.Evaluate(plan, options, teacher))
        {
            ct.ThrowIfCancellationRequested();
            var properties = ImmutableDictionary<string, string?>.Empty;
            if (f.Id == Rules.ClassificationHeadOnMap.Id && f.Args.Count > 1)
                properties = properties.Add(InputLayoutProperty, f.Args[1].StartsWith("a C×H×W", System.StringComparison.Ordinal) ? "Image" : "Tokens");
            if (f.Id == Rules.ConflictingHeads.Id && MovableHeads(plan) is string heads)
                properties = properties.Add(HeadsProperty, heads);
            ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.For(f.Id), LocationOf(ctx.Compilation, f.Span, type), properties, f.Args.ToArray()));
        }
    }

    private static string? MovableHeads(ModelPlan plan)
    {
        var parts = new List<string>();
        foreach (var node in Estimates.All(plan.Layers))
        {
            if (node.HeadTask is not string task || node.Children.Count > 0) continue;
            if (!TaskHeads.Restoration.Contains(task) && !TaskHeads.Recognition.Contains(task)) continue;
            if (node.Depth > 0 || node.Member is null) return null;
            var layout = node.Input.Rank switch { 3 => "Image", 2 => "Tokens", 1 => "Vector", _ => null };
            if (layout is null) return null;
            parts.Add(node.Member.Name + ":" + layout);
        }
        return parts.Count == 0 ? null : string.Join(";", parts);
    }

    /// <summary>A source location in the compilation's own tree (so pragmas, IDE squiggles and code fixes work).</summary>
    internal static Location LocationOf(Compilation compilation, SourceSpan span, ISymbol fallback)
    {
        if (!span.IsNone)
            foreach (var tree in compilation.SyntaxTrees)
                if (tree.FilePath == span.Path && span.Start + span.Length <= tree.Length)
                    return Location.Create(tree, new TextSpan(span.Start, span.Length));
        return fallback.Locations.FirstOrDefault() ?? Location.None;
    }

    /// <summary>.editorconfig keys for the model's file first, then global options (.globalconfig and MSBuild properties).</summary>
    private sealed class OptionSource : IOptionSource
    {
        private readonly AnalyzerConfigOptions? _tree;
        private readonly AnalyzerConfigOptions _global;

        public OptionSource(AnalyzerConfigOptionsProvider provider, SyntaxTree? tree)
        {
            _tree = tree is null ? null : provider.GetOptions(tree);
            _global = provider.GlobalOptions;
        }

        public bool TryGet(string key, out string value)
        {
            if (_tree != null && _tree.TryGetValue(key, out var v) ||
                _global.TryGetValue(key, out v) ||
                // keys are case-insensitive in .editorconfig; Roslyn lower-cases them
                _tree != null && _tree.TryGetValue(key.ToLowerInvariant(), out v) ||
                _global.TryGetValue(key.ToLowerInvariant(), out v))
            {
                value = v!;
                return true;
            }
            value = "";
            return false;
        }
    }
}
