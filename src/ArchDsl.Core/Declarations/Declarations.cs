namespace ArchDsl.Core.Declarations;

// What the reader extracts from source: plain, value-equatable data with no compiler objects in it.
// Locations travel as SourceSpan so diagnostics can point at the exact attribute argument.

/// <summary>A place in a source file (0-based lines and columns).</summary>
public sealed record SourceSpan(string Path, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public static readonly SourceSpan None = new("", 0, 0, 0, 0, 0, 0);
    public bool IsNone => Path.Length == 0 && Length == 0;
}

public enum ArgKind
{
    Int,
    Double,
    Bool,
    String,
    /// <summary>An enum member: Text holds its name, Int its value.</summary>
    Enum,
    /// <summary>A typeof(...) argument: Text holds the type's full name.</summary>
    Type,
    /// <summary>An array of integers (params int[]).</summary>
    IntArray,
    Null,
    /// <summary>The compiler could not give the argument a value (it has errors of its own).</summary>
    Error,
}

/// <summary>One attribute argument, as written.</summary>
public sealed record ArgValue(ArgKind Kind, long Int, double Double, string? Text, EquatableArray<long> Ints, SourceSpan Span)
{
    public static ArgValue OfInt(long v, SourceSpan span) => new(ArgKind.Int, v, v, null, EquatableArray<long>.Empty, span);
    public static ArgValue OfDouble(double v, SourceSpan span) => new(ArgKind.Double, 0, v, null, EquatableArray<long>.Empty, span);
    public static ArgValue OfBool(bool v, SourceSpan span) => new(ArgKind.Bool, v ? 1 : 0, 0, null, EquatableArray<long>.Empty, span);
    public static ArgValue OfString(string? v, SourceSpan span) => v is null ? OfNull(span) : new(ArgKind.String, 0, 0, v, EquatableArray<long>.Empty, span);
    public static ArgValue OfEnum(string name, long value, SourceSpan span) => new(ArgKind.Enum, value, 0, name, EquatableArray<long>.Empty, span);
    /// <param name="compiledClass">A class with no source in this compilation (from a referenced assembly).</param>
    public static ArgValue OfType(string fullName, SourceSpan span, bool compiledClass = false) =>
        new(ArgKind.Type, compiledClass ? 1 : 0, 0, fullName, EquatableArray<long>.Empty, span);
    public static ArgValue OfInts(long[] values, SourceSpan span) => new(ArgKind.IntArray, 0, 0, null, new EquatableArray<long>(values), span);
    public static ArgValue OfNull(SourceSpan span) => new(ArgKind.Null, 0, 0, null, EquatableArray<long>.Empty, span);
    public static ArgValue OfError(SourceSpan span) => new(ArgKind.Error, 0, 0, null, EquatableArray<long>.Empty, span);

    /// <summary>A typeof(...) of a class from a referenced assembly: ArchDsl reads blocks from source only.</summary>
    public bool IsCompiledClass => Kind == ArgKind.Type && Int == 1;

    public string Describe() => Kind switch
    {
        ArgKind.Int => Int.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ArgKind.Double => Double.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ArgKind.Bool => Int != 0 ? "true" : "false",
        ArgKind.String => "\"" + Text + "\"",
        ArgKind.Enum => Text ?? "?",
        ArgKind.Type => "typeof(" + Text + ")",
        ArgKind.IntArray => "[" + string.Join(", ", Ints) + "]",
        ArgKind.Null => "null",
        _ => "<error>",
    };
}

public sealed record NamedArg(string Name, ArgValue Value);

/// <summary>One ArchDsl attribute as written: Name is the attribute class name without the "Attribute" suffix.</summary>
public sealed record AttributeDecl(string Name, EquatableArray<ArgValue> Positional, EquatableArray<NamedArg> Named, SourceSpan Span)
{
    /// <summary>The compiler could not bind it (a wrong argument type, say) and reports that itself; its arguments
    /// as read may be incomplete, so nothing is judged from them.</summary>
    public bool HasCompilerError { get; init; }

    public ArgValue? Get(string name)
    {
        foreach (var n in Named)
            if (n.Name == name) return n.Value;
        return null;
    }
}

/// <summary>A field of a model or block: its name becomes the submodule name (and the state_dict key).</summary>
/// <param name="IsInstance">False for a static or const field.</param>
/// <param name="Part">Which part of a partial class declares it (0 for the first, in the compilation's order).</param>
public sealed record MemberDecl(string Name, string TypeName, EquatableArray<AttributeDecl> Attributes, SourceSpan Span, SourceSpan? TypeSpan = null,
    bool IsInstance = true, int Part = 0)
{
    /// <summary>The compiler found no type of that name (a missing using): <see cref="TypeName"/> is the name as written.</summary>
    public bool TypeUnresolved { get; init; }
}

/// <summary>A member of the class that is no layer field (a method, property, plain field, nested type): its name only.</summary>
public sealed record MemberName(string Name, SourceSpan Span);

/// <summary>A class marked [Model] or [Block].</summary>
public sealed record ModuleDecl(
    string Name,
    string Namespace,
    string FullName,
    bool IsModel,
    string Accessibility,
    bool IsPartial,
    bool IsNested,
    bool IsGeneric,
    bool HasForeignBase,
    EquatableArray<AttributeDecl> Attributes,
    EquatableArray<MemberDecl> Members,
    SourceSpan Span)
{
    /// <summary>The class has no base class, no constructor of its own (a primary one included) and is neither
    /// static nor file-local: a generated part may declare its constructor.</summary>
    public bool TakesGeneratedConstructor { get; init; }

    /// <summary>Declared abstract: its module could not be constructed.</summary>
    public bool IsAbstract { get; init; }

    /// <summary>Types or namespaces named <c>nn</c> or <c>torch</c> that lookup from inside the class reaches before the
    /// generated file's usings (in an enclosing namespace, nested in the class, or the class itself), by full name.</summary>
    public EquatableArray<string> HidesTorchSharp { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The class's other members, whose names may clash with what the generated part declares or uses.</summary>
    public EquatableArray<MemberName> OtherMembers { get; init; } = EquatableArray<MemberName>.Empty;

    /// <summary>Declared static (no instances) or file-local (the generated part, in another file, cannot see it).</summary>
    public bool IsStaticOrFileLocal { get; init; }

    public AttributeDecl? Attribute(string name)
    {
        foreach (var a in Attributes)
            if (a.Name == name) return a;
        return null;
    }
}
