using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Diagnostics;
using ArchDsl.Generators.Reading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ArchDsl.Generators;

/// <summary>
/// Reports every ADSL finding, declaration errors and judgement alike. Diagnostics a source generator reports reach
/// no public Roslyn API (<c>CompilationWithAnalyzers</c>, <c>SemanticModel.GetDiagnostics</c>), so language servers
/// do not show them; an analyzer's do, and the compiler applies #pragma, .editorconfig and category severities to
/// them itself. Each [Model] and [Block] class is read as the generator reads it (<see cref="ArchDslGenerator.ReadDeclaration"/>)
/// and evaluated by the generator's own code; when the generator has already evaluated an equal declaration (the
/// command-line build runs it first) its findings are taken from <see cref="FindingCache"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ArchDslAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableArray<DiagnosticDescriptor> Supported = Descriptors.All().ToImmutableArray();

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => Supported;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var model = start.Compilation.GetTypeByMetadataName(DeclarationReader.ModelAttribute);
            var block = start.Compilation.GetTypeByMetadataName(DeclarationReader.BlockAttribute);
            if (model is null && block is null) return; // ArchDsl is not referenced
            var session = new Session(start.Compilation, model, block);
            // A tree action, not a symbol action: a model's findings can lie in a block's file, and a host shows a
            // finding while its file is open only when the action that reports it ran for that file (a local diagnostic).
            start.RegisterSyntaxTreeAction(session.AnalyzeTree);
        });
    }

    /// <summary>One compilation's findings, computed once (on the first file analyzed), by the tree they lie in.</summary>
    private sealed class Session
    {
        private readonly Compilation _compilation;
        private readonly INamedTypeSymbol? _model;
        private readonly INamedTypeSymbol? _block;
        private readonly ConcurrentDictionary<INamedTypeSymbol, Declaration> _blocks = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<string, SyntaxTree> _trees = new(StringComparer.Ordinal);
        private readonly bool _rawStringLiterals;
        private readonly object _gate = new();
        private Dictionary<SyntaxTree, List<Diagnostic>>? _byTree;

        public Session(Compilation compilation, INamedTypeSymbol? model, INamedTypeSymbol? block)
        {
            _compilation = compilation;
            _model = model;
            _block = block;
            foreach (var t in compilation.SyntaxTrees)
                if (!_trees.ContainsKey(t.FilePath)) _trees.Add(t.FilePath, t);
            _rawStringLiterals = compilation.SyntaxTrees.FirstOrDefault()?.Options is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp11 };
        }

        public void AnalyzeTree(SyntaxTreeAnalysisContext context)
        {
            if (DeclarationReader.IsGenerated(context.Tree)) return;
            Dictionary<SyntaxTree, List<Diagnostic>> byTree;
            // Computed under a lock so concurrent files wait for one evaluation; a cancelled one is not kept.
            lock (_gate) byTree = _byTree ??= Compute(context.Options, context.CancellationToken);
            if (byTree.TryGetValue(context.Tree, out var found))
                foreach (var d in found) context.ReportDiagnostic(d);
        }

        private Dictionary<SyntaxTree, List<Diagnostic>> Compute(AnalyzerOptions options, CancellationToken ct)
        {
            var byTree = new Dictionary<SyntaxTree, List<Diagnostic>>();
            var fallback = _compilation.SyntaxTrees.FirstOrDefault(t => !DeclarationReader.IsGenerated(t));
            if (RunFindings.For(_compilation, options.AnalyzerConfigOptionsProvider) is { } run)
            {
                // The generator's run over these very trees, references and options: its findings as they are.
                foreach (var (f, rootPath) in run)
                    Add(byTree, f, _trees.TryGetValue(rootPath, out var rt) ? rt : fallback);
                return byTree;
            }
            foreach (var type in Types(_compilation.Assembly.GlobalNamespace))
            {
                ct.ThrowIfCancellationRequested();
                if (!(type.TypeKind == TypeKind.Class || type.IsRecord)) continue;
                bool marked = false;
                foreach (var a in type.GetAttributes())
                    marked |= a.AttributeClass != null && (SymbolEqualityComparer.Default.Equals(a.AttributeClass, _model) ||
                                                           SymbolEqualityComparer.Default.Equals(a.AttributeClass, _block));
                if (!marked) continue;
                var d = Evaluate(type, options, ct, out var findings);
                var rootTree = _trees.TryGetValue(d.Root.Span.Path, out var rt) ? rt : fallback;
                foreach (var f in findings) Add(byTree, f, rootTree);
            }
            return byTree;
        }

        /// <summary>A finding goes to the tree it lies in, else to its declaration's.</summary>
        private void Add(Dictionary<SyntaxTree, List<Diagnostic>> byTree, Finding f, SyntaxTree? rootTree)
        {
            var diagnostic = ToDiagnostic(f, out var tree);
            tree ??= rootTree;
            if (tree is null) return;
            if (!byTree.TryGetValue(tree, out var list)) byTree.Add(tree, list = new List<Diagnostic>());
            list.Add(diagnostic);
        }

        private static IEnumerable<INamedTypeSymbol> Types(INamespaceSymbol ns)
        {
            foreach (var inner in ns.GetNamespaceMembers())
                foreach (var t in Types(inner)) yield return t;
            var stack = new Stack<INamedTypeSymbol>(ns.GetTypeMembers());
            while (stack.Count > 0)
            {
                var t = stack.Pop();
                yield return t;
                foreach (var nested in t.GetTypeMembers()) stack.Push(nested);
            }
        }

        /// <summary>The declaration as the generator's pipeline builds it, and its findings: the generator's if it
        /// evaluated an equal declaration, else evaluated here by the same code.</summary>
        private Declaration Evaluate(INamedTypeSymbol type, AnalyzerOptions options, CancellationToken ct, out EquatableArray<Finding> findings)
        {
            var d = ArchDslGenerator.ReadDeclaration(type, _compilation, ct);
            // As the generator's pipeline: a model gets its file's judgement options, then its reachable blocks.
            if (d.Root.IsModel && d.ReadError is null) d = d with { Options = OptionsFor(type, d.Root.Span.Path, options) };
            if (d.ReadError is null) d = d with { Blocks = DeclarationGraph.Reachable(d.Root, BlocksReachedFrom(d.Root, ct)) };
            findings = FindingCache.TryGet(d, out var cached) ? cached
                : d.Root.IsModel ? ArchDslGenerator.EmitModel(d, ct, _rawStringLiterals)!.Findings
                : ArchDslGenerator.EmitBlock(d, ct)!.Findings;
            return d;
        }

        /// <summary>The values the generator pairs with the model: those of its first part's file, else the global ones.</summary>
        private static OptionValues OptionsFor(INamedTypeSymbol type, string path, AnalyzerOptions options)
        {
            var tree = type.DeclaringSyntaxReferences.FirstOrDefault()?.SyntaxTree;
            return OptionValues.Read(options.AnalyzerConfigOptionsProvider, tree != null && tree.FilePath == path ? tree : null);
        }

        /// <summary>Every [Block] class of this compilation that the declaration names, transitively (a superset of
        /// what <see cref="DeclarationGraph.Reachable"/> then keeps), each read once per compilation.</summary>
        private List<ModuleDecl> BlocksReachedFrom(ModuleDecl root, CancellationToken ct)
        {
            var found = new List<ModuleDecl>();
            var seen = new HashSet<string>(StringComparer.Ordinal) { root.FullName };
            var queue = new Queue<ModuleDecl>();
            queue.Enqueue(root);
            while (queue.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                foreach (var member in queue.Dequeue().Members)
                    foreach (var attr in member.Attributes)
                        foreach (var arg in attr.Positional.Concat(attr.Named.Select(n => n.Value)))
                        {
                            if (arg is not { Kind: ArgKind.Type, Text: { } name } || !seen.Add(name)) continue;
                            if (_compilation.Assembly.GetTypeByMetadataName(name) is not { } t || !IsBlock(t)) continue;
                            var read = _blocks.GetOrAdd(t, b => ArchDslGenerator.ReadDeclaration(b, _compilation, ct)).Root;
                            found.Add(read);
                            queue.Enqueue(read);
                        }
            }
            return found;
        }

        private bool IsBlock(INamedTypeSymbol t) =>
            _block != null && (t.TypeKind == TypeKind.Class || t.IsRecord) &&
            t.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _block));

        private Diagnostic ToDiagnostic(Finding f, out SyntaxTree? tree)
        {
            var rule = Descriptors.For(f.Id);
            var properties = ImmutableDictionary<string, string?>.Empty;
            foreach (var kv in f.Properties()) properties = properties.SetItem(kv.Key, kv.Value);
            // Findings are located in the user's syntax trees, so pragmas, squiggles and code fixes act on them.
            if (!_trees.TryGetValue(f.Span.Path, out tree) || f.Span.Start + f.Span.Length > tree.Length) tree = null;
            var location = tree != null
                ? Location.Create(tree, new Microsoft.CodeAnalysis.Text.TextSpan(f.Span.Start, f.Span.Length))
                : DeclarationReader.ToLocation(f.Span);
            return Diagnostic.Create(rule, location, properties, f.Args.ToArray());
        }
    }
}

