using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using ArchDsl.Core.Declarations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchDsl.Generators.Reading;

/// <summary>
/// Turns an attributed class into the core's plain declaration records. This is the only place that
/// looks at Roslyn symbols; everything after it works on values.
/// </summary>
public static class DeclarationReader
{
    public const string AttributeNamespace = "ArchDsl";
    public const string ModelAttribute = "ArchDsl.ModelAttribute";
    public const string BlockAttribute = "ArchDsl.BlockAttribute";

    private static readonly SymbolDisplayFormat FullName = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.None);

    public static string NameOf(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(FullName);

    /// <summary>Blocks as read, per compilation: models share blocks (the generator reads a teacher with its blocks).</summary>
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<INamedTypeSymbol, ModuleDecl>> BlockCache = new();

    /// <summary>
    /// A model or block and every block it reaches through Stage and Use. Given the <paramref name="compilation"/>,
    /// blocks are found from the records' type arguments and each block is read once per compilation; without it,
    /// the field attributes are bound to find them.
    /// </summary>
    public static (ModuleDecl Root, EquatableArray<ModuleDecl> Blocks) ReadWithBlocks(INamedTypeSymbol type, CancellationToken ct, Compilation? compilation = null)
    {
        var root = Read(type, ct, compilation);
        var blocks = new List<ModuleDecl>();
        var seen = new HashSet<string>(System.StringComparer.Ordinal) { root.FullName };
        var queue = new Queue<INamedTypeSymbol>();
        Enqueue(type, root, queue, compilation);
        while (queue.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var t = queue.Dequeue();
            if (!seen.Add(NameOf(t))) continue;
            if (!t.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == BlockAttribute)) continue;
            var block = compilation is null ? Read(t, ct) : BlockCache.GetValue(compilation, static _ => new(SymbolEqualityComparer.Default)).GetOrAdd(t, b => Read(b, ct, compilation));
            blocks.Add(block);
            Enqueue(t, block, queue, compilation);
        }
        blocks.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return (root, new EquatableArray<ModuleDecl>(blocks.ToArray()));
    }

    /// <summary>
    /// The model named by the class's <c>[Teacher(typeof(T))]</c>, when T is another [Model] class of the same
    /// compilation; null otherwise. A model from a referenced assembly is not read: its private layer fields are
    /// not in the metadata, so it could not be evaluated.
    /// </summary>
    public static INamedTypeSymbol? TeacherOf(INamedTypeSymbol type)
    {
        foreach (var a in type.GetAttributes())
        {
            if (a.AttributeClass?.ToDisplayString() != AttributeNamespace + ".TeacherAttribute") continue;
            if (a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is INamedTypeSymbol t &&
                !SymbolEqualityComparer.Default.Equals(t, type) &&
                SymbolEqualityComparer.Default.Equals(t.ContainingAssembly, type.ContainingAssembly) &&
                t.GetAttributes().Any(m => m.AttributeClass?.ToDisplayString() == ModelAttribute))
                return t;
        }
        return null;
    }

    private static void Enqueue(INamedTypeSymbol type, ModuleDecl read, Queue<INamedTypeSymbol> queue, Compilation? compilation)
    {
        if (compilation != null && TypeArguments(read, compilation) is { } found)
        {
            foreach (var t in found) queue.Enqueue(t);
            return;
        }
        foreach (var field in Fields(type))
            foreach (var a in field.GetAttributes())
                if (IsOurs(a))
                    foreach (var arg in a.ConstructorArguments)
                        if (arg.Kind == TypedConstantKind.Type && arg.Value is INamedTypeSymbol t)
                            queue.Enqueue(t);
    }

    /// <summary>
    /// The types named by the records' type arguments, when each is a top-level type of this compilation (what
    /// <c>typeof</c> of a block is); null when one is not, and the caller binds instead.
    /// </summary>
    private static List<INamedTypeSymbol>? TypeArguments(ModuleDecl read, Compilation compilation)
    {
        var found = new List<INamedTypeSymbol>();
        foreach (var member in read.Members)
            foreach (var a in member.Attributes)
            {
                // Type arguments are positional in every ArchDsl attribute; a named one is looked up all the same.
                foreach (var arg in a.Positional.Concat(a.Named.Select(n => n.Value)))
                {
                    if (arg.Kind != ArgKind.Type) continue;
                    if (arg.Text is null || compilation.GetTypeByMetadataName(arg.Text) is not { ContainingType: null, Arity: 0 } t ||
                        !SymbolEqualityComparer.Default.Equals(t.ContainingAssembly, compilation.Assembly))
                        return null;
                    found.Add(t);
                }
            }
        return found;
    }

    // Static and const fields are read too, so a layer attribute on one is reported (ADSL0021) rather than ignored.
    private static IEnumerable<IFieldSymbol> Fields(INamedTypeSymbol type) =>
        type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsImplicitlyDeclared && !IsGenerated(f));

    /// <summary>
    /// Whether a tree is this generator's output. The generator reads a compilation without it; the analyzer reads the
    /// compilation that holds it (csc and IDEs analyze the generated code with the user's), and must read the same
    /// declaration, so everything the generated part adds (constructor, base class, members) is left out.
    /// Roslyn names a generated tree {assembly}/{generator type}/{hint name}, under a base folder or none.
    /// </summary>
    public static bool IsGenerated(SyntaxTree? tree) =>
        tree != null && (tree.FilePath.Contains(GeneratorFolder + "/") || tree.FilePath.Contains(GeneratorFolder + "\\"));

    private const string GeneratorFolder = "ArchDsl.Generators.ArchDslGenerator";

    /// <summary>A member declared only in this generator's output.</summary>
    private static bool IsGenerated(ISymbol m) =>
        m.DeclaringSyntaxReferences.Length > 0 && m.DeclaringSyntaxReferences.All(r => IsGenerated(r.SyntaxTree));

    /// <summary>The base class the user's parts declare: the generated part's <c>nn.Module</c> is not one.</summary>
    private static INamedTypeSymbol? DeclaredBase(INamedTypeSymbol type, Compilation? compilation, CancellationToken ct)
    {
        var baseType = type.BaseType;
        if (baseType is null || baseType.SpecialType == SpecialType.System_Object) return baseType;
        if (!type.DeclaringSyntaxReferences.Any(r => IsGenerated(r.SyntaxTree))) return baseType;
        foreach (var r in type.DeclaringSyntaxReferences)
        {
            if (IsGenerated(r.SyntaxTree) || r.GetSyntax(ct) is not TypeDeclarationSyntax { BaseList: { } list }) continue;
            foreach (var t in list.Types)
            {
                // Only binding tells a base class from an interface; a part that names one is rare.
                var bound = compilation?.GetSemanticModel(r.SyntaxTree).GetTypeInfo(t.Type, ct).Type;
                if (bound is null || bound.TypeKind == TypeKind.Class) return baseType;
            }
        }
        return baseType.BaseType is { SpecialType: SpecialType.System_Object } o ? o : compilation?.GetSpecialType(SpecialType.System_Object) ?? baseType;
    }

    /// <summary>
    /// Reads one class. Given the <paramref name="compilation"/> the class belongs to, field attributes that are
    /// plain literals are read from syntax (<see cref="LiteralAttributeReader"/>) and only the rest are bound;
    /// the records are the same either way.
    /// </summary>
    public static ModuleDecl Read(INamedTypeSymbol type, CancellationToken ct, Compilation? compilation = null)
    {
        var classAttributes = new List<AttributeDecl>();
        bool isModel = false;
        foreach (var a in type.GetAttributes())
        {
            if (!IsOurs(a)) continue;
            var decl = ReadAttribute(a, ct);
            if (decl.Name == "Model") isModel = true;
            classAttributes.Add(decl);
        }

        var literal = compilation is null ? null : LiteralAttributeReader.For(compilation, type);
        var parts = type.DeclaringSyntaxReferences;
        var members = new List<MemberDecl>();
        foreach (var field in Fields(type))
        {
            var syntax = field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct);
            var attrs = literal?.TryRead(syntax);
            if (attrs is null)
            {
                attrs = new List<AttributeDecl>();
                foreach (var a in field.GetAttributes())
                    if (IsOurs(a)) attrs.Add(ReadAttribute(a, ct));
            }
            if (attrs.Count == 0) continue;
            var typeSyntax = (syntax?.Parent as VariableDeclarationSyntax)?.Type;
            // A nullable annotation is kept, so `Linear? fc` is ADSL0009: the constructor always sets the field, and the
            // generated code dereferences it.
            var typeName = NameOf(field.Type) + (field.NullableAnnotation == NullableAnnotation.Annotated && field.Type.IsReferenceType ? "?" : "");
            members.Add(new MemberDecl(field.Name, typeName, new EquatableArray<AttributeDecl>(attrs.ToArray()), SpanOf(syntax),
                typeSyntax is null ? null : SpanOf(typeSyntax), IsInstance: !field.IsStatic && !field.IsConst, Part: PartOf(parts, syntax))
            {
                TypeUnresolved = field.Type.TypeKind == TypeKind.Error,
            });
        }

        bool isPartial = false;
        SyntaxNode? identifierHolder = null;
        foreach (var r in type.DeclaringSyntaxReferences)
            if (!IsGenerated(r.SyntaxTree) && r.GetSyntax(ct) is TypeDeclarationSyntax tds)
            {
                identifierHolder ??= tds;
                // A record's generated part would have to be a record too: only a partial class takes a module part.
                if (tds is ClassDeclarationSyntax && tds.Modifiers.Any(m => m.Text == "partial")) isPartial = true;
            }

        var baseType = DeclaredBase(type, compilation, ct);
        bool foreignBase = baseType != null && baseType.SpecialType != SpecialType.System_Object &&
                           !NameOf(baseType).StartsWith("TorchSharp.torch.nn.Module<", System.StringComparison.Ordinal);

        var span = identifierHolder is TypeDeclarationSyntax c ? SpanOf(c.Identifier) : SourceSpan.None;
        return new ModuleDecl(
            type.Name,
            type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
            NameOf(type),
            isModel,
            type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
            isPartial,
            type.ContainingType != null,
            type.TypeParameters.Length > 0,
            foreignBase,
            new EquatableArray<AttributeDecl>(classAttributes.ToArray()),
            new EquatableArray<MemberDecl>(members.ToArray()),
            span)
        {
            TakesGeneratedConstructor = !type.IsStatic && !type.IsFileLocal && baseType?.SpecialType == SpecialType.System_Object &&
                                        type.InstanceConstructors.All(k => k.IsImplicitlyDeclared || IsGenerated(k)),
            IsAbstract = type.IsAbstract && !type.IsStatic,
            IsStaticOrFileLocal = type.IsStatic || type.IsFileLocal,
            OtherMembers = OtherMembers(type, members),
            HidesTorchSharp = HidesTorchSharp(type, compilation),
        };
    }

    /// <summary>
    /// Types and namespaces named nn or torch that generated code's <c>nn.Conv2d</c> and <c>torch.Tensor</c> would bind to
    /// instead of TorchSharp's: the class itself or a type nested in it, or one in an enclosing namespace (of any assembly,
    /// the global namespace included), which lookup reaches before the file's using directives.
    /// </summary>
    private static EquatableArray<string> HidesTorchSharp(INamedTypeSymbol type, Compilation? compilation)
    {
        var chain = new List<INamespaceSymbol>();
        for (var ns = type.ContainingNamespace; ns != null; ns = ns.ContainingNamespace) chain.Add(ns);
        if (compilation != null)
        {
            // The compilation's namespaces merge every assembly's; a source symbol's own hold this assembly's types only.
            INamespaceSymbol? merged = compilation.GlobalNamespace;
            var walked = new List<INamespaceSymbol> { merged };
            for (int i = chain.Count - 2; i >= 0 && merged != null; i--)
            {
                merged = merged.GetNamespaceMembers().FirstOrDefault(n => n.Name == chain[i].Name);
                if (merged != null) walked.Add(merged);
            }
            chain = walked;
        }
        List<string>? found = null;
        foreach (var name in Core.Layers.LayerCatalog.TorchSharpNames)
        {
            // A type nested in the class is one of its members: ADSL0020 reports it (OtherMembers).
            var hit = type.Name == name ? type
                : chain.SelectMany(ns => ns.GetMembers(name)).FirstOrDefault(m => m is INamespaceSymbol || m is INamedTypeSymbol { Arity: 0 });
            if (hit is null || hit.ContainingAssembly?.Name == "TorchSharp") continue;
            (found ??= new List<string>()).Add(hit.ToDisplayString());
        }
        return found is null ? EquatableArray<string>.Empty : new EquatableArray<string>(found.ToArray());
    }

    /// <summary>
    /// Names of the class's members other than its layer fields, as written in source (the generated part is not in the
    /// compilation a generator reads): methods, properties, events, plain fields, nested types.
    /// </summary>
    private static EquatableArray<MemberName> OtherMembers(INamedTypeSymbol type, List<MemberDecl> layers)
    {
        List<MemberName>? names = null;
        foreach (var m in type.GetMembers())
        {
            // A generic nested type is not found by a plain name (nn.Conv2d), nor does it clash with one (Summary).
            if (m.IsImplicitlyDeclared || IsGenerated(m) || m is IMethodSymbol { MethodKind: not MethodKind.Ordinary } || m is INamedTypeSymbol { Arity: > 0 }) continue;
            if (m is IFieldSymbol && layers.Any(l => l.Name == m.Name)) continue;
            var at = m.Locations.FirstOrDefault(l => l.IsInSource);
            if (at is null) continue;
            (names ??= new List<MemberName>()).Add(new MemberName(m.Name, SpanOf(at)));
        }
        return names is null ? EquatableArray<MemberName>.Empty : new EquatableArray<MemberName>(names.ToArray());
    }

    /// <summary>
    /// A TorchSharp module compiled into another assembly than TorchSharp itself: likely a block generated there (its
    /// attributes are not kept), which this compilation cannot read from source. Not System.String, nor a TorchSharp layer.
    /// </summary>
    private static bool IsCompiledArchDslClass(ITypeSymbol t)
    {
        if (t.TypeKind != TypeKind.Class || !t.DeclaringSyntaxReferences.IsEmpty || t.ContainingAssembly?.Name is null or "TorchSharp") return false;
        for (var b = t.BaseType; b != null; b = b.BaseType)
            if (NameOf(b).StartsWith("TorchSharp.torch.nn.Module", System.StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>Which of the class's declarations (partial parts) holds <paramref name="member"/>; 0 when there is one.</summary>
    private static int PartOf(ImmutableArray<SyntaxReference> parts, SyntaxNode? member)
    {
        if (parts.Length < 2 || member is null) return 0;
        for (int i = 0; i < parts.Length; i++)
            if (parts[i].SyntaxTree == member.SyntaxTree && parts[i].Span.Contains(member.Span)) return i;
        return 0;
    }

    private static bool IsOurs(AttributeData a) =>
        a.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == AttributeNamespace && c.Name.EndsWith("Attribute", System.StringComparison.Ordinal);

    private static AttributeDecl ReadAttribute(AttributeData a, CancellationToken ct)
    {
        var name = a.AttributeClass!.Name;
        name = name.Substring(0, name.Length - "Attribute".Length);
        var syntax = a.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        var args = syntax?.ArgumentList?.Arguments ?? default;
        var positionalSyntax = args.Where(x => x.NameEquals is null && x.NameColon is null).ToList();
        var attrSpan = SpanOf(syntax);

        var positional = new List<ArgValue>();
        for (int i = 0; i < a.ConstructorArguments.Length; i++)
        {
            var tc = a.ConstructorArguments[i];
            // A params array spans the remaining syntax arguments; otherwise one argument each.
            SourceSpan span = attrSpan;
            if (i < positionalSyntax.Count)
            {
                span = SpanOf(positionalSyntax[i]);
                if (tc.Kind == TypedConstantKind.Array && i == a.ConstructorArguments.Length - 1 && positionalSyntax.Count > i + 1)
                    span = Merge(span, SpanOf(positionalSyntax[positionalSyntax.Count - 1]));
            }
            else if (i >= positionalSyntax.Count)
            {
                // Optional constructor argument left at its default: not written, so not passed on.
                if (a.AttributeConstructor is { } ctor && i < ctor.Parameters.Length && ctor.Parameters[i].HasExplicitDefaultValue)
                    continue;
            }
            // A params double[] (the widths of [Slimmable]): one argument per number, each at its own span, so that a
            // finding about one width points at it.
            if (tc.Kind == TypedConstantKind.Array && !tc.IsNull && tc.Values.Length > 0 && tc.Values.All(v => v.Value is double))
            {
                bool each = i == a.ConstructorArguments.Length - 1 && positionalSyntax.Count - i == tc.Values.Length;
                for (int j = 0; j < tc.Values.Length; j++)
                    positional.Add(ArgValue.OfDouble((double)tc.Values[j].Value!, each ? SpanOf(positionalSyntax[i + j]) : span));
                continue;
            }
            positional.Add(Convert(tc, span));
        }

        var named = new List<NamedArg>();
        foreach (var kv in a.NamedArguments)
        {
            // ValueText: `@Bias = false` and `B\u0069as = false` name the property Bias.
            var s = args.FirstOrDefault(x => x.NameEquals?.Name.Identifier.ValueText == kv.Key);
            named.Add(new NamedArg(kv.Key, Convert(kv.Value, s is null ? attrSpan : SpanOf(s))));
        }
        return new AttributeDecl(name, new EquatableArray<ArgValue>(positional.ToArray()), new EquatableArray<NamedArg>(named.ToArray()), attrSpan)
        {
            // Also an argument the compiler could not bind (`Activation = Act.Relu`: CS0117), which it reports itself.
            HasCompilerError = a.AttributeConstructor is null || a.ConstructorArguments.Any(t => t.Kind == TypedConstantKind.Error) ||
                               a.NamedArguments.Any(kv => kv.Value.Kind == TypedConstantKind.Error),
        };
    }

    private static ArgValue Convert(TypedConstant tc, SourceSpan span)
    {
        switch (tc.Kind)
        {
            case TypedConstantKind.Primitive:
                return tc.Value switch
                {
                    int i => ArgValue.OfInt(i, span),
                    long l => ArgValue.OfInt(l, span),
                    short s => ArgValue.OfInt(s, span),
                    byte b => ArgValue.OfInt(b, span),
                    double d => ArgValue.OfDouble(d, span),
                    float f => ArgValue.OfDouble(f, span),
                    bool b => ArgValue.OfBool(b, span),
                    string s => ArgValue.OfString(s, span),
                    null => ArgValue.OfNull(span),
                    _ => ArgValue.OfError(span),
                };
            case TypedConstantKind.Enum:
                if (tc.Type is INamedTypeSymbol e)
                    foreach (var m in e.GetMembers().OfType<IFieldSymbol>())
                        if (m.HasConstantValue && Equals(m.ConstantValue, tc.Value))
                            return ArgValue.OfEnum(m.Name, EnumValue(tc.Value), span);
                return ArgValue.OfError(span);
            case TypedConstantKind.Type:
                return tc.Value is ITypeSymbol t
                    ? ArgValue.OfType(NameOf(t), span, compiledClass: IsCompiledArchDslClass(t))
                    : ArgValue.OfError(span);
            case TypedConstantKind.Array:
                if (tc.IsNull) return ArgValue.OfNull(span);
                var values = new List<long>();
                foreach (var item in tc.Values)
                {
                    if (item.Value is int i) values.Add(i);
                    else if (item.Value is long l) values.Add(l);
                    else return ArgValue.OfError(span);
                }
                return ArgValue.OfInts(values.ToArray(), span);
            default:
                return ArgValue.OfError(span);
        }
    }

    /// <summary>An enum constant as a long; a ulong above long.MaxValue wraps rather than throwing (no ArchDsl enum is that wide).</summary>
    internal static long EnumValue(object? value) =>
        value is ulong u ? unchecked((long)u) : System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);

    // From the tree and span directly, as GetLocation().GetLineSpan() gives them, without a Location per span read.
    public static SourceSpan SpanOf(SyntaxNode? node) => node is null ? SourceSpan.None : SpanOf(node.SyntaxTree, node.Span);

    public static SourceSpan SpanOf(SyntaxToken token) => token.SyntaxTree is { } tree ? SpanOf(tree, token.Span) : SpanOf(token.GetLocation());

    public static SourceSpan SpanOf(Location location) =>
        location.SourceTree is { } tree ? SpanOf(tree, location.SourceSpan) : SpanOf(location.GetLineSpan(), location.SourceSpan);

    private static SourceSpan SpanOf(SyntaxTree tree, Microsoft.CodeAnalysis.Text.TextSpan span) => SpanOf(tree.GetLineSpan(span), span);

    private static SourceSpan SpanOf(FileLinePositionSpan line, Microsoft.CodeAnalysis.Text.TextSpan span) =>
        new(line.Path ?? "", span.Start, span.Length,
            line.StartLinePosition.Line, line.StartLinePosition.Character, line.EndLinePosition.Line, line.EndLinePosition.Character);

    internal static SourceSpan Merge(SourceSpan a, SourceSpan b) =>
        new(a.Path, a.Start, b.Start + b.Length - a.Start, a.StartLine, a.StartColumn, b.EndLine, b.EndColumn);

    /// <summary>The Roslyn location of a core span.</summary>
    public static Location ToLocation(SourceSpan span) =>
        span.IsNone
            ? Location.None
            : Location.Create(span.Path, new Microsoft.CodeAnalysis.Text.TextSpan(span.Start, span.Length),
                new Microsoft.CodeAnalysis.Text.LinePositionSpan(
                    new Microsoft.CodeAnalysis.Text.LinePosition(span.StartLine, span.StartColumn),
                    new Microsoft.CodeAnalysis.Text.LinePosition(span.EndLine, span.EndColumn)));
}
