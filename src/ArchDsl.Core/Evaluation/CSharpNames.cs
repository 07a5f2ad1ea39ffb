using System.Collections.Generic;

namespace ArchDsl.Core.Evaluation;

/// <summary>Turns names from declarations into C# identifiers (block parameters may collide with keywords).</summary>
public static class CSharpNames
{
    private static readonly HashSet<string> Keywords = new()
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };

    public static string Identifier(string name) => Keywords.Contains(name) ? "@" + name : name;

    /// <summary>A type's name as generated code writes it wherever the simple name could bind to something else:
    /// <c>global::</c>, then each namespace segment and the name, as identifiers.</summary>
    public static string GlobalType(string ns, string name)
    {
        var sb = new System.Text.StringBuilder("global::");
        if (ns.Length > 0)
            foreach (var segment in ns.Split('.'))
                sb.Append(Identifier(segment)).Append('.');
        return sb.Append(Identifier(name)).ToString();
    }
}