/// <summary>
/// Findings of the declarations the generator evaluated, by declaration (compared by value), so the analyzer that
/// reports them does not evaluate an unchanged declaration again. Bounded: emptied when full.
/// </summary>
internal static class FindingCache
{
    private const int Capacity = 1024;
    private static readonly Dictionary<Declaration, EquatableArray<Finding>> Entries = new();
    private static readonly object Gate = new();

    /// <summary>Only the file name's suffix depends on another declaration; findings never do.</summary>
    private static Declaration Key(Declaration d) => d.NameClashes ? d with { NameClashes = false } : d;

    public static void Store(Declaration d, EquatableArray<Finding> findings)
    {
        var key = Key(d);
        lock (Gate)
        {
            if (Entries.Count >= Capacity) Entries.Clear();
            Entries[key] = findings;
        }
    }

    public static bool TryGet(Declaration d, out EquatableArray<Finding> findings)
    {
        var key = Key(d);
        bool hit;
        lock (Gate) hit = Entries.TryGetValue(key, out findings);
        System.Threading.Interlocked.Increment(ref hit ? ref _hits : ref _misses);
        return hit;
    }

    private static long _hits, _misses;

    /// <summary>Lookups answered and not answered so far in this process (for the benchmarks).</summary>
    public static (long Hits, long Misses) Counts => (System.Threading.Interlocked.Read(ref _hits), System.Threading.Interlocked.Read(ref _misses));
}

