using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using ArchDsl.Core.Declarations;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchDsl.Generators.Reading;

/// <summary>
/// Reads a field's ArchDsl attributes from syntax, without binding them, where that is built to give what binding
/// gives: every argument a literal, <c>typeof</c> of a uniquely named type in scope, an ArchDsl enum member or
/// <c>nameof</c> of a field, and every name one that can only mean ArchDsl's type. Anything it does not model, it
/// declines (answers null) and the caller binds.
/// </summary>
/// <remarks>
/// Why: after any edit, the generator re-reads every declaration against the new compilation (that is how
/// <c>ForAttributeWithMetadataName</c> works), and binding every field attribute was most of the time from an
/// edit to updated output. Why a simple name such as <c>Linear</c> then means <c>ArchDsl.LinearAttribute</c>: the
/// class's own <c>[Model]</c>/<c>[Block]</c>, already bound, was written as a simple name in the same declaration,
/// so ArchDsl's types are in scope there (aliases and extern aliases are excluded); and no other type or namespace
/// that could win or tie the lookup exists in the source or in any reference (a type nested in a referenced type
/// or a static member of one counts only where it can be in scope: through a `using static`; a declaration with a
/// referenced base class is bound; a referenced type this assembly cannot access never wins a lookup, so the one
/// <c>typeof</c> names is not turned off by it). Equivalence with the bound reading
/// is tested on the fuzz corpus and on cases written to break it (LiteralReadingAdversarialTests).
/// </remarks>
internal sealed class LiteralAttributeReader
{
    private readonly Scope _scope;
    private readonly ClassDeclarationSyntax _declaration;
    private readonly INamedTypeSymbol _type;

    private LiteralAttributeReader(Scope scope, ClassDeclarationSyntax declaration, INamedTypeSymbol type)
    {
        _scope = scope;
        _declaration = declaration;
        _type = type;
    }

