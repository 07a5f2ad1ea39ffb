using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Judgement;
using ArchDsl.Generators.Emitting;
using ArchDsl.Generators.Reading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchDsl.Generators;

/// <summary>What one declaration produces: a source file (or none, when it has errors) and findings.</summary>
internal sealed record Generated(string HintName, string? Source, EquatableArray<Finding> Findings, SourceSpan Span);

/// <summary>
/// A declaration as read, with every block it reaches: the pipeline's cached input. For a model, also its
/// teacher (read with its blocks) and the judgement option values that apply to its file.
/// </summary>
internal sealed record Declaration(ModuleDecl Root, EquatableArray<ModuleDecl> Blocks, string? ReadError = null)
{
    public Declaration? Teacher { get; init; }
    public OptionValues? Options { get; init; }
    /// <summary>Another declaration's full name differs from this one's only in case.</summary>
    public bool NameClashes { get; init; }
}

/// <summary>
/// Emits a TorchSharp module for every [Model] and [Block] class. Each class is read once into plain
/// records; evaluation and emission run only when those records change.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ArchDslGenerator : IIncrementalGenerator
{
    public const string ReadModelStep = "ReadModel";
    public const string ReadBlockStep = "ReadBlock";
    public const string EmitModelStep = "EmitModel";
    public const string EmitBlockStep = "EmitBlock";
    public const string BlockSetStep = "BlockSet";
    public const string ResolveModelStep = "ResolveModel";
    public const string ResolveBlockStep = "ResolveBlock";
    public const string ModelOptionsStep = "ModelOptions";
    public const string FileOptionsStep = "FileOptions";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(DeclarationReader.ModelAttribute, static (n, _) => IsClassLike(n), static (ctx, ct) => Read(ctx, ct))
            .WithTrackingName(ReadModelStep);
        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(DeclarationReader.BlockAttribute, static (n, _) => IsClassLike(n), static (ctx, ct) => Read(ctx, ct))
            .WithTrackingName(ReadBlockStep);

        // Each class is read alone (the read runs for every class on every edit); models and blocks then meet the
        // block declarations they reach, so a block edit reaches exactly the declarations that use it.
        var blockSet = blocks
            .Select(static (d, _) => d?.Root)
            .Collect()
            .Select(static (all, _) => BlockSet(all))
            .WithTrackingName(BlockSetStep);
        // Judgement thresholds for each file holding a model (.editorconfig, then .globalconfig and MSBuild
        // properties), as plain values by path. Options are looked up by syntax tree, so the trees are found here,
        // in an untracked step of their own, and no tracked output holds one. Models are re-paired only when some
        // file's values change.
        // The tree is the class's first part, where the records' spans (and so the lookup below) point.
        var fileOptions = context.SyntaxProvider
            .ForAttributeWithMetadataName(DeclarationReader.ModelAttribute, static (n, _) => IsClassLike(n),
                static (ctx, _) => ctx.TargetSymbol.DeclaringSyntaxReferences.FirstOrDefault()?.SyntaxTree ?? ctx.TargetNode.SyntaxTree)
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (p, _) => OptionValues.Read(p.Right, p.Left))
            .Collect()
            .Combine(context.AnalyzerConfigOptionsProvider.Select(static (o, _) => OptionValues.Read(o, null)))
            .Select(static (p, _) => new OptionSet(OptionValues.ByPath(p.Left), p.Right))
            .WithTrackingName(FileOptionsStep);
        var judgedModels = models
            .Combine(fileOptions)
            .Select(static (p, _) => p.Left is null || p.Left.ReadError != null ? p.Left : p.Left with { Options = p.Right.For(p.Left.Root.Span.Path) })
            .WithTrackingName(ModelOptionsStep);
        // Generated file names ignore case; names that differ only in case (usually none) get a suffix each.
        var clashing = models.Select(static (d, _) => d?.Root.FullName).Collect()
            .Combine(blocks.Select(static (d, _) => d?.Root.FullName).Collect())
            .Select(static (p, _) => ClashingNames(p.Left, p.Right));
        var modelInputs = judgedModels.Combine(blockSet).Combine(clashing)
            .Select(static (p, _) => Resolve(p.Left.Left, p.Left.Right, p.Right)).WithTrackingName(ResolveModelStep);
        var blockInputs = blocks.Combine(blockSet).Combine(clashing)
            .Select(static (p, _) => Resolve(p.Left.Left, p.Left.Right, p.Right)).WithTrackingName(ResolveBlockStep);

        // From C# 11 the JSON constant is a raw literal, which csc parses in about two thirds of the time of the escaped one.
        var rawStringLiterals = context.ParseOptionsProvider
            .Select(static (o, _) => o is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp11 });
        var modelOutputs = modelInputs.Combine(rawStringLiterals)
            .Select(static (p, ct) => EmitModel(p.Left, ct, p.Right)).WithTrackingName(EmitModelStep);
        var blockOutputs = blockInputs.Select(static (d, ct) => EmitBlock(d, ct)).WithTrackingName(EmitBlockStep);

        // Below C# 10 (LangVersion 9, the default of .NET 5 projects) a file-scoped namespace does not compile: the
        // sources are written with a block namespace there. Done on output, so the emit steps stay as they are.
        var blockNamespaces = context.ParseOptionsProvider
            .Select(static (o, _) => o is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp10 });
        context.RegisterSourceOutput(modelOutputs.Combine(blockNamespaces), static (spc, p) => AddSource(spc, p.Left, p.Right));
        context.RegisterSourceOutput(blockOutputs.Combine(blockNamespaces), static (spc, p) => AddSource(spc, p.Left, p.Right));

        // Findings are reported by ArchDslAnalyzer: a generator's diagnostics reach no public Roslyn API (IDEs would not
        // show them). The findings of this run are handed to it with the compilation they came from; when it analyzes
        // that compilation plus the generated sources (csc, and hosts that run both on the same trees) it reports them
        // without reading anything, and otherwise reads each declaration as Read does (FindingCache then saves the
        // evaluation of the unchanged ones).
        var handoff = modelOutputs.Collect().Combine(blockOutputs.Collect())
            .Select(static (p, _) => RunFindings.Of(p.Left, p.Right))
            .Combine(fileOptions)
            .Combine(context.CompilationProvider);
        context.RegisterSourceOutput(handoff, static (_, p) => RunFindings.Store(p.Right, p.Left.Left, p.Left.Right));
    }

    /// <summary>Classes, and records (which the attributes also allow), so a record is told it must be a class (ADSL0001).</summary>
    private static bool IsClassLike(SyntaxNode n) => n is ClassDeclarationSyntax or RecordDeclarationSyntax;

    private static Declaration? Read(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        if (ctx.TargetSymbol is not INamedTypeSymbol type || !IsFirstMarkedPart(type, ctx)) return null;
        return ReadDeclaration(type, ctx.SemanticModel.Compilation, ct);
    }

    /// <summary>One class read into its declaration (with its teacher); the generator and the analyzer both read
    /// through here, so the same source gives equal records.</summary>
    internal static Declaration ReadDeclaration(INamedTypeSymbol type, Compilation compilation, CancellationToken ct)
    {
        try
        {
            var root = DeclarationReader.Read(type, ct, compilation);
            Declaration? teacher = null;
            if (root.IsModel && DeclarationReader.TeacherOf(type) is { } t)
            {
                // Read here, where symbols are at hand; this step runs again on every edit, so teacher edits reach it.
                try
                {
                    var (troot, tblocks) = DeclarationReader.ReadWithBlocks(t, ct, compilation);
                    teacher = new Declaration(troot, tblocks);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The student is still built and judged; the failure is reported on it.
                    var stub = new ModuleDecl(t.Name, "", t.Name, true, "internal", false, false, false, false,
                        EquatableArray<AttributeDecl>.Empty, EquatableArray<MemberDecl>.Empty, SourceSpan.None);
                    teacher = new Declaration(stub, EquatableArray<ModuleDecl>.Empty, ex.GetType().Name + ": " + ex.Message);
                }
            }
            return new Declaration(root, EquatableArray<ModuleDecl>.Empty) { Teacher = teacher };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Reading failed on unusual source; the emit step reports it on the class.
            var span = DeclarationReader.SpanOf(type.Locations.Length > 0 ? type.Locations[0] : Location.None);
            var root = new ModuleDecl(type.Name, "", type.Name, false, "internal", false, false, false, false,
                EquatableArray<AttributeDecl>.Empty, EquatableArray<MemberDecl>.Empty, span);
            return new Declaration(root, EquatableArray<ModuleDecl>.Empty, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>
    /// [Model] or [Block] on two parts of one class (the compiler reports CS0579) gives one declaration, read from
    /// the first marked part; the other part reads nothing.
    /// </summary>
    private static bool IsFirstMarkedPart(INamedTypeSymbol type, GeneratorAttributeSyntaxContext ctx)
    {
        if (type.DeclaringSyntaxReferences.Length < 2 || ctx.Attributes.IsEmpty) return true;
        var marker = ctx.Attributes[0].AttributeClass;
        foreach (var a in type.GetAttributes())
            if (SymbolEqualityComparer.Default.Equals(a.AttributeClass, marker) && a.ApplicationSyntaxReference is { } at)
                return at.SyntaxTree == ctx.TargetNode.SyntaxTree && ctx.TargetNode.Span.Contains(at.Span);
        return true;
    }

    private static EquatableArray<ModuleDecl> BlockSet(ImmutableArray<ModuleDecl?> all)
    {
        var list = new List<ModuleDecl>();
        foreach (var b in all)
            if (b != null) list.Add(b);
        list.Sort(static (a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return new EquatableArray<ModuleDecl>(list.ToArray());
    }

    private static Declaration? Resolve(Declaration? d, EquatableArray<ModuleDecl> blocks, EquatableArray<string> clashing)
    {
        if (d is null) return null;
        bool clashes = false;
        foreach (var name in clashing) clashes |= name == d.Root.FullName;
        if (clashes) d = d with { NameClashes = true };
        return d.ReadError != null ? d : d with { Blocks = DeclarationGraph.Reachable(d.Root, blocks) };
    }

    /// <summary>Full names that another declaration's name equals when case is ignored, sorted.</summary>
    private static EquatableArray<string> ClashingNames(ImmutableArray<string?> models, ImmutableArray<string?> blocks)
    {
        var byFolded = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in models.Concat(blocks))
        {
            if (name is null) continue;
            if (!byFolded.TryGetValue(name, out var set)) byFolded.Add(name, set = new HashSet<string>(StringComparer.Ordinal));
            set.Add(name);
        }
        var clashing = byFolded.Values.Where(v => v.Count > 1).SelectMany(v => v).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        return clashing.Length == 0 ? EquatableArray<string>.Empty : new EquatableArray<string>(clashing);
    }

    internal static Generated? EmitModel(Declaration? d, CancellationToken ct, bool rawStringLiterals)
    {
        if (d is null) return null;
        var g = EmitModelCore(d, ct, rawStringLiterals);
        FindingCache.Store(d, g.Findings);
        return g;
    }

    private static Generated EmitModelCore(Declaration d, CancellationToken ct, bool rawStringLiterals)
    {
        if (d.ReadError != null) return Failed(d, d.ReadError);
        try
        {
            var plan = Evaluator.EvaluateModel(d.Root, d.Blocks);
            ct.ThrowIfCancellationRequested();
            if (plan.HasErrors) return new Generated(HintName(d), ModuleEmitter.EmitUnbuilt(d.Root), new EquatableArray<Finding>(plan.Findings.ToArray()), d.Root.Span);
            var source = ModuleEmitter.EmitModel(plan, rawStringLiterals);
            var findings = new List<Finding>(plan.Findings);
            findings.AddRange(JudgeModel(d, plan));
            return new Generated(HintName(d), source, new EquatableArray<Finding>(findings.ToArray()), d.Root.Span);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(d, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>
    /// Judged from the plan just emitted, so the counts in the findings are the generated constants. A failure here
    /// (or in reading the teacher) is reported on the model and leaves its module in place.
    /// </summary>
    private static IEnumerable<Finding> JudgeModel(Declaration d, ModelPlan plan)
    {
        var failures = new List<Finding>();
        ModelPlan? teacher = null;
        if (d.Teacher is { ReadError: string teacherError } bad)
            failures.Add(Finding.Of(Rules.InternalError, d.Root.Span, d.Root.Name, "reading its teacher " + bad.Root.Name + " failed: " + teacherError));
        else if (d.Teacher is { } t)
            teacher = Evaluator.EvaluateModel(t.Root, t.Blocks);
        try
        {
            failures.AddRange(Judge.Evaluate(plan, (d.Options ?? OptionValues.None).ToJudgementOptions(), teacher));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failures.Add(Finding.Of(Rules.InternalError, d.Root.Span, d.Root.Name, "judging it failed: " + ex.GetType().Name + ": " + ex.Message));
        }
        return failures;
    }

    internal static Generated? EmitBlock(Declaration? d, CancellationToken ct)
    {
        if (d is null || d.Root.IsModel) return null;
        var g = EmitBlockCore(d, ct);
        FindingCache.Store(d, g.Findings);
        return g;
    }

    private static Generated EmitBlockCore(Declaration d, CancellationToken ct)
    {
        if (d.ReadError != null) return Failed(d, d.ReadError);
        try
        {
            var plan = Evaluator.EvaluateBlock(d.Root, d.Blocks);
            ct.ThrowIfCancellationRequested();
            string? source = plan.HasErrors ? ModuleEmitter.EmitUnbuilt(d.Root) : ModuleEmitter.EmitBlock(plan);
            return new Generated(HintName(d), source, new EquatableArray<Finding>(plan.Findings.ToArray()), d.Root.Span);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(d, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>A failure inside ArchDsl becomes a diagnostic on the declaration, never a compiler crash.</summary>
    private static Generated Failed(Declaration d, string error)
    {
        var finding = Finding.Of(Rules.InternalError, d.Root.Span, d.Root.Name, error);
        return new Generated(HintName(d), ModuleEmitter.EmitUnbuilt(d.Root), new EquatableArray<Finding>(new[] { finding }), d.Root.Span);
    }

    private static string HintName(Declaration d)
    {
        var name = d.Root.FullName.Replace('<', '_').Replace('>', '_').Replace(',', '_');
        if (!d.NameClashes) return name + ".g.cs";
        // FNV-1a of the exact name: stable across runs and machines, different for names that differ in case.
        uint hash = 2166136261;
        foreach (char c in d.Root.FullName) hash = (hash ^ c) * 16777619;
        return name + "." + hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
    }

    private static void AddSource(SourceProductionContext spc, Generated? g, bool blockNamespace)
    {
        if (g?.Source != null) spc.AddSource(g.HintName, blockNamespace ? ModuleEmitter.WithBlockNamespace(g.Source) : g.Source);
    }
}

/// <summary>Roslyn descriptors made from the core's rules (texts and ids live in the core).</summary>
public static class Descriptors
{
    private static readonly ConcurrentDictionary<string, DiagnosticDescriptor> Cache = new();

    public static DiagnosticDescriptor For(string id) => Cache.GetOrAdd(id, static key => Make(Rules.ById(key)!));

    public static DiagnosticDescriptor For(Rule rule) => For(rule.Id);

    private static DiagnosticDescriptor Make(Rule r) => new(
        r.Id, r.Title, r.MessageFormat, r.Category,
        r.Severity switch
        {
            Severity.Error => DiagnosticSeverity.Error,
            Severity.Warning => DiagnosticSeverity.Warning,
            Severity.Info => DiagnosticSeverity.Info,
            _ => DiagnosticSeverity.Hidden,
        },
        isEnabledByDefault: true, description: r.Description + " See " + r.DocsPath + " in the ArchDsl repository.", helpLinkUri: null,
        // A declaration error means no module was generated: no severity setting (category-wide or the rule's own)
        // may hide that. Judgement rules stay configurable.
        customTags: r.IsJudgement ? System.Array.Empty<string>() : new[] { WellKnownDiagnosticTags.NotConfigurable });

    public static IEnumerable<DiagnosticDescriptor> All()
    {
        foreach (var r in Rules.All) yield return For(r.Id);
    }
}