/// <summary>
/// Every finding of one generator run, kept with what determines them: the compilation's trees and references (by
/// identity), its options, and the judgement option values per file. Held weakly by the run's first tree, so an entry
/// lives no longer than the compilation's sources.
/// </summary>
internal sealed class RunFindings
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxTree, RunFindings> ByFirstTree = new();
    private static readonly object Gate = new();

    private SyntaxTree[] _trees = Array.Empty<SyntaxTree>();
    private MetadataReference[] _references = Array.Empty<MetadataReference>();
    private CompilationOptions? _options;
    private OptionSet? _judgement;
    private (Finding Finding, string RootPath)[] _findings = Array.Empty<(Finding, string)>();

    /// <summary>Findings with their declaration's path, as the pipeline compares them (by value).</summary>
    public static EquatableArray<FindingAt> Of(ImmutableArray<Generated?> models, ImmutableArray<Generated?> blocks)
    {
        var all = new List<FindingAt>();
        foreach (var g in models.Concat(blocks))
            if (g != null)
                foreach (var f in g.Findings) all.Add(new FindingAt(f, g.Span.Path));
        return new EquatableArray<FindingAt>(all.ToArray());
    }

    public static void Store(Compilation compilation, EquatableArray<FindingAt> findings, OptionSet judgement)
    {
        var trees = compilation.SyntaxTrees.ToArray();
        if (trees.Length == 0) return;
        var entry = new RunFindings
        {
            _trees = trees,
            _references = compilation.References.ToArray(),
            _options = compilation.Options,
            _judgement = judgement,
            _findings = findings.Select(f => (f.Finding, f.RootPath)).ToArray(),
        };
        lock (Gate)
        {
            ByFirstTree.Remove(trees[0]);
            ByFirstTree.Add(trees[0], entry);
        }
    }

    /// <summary>The run over this compilation's own sources (the generated ones left out), or null.</summary>
    public static (Finding Finding, string RootPath)[]? For(Compilation compilation, Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider options)
    {
        var trees = compilation.SyntaxTrees.Where(t => !DeclarationReader.IsGenerated(t)).ToArray();
        if (trees.Length == 0) return null;
        RunFindings? entry;
        lock (Gate) if (!ByFirstTree.TryGetValue(trees[0], out entry)) return null;
        if (!Same(entry._trees, trees) || !Same(entry._references, compilation.References.ToArray()) ||
            !Equals(entry._options, compilation.Options) || entry._judgement is null)
            return null;
        // Judgement thresholds are read per file: the same files must give the same values to this analyzer.
        if (!entry._judgement.Global.Equals(OptionValues.Read(options, null))) return null;
        foreach (var o in entry._judgement.ByPath)
        {
            var tree = trees.FirstOrDefault(t => t.FilePath == o.Path);
            if (tree is null || !o.Equals(OptionValues.Read(options, tree))) return null;
        }
        return entry._findings;
    }

    private static bool Same<T>(T[] a, T[] b) where T : class
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (!ReferenceEquals(a[i], b[i])) return false;
        return true;
    }
}

/// <summary>A finding and the path of the declaration that produced it.</summary>
internal sealed record FindingAt(Finding Finding, string RootPath);