    /// <summary>A reader for the fields of <paramref name="type"/>, or null when its declaration does not allow one.</summary>
    public static LiteralAttributeReader? For(Compilation compilation, INamedTypeSymbol type)
    {
        if (type.TypeParameters.Length > 0 || type.ContainingType != null) return null;
        // A base class's nested types and static members are in scope in the class's attributes. Source ones are among
        // the source symbols the scope checks; with a base class from another assembly anywhere in the chain: bind.
        for (var b = type.BaseType; b != null && b.SpecialType != SpecialType.System_Object; b = b.BaseType)
            if (!SymbolEqualityComparer.Default.Equals(b.ContainingAssembly, compilation.Assembly)) return null;
        // A block or teacher of a referenced project is read against its own compilation's scope, not this one's.
        if (!SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, compilation.Assembly)) return null;
        var scope = Scope.Of(compilation);
        if (!scope.Usable) return null;
        foreach (var a in type.GetAttributes())
        {
            var name = a.AttributeClass?.Name;
            if (name != "ModelAttribute" && name != "BlockAttribute") continue;
            // The class ArchDsl's namespace holds under that name, not a copy reached another way (an extern alias).
            if (!scope.IsArchDslType(a.AttributeClass!)) continue;
            if (a.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax { Name: IdentifierNameSyntax } syntax) continue;
            // Primary-constructor parameters are in scope in field attributes and would hide a type of their name.
            if (syntax.Parent?.Parent is ClassDeclarationSyntax { ParameterList: null } declaration &&
                !scope.IsAlias(((IdentifierNameSyntax)syntax.Name).Identifier.ValueText))
                return new LiteralAttributeReader(scope, declaration, type);
        }
        return null;
    }

    /// <summary>The field's ArchDsl attributes in source order, or null when they must be bound.</summary>
    /// <param name="declarator">The field's declarator (as its symbol's syntax reference gives it).</param>
    public List<AttributeDecl>? TryRead(SyntaxNode? declarator)
    {
        if (declarator?.Parent?.Parent is not FieldDeclarationSyntax field || field.Parent != _declaration) return null;
        var result = new List<AttributeDecl>();
        foreach (var list in field.AttributeLists)
        {
            if (list.Target != null) return null;
            foreach (var attribute in list.Attributes)
            {
                // @Linear names Linear only, never LinearAttribute: left to the compiler.
                if (attribute.Name is not IdentifierNameSyntax id || id.Identifier.IsVerbatimIdentifier()) return null;
                var written = id.Identifier.ValueText;
                if (_scope.IsAlias(written)) return null;
                var resolution = _scope.Attribute(written, out var attributeClass);
                if (resolution == Resolution.NotOurs) continue;
                if (resolution == Resolution.Unknown || !_scope.Modelled(attributeClass!)) return null;
                var decl = Read(attribute, attributeClass!);
                if (decl is null) return null;
                result.Add(decl);
            }
        }
        return result;
    }

    private AttributeDecl? Read(AttributeSyntax attribute, INamedTypeSymbol attributeClass)
    {
        var args = attribute.ArgumentList?.Arguments ?? default;
        var positional = new List<AttributeArgumentSyntax>();
        var named = new List<AttributeArgumentSyntax>();
        foreach (var arg in args)
        {
            if (arg.NameColon != null) return null;
            if (arg.NameEquals != null) named.Add(arg);
            else positional.Add(arg);
        }
        var attrSpan = DeclarationReader.SpanOf(attribute);

        // The constructor C# would choose, when exactly one applies (every constructor is public and takes only
        // types this reader converts, so "applies" means the same here as for the compiler).
        List<ArgValue>? chosen = null;
        foreach (var ctor in attributeClass.InstanceConstructors)
        {
            var values = Apply(ctor, positional, attrSpan);
            if (values is null) continue;
            if (chosen != null) return null;
            chosen = values;
        }
        if (chosen is null) return null;

        var namedValues = new List<NamedArg>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arg in named)
        {
            var name = arg.NameEquals!.Name.Identifier.ValueText;
            if (!seen.Add(name) || SettableMemberType(attributeClass, name) is not { } type) return null;
            var span = DeclarationReader.SpanOf(arg);
            if (ConvertLiteral(arg.Expression, type, span) is not { } value) return null;
            namedValues.Add(new NamedArg(name, value));
        }

        var shortName = attributeClass.Name.Substring(0, attributeClass.Name.Length - "Attribute".Length);
        return new AttributeDecl(shortName, new EquatableArray<ArgValue>(chosen.ToArray()), new EquatableArray<NamedArg>(namedValues.ToArray()), attrSpan);
    }

    /// <summary>The values passed to <paramref name="ctor"/>, as the bound reading records them, or null if it does not apply.</summary>
    private List<ArgValue>? Apply(IMethodSymbol ctor, List<AttributeArgumentSyntax> positional, SourceSpan attrSpan)
    {
        var parameters = ctor.Parameters;
        int n = parameters.Length, k = positional.Count;
        var values = new List<ArgValue>();
        bool expanded = n > 0 && parameters[n - 1].IsParams;
        int fixedCount = expanded ? n - 1 : n;
        if (!expanded && k > n || expanded && k < fixedCount) return null;
        for (int i = 0; i < Math.Min(k, fixedCount); i++)
        {
            if (ConvertLiteral(positional[i].Expression, parameters[i].Type, DeclarationReader.SpanOf(positional[i])) is not { } v) return null;
            values.Add(v);
        }
        if (!expanded)
        {
            // Arguments left out must be optional; the bound reading does not record them either.
            for (int i = k; i < n; i++)
                if (!parameters[i].HasExplicitDefaultValue) return null;
            return values;
        }

        // A params array in its expanded form: the bound reading records one array spanning its arguments.
        if (parameters[n - 1].Type is not IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 } array) return null;
        var items = new List<long>();
        for (int i = fixedCount; i < k; i++)
        {
            if (Integer(positional[i].Expression, array.ElementType.SpecialType) is not { } item) return null;
            items.Add(item);
        }
        var span = k > fixedCount ? DeclarationReader.SpanOf(positional[fixedCount]) : attrSpan;
        if (k > fixedCount + 1) span = DeclarationReader.Merge(span, DeclarationReader.SpanOf(positional[k - 1]));
        values.Add(ArgValue.OfInts(items.ToArray(), span));
        return values;
    }

    private static ITypeSymbol? SettableMemberType(INamedTypeSymbol type, string name)
    {
        for (var t = type; t != null; t = t.BaseType)
            foreach (var m in t.GetMembers(name))
            {
                if (m.DeclaredAccessibility != Accessibility.Public || m.IsStatic) return null;
                return m switch
                {
                    IPropertySymbol { SetMethod: { DeclaredAccessibility: Accessibility.Public } } p => p.Type,
                    IFieldSymbol { IsReadOnly: false, IsConst: false } f => f.Type,
                    _ => null,
                };
            }
        return null;
    }

    /// <summary>A literal argument converted to <paramref name="type"/> as the compiler would, recorded as the bound reading records it.</summary>
    private ArgValue? ConvertLiteral(ExpressionSyntax e, ITypeSymbol type, SourceSpan span)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Int32:
            case SpecialType.System_Int64:
                return Integer(e, type.SpecialType) is { } i ? ArgValue.OfInt(i, span) : null;
            case SpecialType.System_Double:
            case SpecialType.System_Single:
                return Floating(e, type.SpecialType) is { } d ? ArgValue.OfDouble(d, span) : null;
            case SpecialType.System_Boolean:
                return e.Kind() switch
                {
                    SyntaxKind.TrueLiteralExpression => ArgValue.OfBool(true, span),
                    SyntaxKind.FalseLiteralExpression => ArgValue.OfBool(false, span),
                    _ => null,
                };
            case SpecialType.System_String:
                if (e.IsKind(SyntaxKind.StringLiteralExpression)) return ArgValue.OfString(((LiteralExpressionSyntax)e).Token.ValueText, span);
                if (e.IsKind(SyntaxKind.NullLiteralExpression)) return ArgValue.OfNull(span);
                return NameOfField(e) is { } name ? ArgValue.OfString(name, span) : null;
        }
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType) return EnumMember(e, enumType, span);
        if (Scope.IsSystemType(type) &&
            e is TypeOfExpressionSyntax { Type: IdentifierNameSyntax target } && !target.Identifier.IsVerbatimIdentifier() &&
            _scope.UniqueSourceType(target.Identifier.ValueText) is { } named && InScope(named) &&
            // A private type nested in a base class is in scope but not accessible: the compiler reports CS0122.
            _scope.Accessible(named, _type))
            return ArgValue.OfType(DeclarationReader.NameOf(named), span);
        return null;
    }

    /// <summary>
    /// Whether a simple name reaches <paramref name="t"/> from inside this class without any using: a type of this
    /// class's namespace or of one enclosing it, or a type nested in this class or in one of its bases.
    /// </summary>
    private bool InScope(INamedTypeSymbol t)
    {
        if (t.ContainingType is { } outer)
        {
            for (var b = _type; b != null; b = b.BaseType)
                if (SymbolEqualityComparer.Default.Equals(b, outer)) return true;
            return false;
        }
        for (var ns = _type.ContainingNamespace; ns != null; ns = ns.ContainingNamespace)
            if (SymbolEqualityComparer.Default.Equals(ns, t.ContainingNamespace)) return true;
        return false;
    }

    /// <summary>
    /// <c>nameof(x)</c> where <c>x</c> is a field of this declaration (the idiom of <c>Residual(From = nameof(conv1))</c>):
    /// inside the class, the field is the nearest <c>x</c>; a source member called <c>nameof</c> would make it a call.
    /// </summary>
    private string? NameOfField(ExpressionSyntax e)
    {
        if (e is not InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" }, ArgumentList.Arguments: { Count: 1 } args } ||
            args[0].Expression is not IdentifierNameSyntax target || args[0].RefKindKeyword.RawKind != 0 || args[0].NameColon != null ||
            _scope.HasMemberNamedNameof)
            return null;
        var name = target.Identifier.ValueText;
        foreach (var member in _declaration.Members)
            if (member is FieldDeclarationSyntax f)
                foreach (var v in f.Declaration.Variables)
                    if (v.Identifier.ValueText == name) return name;
        return null;
    }

    /// <summary>An integer literal (or its negation) whose type converts implicitly to <paramref name="target"/>.</summary>
    private static long? Integer(ExpressionSyntax e, SpecialType target) => Numeric(e) switch
    {
        int i => i,
        long l when target == SpecialType.System_Int64 => l,
        uint u when target == SpecialType.System_Int64 => u,
        _ => null,
    };

    /// <summary>A numeric literal converted to double or float as the compiler would, widened to double.</summary>
    private static double? Floating(ExpressionSyntax e, SpecialType target)
    {
        var value = Numeric(e);
        if (target == SpecialType.System_Single)
        {
            // One rounding, straight to float, as the compiler converts a constant (long → double → float can round twice).
            float? single = value switch
            {
                int i => i,
                uint u => u,
                long l => l,
                float f => f,
                // ulong → float: the compiler's folding and a JIT-compiled conversion can round differently.
                _ => null,
            };
            return single is { } f1 ? f1 : null;
        }
        return value switch
        {
            int i => i,
            long l => l,
            uint u => u,
            ulong u => u,
            float f => f,
            double d => d,
            _ => null,
        };
    }

    /// <summary>
    /// The constant value of a numeric literal or of its negation, typed as C# types it: the negation of an int is
    /// an int, of a long a long, of a float or double the same; a negated uint or ulong is left to the compiler.
    /// </summary>
    private static object? Numeric(ExpressionSyntax e)
    {
        bool negate = false;
        if (e is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus)
        {
            negate = true;
            e = minus.Operand;
        }
        if (e is not LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } literal) return null;
        var value = literal.Token.Value;
        if (!negate) return value;
        return value switch
        {
            int i when i != int.MinValue => -i,
            long l when l != long.MinValue => -l,
            float f => -f,
            double d => -d,
            _ => null,
        };
    }

    private ArgValue? EnumMember(ExpressionSyntax e, INamedTypeSymbol enumType, SourceSpan span)
    {
        if (e is not MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression, Expression: IdentifierNameSyntax left, Name: IdentifierNameSyntax member })
            return null;
        if (enumType.ContainingType != null || enumType.ContainingNamespace?.ToDisplayString() != DeclarationReader.AttributeNamespace) return null;
        if (left.Identifier.ValueText != enumType.Name || !_scope.OnlyTypeNamed(enumType)) return null;
        // A member of that name (here or inherited) would be found before the type.
        for (var t = _type; t != null; t = t.BaseType)
            if (!t.GetMembers(enumType.Name).IsEmpty) return null;
        object? value = null;
        foreach (var m in enumType.GetMembers(member.Identifier.ValueText))
            if (m is IFieldSymbol { HasConstantValue: true } f) value = f.ConstantValue;
        if (value is null) return null;
        // As the bound reading: the first member with that value names it.
        foreach (var m in enumType.GetMembers().OfType<IFieldSymbol>())
            if (m.HasConstantValue && Equals(m.ConstantValue, value))
                return ArgValue.OfEnum(m.Name, DeclarationReader.EnumValue(value), span);
        return null;
    }

    private enum Resolution { NotOurs, Ours, Unknown }

    /// <summary>What one compilation lets a simple name mean; computed once per compilation, lazily per name.</summary>
    private sealed class Scope
    {
        private static readonly ConditionalWeakTable<Compilation, Scope> PerCompilation = new();
        private static readonly ConditionalWeakTable<IAssemblySymbol, ConcurrentDictionary<(string Name, string Ours, bool AnyType, bool Nested), bool>> AttributeLikeInReference = new();

        private readonly Compilation _compilation;
        private readonly INamespaceSymbol? _archDsl;
        // A type nested in a referenced type, or a static member of one, is in scope by its simple name only through a
        // `using static` (the declaration is top level, and one with a referenced base class is bound). So references
        // are searched for top-level types only, and the types named by `using static` directives for the rest.
        private readonly List<(SyntaxTree Tree, UsingDirectiveSyntax Directive)> _staticUsings = new();
        private readonly Lazy<List<INamedTypeSymbol>?> _staticImports;
        private readonly HashSet<string> _aliases = new(StringComparer.Ordinal);
        private readonly HashSet<string> _nestedInArchDsl = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, (Resolution, INamedTypeSymbol?)> _attributes = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, INamedTypeSymbol?> _sourceTypes = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<ISymbol, bool> _onlyNamed = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<INamedTypeSymbol, bool> _modelled = new(SymbolEqualityComparer.Default);

        public bool Usable { get; }

        public static Scope Of(Compilation compilation) => PerCompilation.GetValue(compilation, static c => new Scope(c));

        private Scope(Compilation compilation)
        {
            _compilation = compilation;
            _archDsl = compilation.GlobalNamespace.GetNamespaceMembers().FirstOrDefault(n => n.Name == DeclarationReader.AttributeNamespace);
            // Any using or extern alias anywhere (global ones reach every file) could rename a type; names they define
            // are excluded. Conservative: a local alias in another file turns the name off everywhere.
            foreach (var tree in compilation.SyntaxTrees)
                // The generator's own output (in the analyzer's compilation) defines no alias the user's code sees.
                if (!DeclarationReader.IsGenerated(tree) && tree.GetRoot() is CompilationUnitSyntax unit)
                    CollectAliases(tree, unit.Externs, unit.Usings, unit.Members);
            _staticImports = new Lazy<List<INamedTypeSymbol>?>(ResolveStaticImports);
            // Types the user declares in namespace ArchDsl itself would count as ArchDsl's in the bound reading: not here.
            // A reference under an extern alias can bring in another namespace ArchDsl that the global one does not show.
            Usable = _archDsl != null && compilation.Language == LanguageNames.CSharp &&
                     !_archDsl.ConstituentNamespaces.Any(n => SymbolEqualityComparer.Default.Equals(n.ContainingAssembly, compilation.Assembly) && !n.GetTypeMembers().IsEmpty) &&
                     compilation.References.All(r => r.Properties.Aliases.IsEmpty || r.Properties.Aliases.Contains("global"));
            if (_archDsl != null)
            {
                // Names of types nested in ArchDsl's types: `using static` can bring them into scope.
                var stack = new Stack<INamedTypeSymbol>(_archDsl.GetTypeMembers());
                while (stack.Count > 0)
                    foreach (var nested in stack.Pop().GetTypeMembers())
                    {
                        _nestedInArchDsl.Add(nested.Name);
                        stack.Push(nested);
                    }
            }
        }

        private void CollectAliases(SyntaxTree tree, SyntaxList<ExternAliasDirectiveSyntax> externs, SyntaxList<UsingDirectiveSyntax> usings, SyntaxList<MemberDeclarationSyntax> members)
        {
            foreach (var e in externs) _aliases.Add(e.Identifier.ValueText);
            foreach (var u in usings)
            {
                if (u.Alias != null) _aliases.Add(u.Alias.Name.Identifier.ValueText);
                else if (u.StaticKeyword.IsKind(SyntaxKind.StaticKeyword)) _staticUsings.Add((tree, u));
            }
            foreach (var m in members)
                if (m is BaseNamespaceDeclarationSyntax ns) CollectAliases(tree, ns.Externs, ns.Usings, ns.Members);
        }

        /// <summary>
        /// The types every `using static` in the compilation names (wherever it is: conservative for other files),
        /// or null when one does not bind to a type (mid-edit), and nothing can be said of what it brings in. The same
        /// directive text in the same namespace context binds the same way, so it is bound once.
        /// </summary>
        private List<INamedTypeSymbol>? ResolveStaticImports()
        {
            var found = new List<INamedTypeSymbol>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (tree, directive) in _staticUsings)
            {
                // The enclosing namespaces, outermost first: a name in a using directive binds relative to them.
                var context = string.Join(".", directive.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Reverse().Select(n => n.Name.ToString()));
                if (!seen.Add(context + "|" + directive.NamespaceOrType.ToString())) continue;
                if (_compilation.GetSemanticModel(tree).GetSymbolInfo(directive.NamespaceOrType).Symbol is not INamedTypeSymbol imported) return null;
                found.Add(imported);
            }
            return found;
        }

        /// <summary>Whether a `using static` can bring something named <paramref name="name"/> into scope: a nested type
        /// (with <paramref name="typesOnly"/>) or any member of an imported type; true when the imports are unknown.</summary>
        private bool ImportedStatically(string name, bool typesOnly)
        {
            if (_staticUsings.Count == 0) return false;
            var imports = _staticImports.Value;
            if (imports is null) return true;
            foreach (var t in imports)
                if (typesOnly ? !t.GetTypeMembers(name).IsEmpty : !t.GetMembers(name).IsEmpty) return true;
            return false;
        }

        public bool HasMemberNamedNameof => _compilation.ContainsSymbolsWithName("nameof", SymbolFilter.Member) || ImportedStatically("nameof", typesOnly: false);

        /// <summary>Whether <paramref name="t"/> is the type ArchDsl's namespace holds under its name.</summary>
        public bool IsArchDslType(INamedTypeSymbol t) =>
            t.ContainingType is null && _archDsl!.GetTypeMembers(t.Name, t.Arity).Any(m => SymbolEqualityComparer.Default.Equals(m, t));

        public bool IsAlias(string name) => _aliases.Contains(name) || _aliases.Contains(name + "Attribute");

        /// <summary>
        /// For an attribute written <paramref name="written"/> where ArchDsl's types are in scope: which class the
        /// compiler binds. C# looks up both <c>X</c> and <c>XAttribute</c>, attribute classes only.
        /// </summary>
        public Resolution Attribute(string written, out INamedTypeSymbol? ours)
        {
            var (resolution, type) = _attributes.GetOrAdd(written, Resolve);
            ours = type;
            return resolution;
        }

        /// <summary>
        /// Whether every constructor of <paramref name="attribute"/> is public and takes only types the literal
        /// conversion handles: then "the one constructor the literals convert to" is the compiler's choice too.
        /// </summary>
        public bool Modelled(INamedTypeSymbol attribute) => _modelled.GetOrAdd(attribute, static a =>
            a.InstanceConstructors.All(c => c.DeclaredAccessibility == Accessibility.Public && c.Parameters.All(p => p.IsParams
                ? p.Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 }
                : p.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Double or
                      SpecialType.System_Single or SpecialType.System_Boolean or SpecialType.System_String ||
                  p.Type.TypeKind == TypeKind.Enum || IsSystemType(p.Type))));

        public static bool IsSystemType(ITypeSymbol t) =>
            t is { Name: "Type", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

        private (Resolution, INamedTypeSymbol?) Resolve(string written)
        {
            if (_nestedInArchDsl.Contains(written) || _nestedInArchDsl.Contains(written + "Attribute")) return (Resolution.Unknown, null);
            INamedTypeSymbol? ours = null;
            foreach (var candidate in new[] { written, written + "Attribute" })
                foreach (var t in _archDsl!.GetTypeMembers(candidate))
                    if (IsAttribute(t))
                    {
                        if (ours != null) return (Resolution.Unknown, null);
                        ours = t;
                    }
            if (ours is null)
                // Not ArchDsl's unless some other declaration could bring one in; an alias was ruled out by the caller.
                return (Resolution.NotOurs, null);
            if (!ours.Name.EndsWith("Attribute", StringComparison.Ordinal) || written.EndsWith("Attribute", StringComparison.Ordinal) && written != ours.Name)
                return (Resolution.Unknown, null);
            // Another attribute class with either name, anywhere, could win (closer scope) or tie the lookup; for the
            // full name, any type or namespace of that name does (the compiler then reports it is not an attribute).
            if (OtherAttributeLike(written, ours, anyType: written == ours.Name) || OtherAttributeLike(written + "Attribute", ours, anyType: true))
                return (Resolution.Unknown, null);
            return (Resolution.Ours, ours);
        }

        /// <summary>Whether a type named <paramref name="name"/> other than ours exists anywhere: an attribute class,
        /// or with <paramref name="anyType"/> any type or namespace.</summary>
        private bool OtherAttributeLike(string name, INamedTypeSymbol ours, bool anyType)
        {
            var filter = anyType ? SymbolFilter.Namespace | SymbolFilter.Type : SymbolFilter.Type;
            if (_compilation.ContainsSymbolsWithName(name, filter))
                foreach (var s in _compilation.GetSymbolsWithName(name, filter))
                    if (s is INamespaceSymbol || s is INamedTypeSymbol t && !SymbolEqualityComparer.Default.Equals(t, ours) && (anyType || IsAttribute(t)))
                        return true;
            // A nested type brought in by `using static`; when the imports are unknown, every nested type of every reference.
            bool unknownImports = _staticUsings.Count > 0 && _staticImports.Value is null;
            if (!unknownImports && _staticUsings.Count > 0)
                foreach (var imported in _staticImports.Value!)
                    foreach (var t in imported.GetTypeMembers(name))
                        if (!SymbolEqualityComparer.Default.Equals(t, ours) && (anyType || IsAttribute(t))) return true;
            foreach (var assembly in _compilation.SourceModule.ReferencedAssemblySymbols)
            {
                if (anyType && assembly.NamespaceNames.Contains(name)) return true;
                if (!assembly.TypeNames.Contains(name)) continue;
                var cache = AttributeLikeInReference.GetValue(assembly, static _ => new ConcurrentDictionary<(string, string, bool, bool), bool>());
                var key = (name, ours.Name, anyType, unknownImports);
                if (!cache.TryGetValue(key, out var other)) other = cache.GetOrAdd(key, _ => HasOther(assembly, name, ours, anyType, unknownImports));
                if (other) return true;
            }
            return false;
        }

        /// <summary>True when the reference has a type of that name other than ours (an attribute class unless
        /// <paramref name="anyType"/>); nested ones too when <paramref name="nested"/>.</summary>
        private static bool HasOther(IAssemblySymbol assembly, string name, INamedTypeSymbol ours, bool anyType, bool nested)
        {
            foreach (var t in TypesNamed(assembly, name, nested))
                if (!SymbolEqualityComparer.Default.Equals(t, ours) && (anyType || IsAttribute(t))) return true;
            return false;
        }

        /// <summary>Every type of <paramref name="assembly"/> named <paramref name="name"/>; nested ones too when
        /// <paramref name="nested"/> (an unresolved `using static` could bring any of them into scope), which means
        /// visiting every type.</summary>
        private static List<INamedTypeSymbol> TypesNamed(IAssemblySymbol assembly, string name, bool nested)
        {
            var found = new List<INamedTypeSymbol>();
            var namespaces = new Stack<INamespaceSymbol>();
            var types = new Stack<INamedTypeSymbol>();
            namespaces.Push(assembly.GlobalNamespace);
            while (namespaces.Count > 0)
            {
                var ns = namespaces.Pop();
                if (nested)
                    foreach (var t in ns.GetTypeMembers()) types.Push(t);
                else
                    found.AddRange(ns.GetTypeMembers(name));
                foreach (var child in ns.GetNamespaceMembers()) namespaces.Push(child);
            }
            while (types.Count > 0)
            {
                var t = types.Pop();
                if (t.Name == name) found.Add(t);
                foreach (var inner in t.GetTypeMembers()) types.Push(inner);
            }
            return found;
        }

        private static bool IsAttribute(INamedTypeSymbol t)
        {
            for (var b = t.BaseType; b != null; b = b.BaseType)
                if (b.Name == "Attribute" && b.ContainingNamespace?.Name == "System" && b.ContainingNamespace.ContainingNamespace?.IsGlobalNamespace == true)
                    return true;
            return false;
        }

        public bool Accessible(ISymbol symbol, ITypeSymbol within) => _compilation.IsSymbolAccessibleWithin(symbol, within);

        /// <summary>The one non-generic source type named <paramref name="name"/> when no alias, no `using static` and no
        /// reference brings in another type or namespace of that name that could win or tie the lookup.</summary>
        public INamedTypeSymbol? UniqueSourceType(string name) => _sourceTypes.GetOrAdd(name, n =>
        {
            if (IsAlias(n) || ImportedStatically(n, typesOnly: true)) return null;
            INamedTypeSymbol? only = null;
            foreach (var s in _compilation.GetSymbolsWithName(n, SymbolFilter.Namespace | SymbolFilter.Type))
            {
                if (s is not INamedTypeSymbol t || only != null || t.Arity > 0 || t.IsFileLocal) return null;
                // A type nested in a generic one is named through a construction of it (Outer<int>.Twin): left to the compiler.
                for (var c = t.ContainingType; c != null; c = c.ContainingType)
                    if (c.Arity > 0) return null;
                only = t;
            }
            if (only is null) return null;
            foreach (var assembly in _compilation.SourceModule.ReferencedAssemblySymbols)
                if (assembly.NamespaceNames.Contains(n) || assembly.TypeNames.Contains(n) && AccessibleTopLevelTypeNamed(assembly, n)) return null;
            return only;
        });

        /// <summary>
        /// Whether the reference has a top-level type of that name this compilation can see. Only such a type can win or
        /// tie a simple-name lookup against a source type: an inaccessible one never beats an accessible one, and a
        /// nested one is in scope only through `using static` (ruled out by the caller) or a referenced base class (a
        /// declaration with one is bound). Implementation assemblies hold many internal and nested types (CoreLib's
        /// SpanHelpers.Block16, System.Linq.Expressions' Block2), which would otherwise send such names to binding.
        /// </summary>
        /// <remarks>Runs once per name and compilation (the caller's cache); accessibility depends on the compilation's
        /// assembly (InternalsVisibleTo), so it is not cached with the reference.</remarks>
        private bool AccessibleTopLevelTypeNamed(IAssemblySymbol assembly, string name)
        {
            foreach (var t in TypesNamed(assembly, name, nested: false))
                if (_compilation.IsSymbolAccessibleWithin(t, _compilation.Assembly)) return true;
            return false;
        }

        /// <summary>True when no other type (source or reference) and no alias shares <paramref name="type"/>'s name.</summary>
        public bool OnlyTypeNamed(INamedTypeSymbol type) => _onlyNamed.GetOrAdd(type, t =>
        {
            var name = t.Name;
            if (IsAlias(name) || _compilation.ContainsSymbolsWithName(name, SymbolFilter.All) || ImportedStatically(name, typesOnly: false)) return false;
            foreach (var assembly in _compilation.SourceModule.ReferencedAssemblySymbols)
            {
                if (assembly.NamespaceNames.Contains(name)) return false;
                if (!assembly.TypeNames.Contains(name)) continue;
                if (!SymbolEqualityComparer.Default.Equals(assembly, t.ContainingAssembly)) return false;
                // In ArchDsl's own assembly: only this type may carry the name.
                if (TypesNamed(assembly, name, nested: false).Count != 1) return false;
            }
            return true;
        });
    }
}
