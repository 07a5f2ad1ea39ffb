using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ArchDsl.Generators.Reading;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// Declarations built to make the syntax-first reading of field attributes (<see cref="LiteralAttributeReader"/>)
/// differ from the bound reading: C# name lookup (nested, inherited, imported and aliased types, namespaces,
/// verbatim names), constant conversion (numeric forms, casts, strings) and declaration shapes. Each case asserts
/// that both readings give the same records and, where the answer is clear, whether the fast path read or declined.
/// Some cases do not compile; the readings must agree on them too (the generator runs on broken code while editing).
/// </summary>
public class LiteralReadingAdversarialTests
{
    private const string Accept = "accept";
    private const string Decline = "decline";
    private const string Any = "any";

    /// <summary>Fields placed in <c>[Model] [Input(16)] public partial class Probe</c> (namespace Tests), next to an extra file.</summary>
    [Theory]
    // ---- attribute names: nested, inherited, imported and aliased types ----
    [InlineData("nested attribute class named like ours", Decline, "",
        "public sealed class LinearAttribute : System.Attribute { public LinearAttribute(int n) { } } [Linear(10)] Linear fc;")]
    [InlineData("nested attribute class named like the short form", Decline, "",
        "public sealed class Dropout : System.Attribute { public Dropout(double p) { } } [Dropout(0.1)] TorchSharp.Modules.Dropout d;")]
    [InlineData("nested non-attribute class named like ours", Any, "",
        "public class LinearAttribute { } [Linear(10)] Linear fc;")]
    [InlineData("nested non-attribute class named like the short form", Accept, "",
        "public class Dropout { } [Dropout(0.1)] TorchSharp.Modules.Dropout d;")]
    [InlineData("nested non-attribute struct named like ours", Any, "",
        "public struct LinearAttribute { } [Linear(10)] Linear fc;")]
    [InlineData("non-attribute class named like ours in the model's namespace", Any,
        "namespace Tests { public class LinearAttribute { } }", "[Linear(10)] Linear fc;")]
    [InlineData("non-attribute class named like ours, imported beside ArchDsl", Any,
        "namespace Other { public class LinearAttribute { } }", "[Linear(10)] Linear fc;", "using Other;")]
    [InlineData("non-attribute class named like the short form in the model's namespace", Any,
        "namespace Tests { public class Dropout { } }", "[Dropout(0.1)] TorchSharp.Modules.Dropout d;")]
    [InlineData("namespace named like the short form in the model's namespace", Any,
        "namespace Tests.Dropout { public class X { } }", "[Dropout(0.1)] TorchSharp.Modules.Dropout d;")]
    [InlineData("source copy of an ArchDsl attribute class", Decline,
        "namespace ArchDsl { public sealed class LinearAttribute : System.Attribute { public LinearAttribute(int n) { } } }", "[Linear(10)] TorchSharp.Modules.Linear fc;")]
    [InlineData("nested enum named Act", Decline, "",
        "public enum Act { None, ReLU, GELU } [Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("using static of a source type with a nested attribute", Decline,
        "namespace Other { public static class Holder { public sealed class LinearAttribute : System.Attribute { public LinearAttribute(int n) { } } } }",
        "[Linear(10)] Linear fc;", "using static Other.Holder;")]
    [InlineData("global using static in another file", Decline,
        "global using static Other.Holder;\nnamespace Other { public static class Holder { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } } }",
        "[Dropout(0.1)] TorchSharp.Modules.Dropout d;")]
    [InlineData("global using alias in another file", Decline,
        "global using LinearAttribute = ArchDsl.DropoutAttribute;", "[Linear(0.1)] TorchSharp.Modules.Dropout d;")]
    [InlineData("global using alias of the short form", Decline,
        "global using Dropout = ArchDsl.LinearAttribute;", "[Dropout(10)] Linear d;")]
    [InlineData("alias in a block namespace of another file", Decline,
        "namespace Elsewhere { using Linear = ArchDsl.DropoutAttribute; }", "[Linear(10)] Linear fc;")]
    [InlineData("generic attribute class named like ours", Decline,
        "namespace Tests { public sealed class LinearAttribute<T> : System.Attribute { public LinearAttribute(int n) { } } }", "[Linear(10)] Linear fc;")]
    [InlineData("enum Act in the model's namespace", Decline,
        "namespace Tests { public enum Act { None, GELU } }", "[Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("class named Act elsewhere", Decline,
        "namespace Other { public class Act { } }", "[Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("namespace named like ours in the model's namespace", Any,
        "namespace Tests.LinearAttribute { public class X { } }", "[Linear(10)] Linear fc;")]
    [InlineData("global namespace named like ours", Any,
        "namespace LinearAttribute { public class X { } }", "[Linear(10)] Linear fc;")]
    [InlineData("namespace named Act in the model's namespace", Any,
        "namespace Tests.Act { public class X { } }", "[Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("verbatim short attribute name (matches only the exact name)", Any, "", "[@Linear(10)] Linear fc;")]
    [InlineData("verbatim full attribute name", Decline, "", "[@LinearAttribute(10)] Linear fc;")]
    [InlineData("full attribute name", Accept, "", "[LinearAttribute(10), DropoutAttribute(0.2)] Linear fc;")]
    [InlineData("unicode escape in the attribute name", Accept, "", "[Line\\u0061r(10)] Linear fc;")]
    [InlineData("qualified attribute name", Decline, "", "[ArchDsl.Linear(10)] Linear fc;")]
    [InlineData("global-qualified attribute name", Decline, "", "[global::ArchDsl.Linear(10)] Linear fc;")]
    [InlineData("abstract ArchDsl attribute", Decline, "", "[Layer] Linear fc;")]
    [InlineData("ArchDsl enum used as an attribute", Any, "", "[Act] Linear fc;")]
    [InlineData("foreign attribute next to ours", Accept, "", "[NonSerialized, Linear(10)] Linear fc;", "using System;")]
    [InlineData("foreign qualified attribute next to ours", Decline, "", "[System.NonSerialized, Linear(10)] Linear fc;")]
    [InlineData("class-level attribute on a field", Any, "", "[Input(1, 2)] [Linear(10)] Linear fc;")]
    [InlineData("Model on a field", Any, "", "[Model] Linear fc;")]
    [InlineData("duplicate attribute on one field", Any, "", "[Linear(10)] [Linear(20)] Linear fc;")]
    [InlineData("attribute list with a target", Decline, "", "[field: Linear(10)] Linear fc;")]
    [InlineData("a foreign attribute's typeof names a block (not one the model uses)", Any,
        "namespace Tests { public sealed class TagAttribute : System.Attribute { public TagAttribute(System.Type t) { } } [ArchDsl.Block] public partial class Blk { [ArchDsl.Linear(4)] TorchSharp.Modules.Linear fc; } }",
        "[Tag(typeof(Blk)), Linear(3)] Linear a;")]
    [InlineData("extern alias named like an ArchDsl attribute", Decline, "", "[Linear(10)] Linear fc;", "extern alias LinearAttribute;")]
    [InlineData("attribute list with a wrong target", Decline, "", "[property: Linear(10)] Linear fc;")]
    // ---- enums ----
    [InlineData("enum member", Accept, "", "[Linear(10, Activation = Act.GELU)] Linear fc; [Head(TaskKind.Depth, Resolution = 224)] Linear h;")]
    [InlineData("int cast to the enum", Decline, "", "[Linear(10, Activation = (Act)1)] Linear fc;")]
    [InlineData("zero into the enum", Decline, "", "[Linear(10, Activation = 0)] Linear fc;")]
    [InlineData("enum or", Decline, "", "[Linear(10, Activation = Act.GELU | Act.ReLU)] Linear fc;")]
    [InlineData("qualified enum", Decline, "", "[Linear(10, Activation = ArchDsl.Act.GELU)] Linear fc;")]
    [InlineData("wrong enum type", Decline, "", "[Linear(10, Activation = Layout.Image)] Linear fc;")]
    [InlineData("missing enum member", Decline, "", "[Linear(10, Activation = Act.Swish)] Linear fc;")]
    [InlineData("enum member written verbatim", Accept, "", "[Linear(10, Activation = Act.@GELU)] Linear fc;")]
    [InlineData("using static of the enum", Decline, "", "[Linear(10, Activation = GELU)] Linear fc;", "using static ArchDsl.Act;")]
    [InlineData("field Act of type Act (Color Color)", Decline, "", "Act Act; [Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("field Act of another type shadows the enum", Any, "", "static int Act = 0; [Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("method Act shadows the enum", Any, "", "void Act() { } [Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("property Act shadows the enum", Any, "", "string Act => \"\"; [Linear(10, Activation = Act.GELU)] Linear fc;")]
    // ---- nameof ----
    [InlineData("nameof a field", Accept, "", "[Linear(16)] Linear a; [Linear(16), Residual(From = nameof(a))] Linear b;")]
    [InlineData("nameof a field declared later, verbatim", Accept, "", "[Residual(From = nameof(@class))] Linear b; [Linear(16)] Linear @class;")]
    [InlineData("nameof a const", Any, "", "const int k = 1; [Residual(From = nameof(k))] Linear b;")]
    [InlineData("nameof a static field", Any, "", "static int s; [Residual(From = nameof(s))] Linear b;")]
    [InlineData("nameof a method", Decline, "", "void m() { } [Residual(From = nameof(m))] Linear b;")]
    [InlineData("nameof a property", Decline, "", "int P => 1; [Residual(From = nameof(P))] Linear b;")]
    [InlineData("nameof a nested type", Decline, "", "class T { } [Residual(From = nameof(T))] Linear b;")]
    [InlineData("nameof a missing name", Decline, "", "[Residual(From = nameof(nothing))] Linear b;")]
    [InlineData("nameof qualified", Decline, "", "[Linear(16)] Linear a; [Residual(From = nameof(this.a))] Linear b;")]
    [InlineData("a method named nameof", Decline, "", "static string nameof(object o) => \"\"; [Linear(16)] Linear a; [Residual(From = nameof(a))] Linear b;")]
    [InlineData("a type named nameof", Any, "namespace Tests { public class nameof { } }", "[Linear(16)] Linear a; [Residual(From = nameof(a))] Linear b;")]
    [InlineData("a nested type named nameof", Any, "", "class nameof { } [Linear(16)] Linear a; [Residual(From = nameof(a))] Linear b;")]
    [InlineData("using static of a type with a nameof method", Decline,
        "namespace Other { public static class N { public static string nameof(object o) => \"\"; } }",
        "[Linear(16)] Linear a; [Residual(From = nameof(a))] Linear b;", "using static Other.N;")]
    // ---- integers ----
    [InlineData("hex, binary, separators", Accept, "", "[Linear(0x10)] Linear a; [Linear(0b1010)] Linear b; [Linear(1_000)] Linear c; [Linear(0x7FFF_FFFF)] Linear d;")]
    [InlineData("negative int and int.MinValue", Any, "", "[Linear(-5)] Linear a; [Linear(-2147483648)] Linear b; [Linear(-0x80000000)] Linear c;")]
    [InlineData("long literal into int", Decline, "", "[Linear(1L)] Linear a;")]
    [InlineData("uint literal into int", Decline, "", "[Linear(1u)] Linear a;")]
    [InlineData("too large for int", Decline, "", "[Linear(0xFFFFFFFF)] Linear a;")]
    [InlineData("too large for any integer", Any, "", "[Linear(99999999999999999999)] Linear a;")]
    [InlineData("char into int", Decline, "", "[Linear('a')] Linear a;")]
    [InlineData("true into int", Decline, "", "[Linear(true)] Linear a;")]
    [InlineData("default literal", Decline, "", "[Linear(default)] Linear a;")]
    [InlineData("default(int)", Decline, "", "[Linear(default(int))] Linear a;")]
    [InlineData("cast", Decline, "", "[Linear((int)10)] Linear a;")]
    [InlineData("parenthesised literal", Decline, "", "[Linear((10))] Linear a;")]
    [InlineData("unary plus", Decline, "", "[Linear(+10)] Linear a;")]
    [InlineData("negated parenthesised", Decline, "", "[Linear(-(10))] Linear a;")]
    [InlineData("checked", Decline, "", "[Linear(checked(10))] Linear a;")]
    [InlineData("sum", Decline, "", "[Linear(8 + 2)] Linear a;")]
    [InlineData("comments and line breaks inside arguments", Accept, "", "[Linear(/* out */ 10 // ten\n , Bias = /* b */ false)] Linear a;")]
    // ---- floating ----
    [InlineData("double forms", Accept, "", "[Dropout(1e-1)] Dropout a; [Dropout(.5)] Dropout b; [Dropout(1E3)] Dropout c; [Dropout(5d)] Dropout d; [Dropout(1_0.0_1)] Dropout e;")]
    [InlineData("negative zero", Accept, "", "[Dropout(-0.0)] Dropout a; [Dropout(-0)] Dropout b; [Dropout(-0f)] Dropout c;")]
    [InlineData("integers into double", Accept, "", "[Dropout(1L)] Dropout a; [Dropout(3u)] Dropout b; [Dropout(18446744073709551615)] Dropout c; [Dropout(9007199254740993)] Dropout d; [Dropout(-9223372036854775807L)] Dropout e;")]
    [InlineData("float into double", Accept, "", "[Dropout(0.1f)] Dropout a; [Dropout(1e3f)] Dropout b; [Dropout(-3.4028235E+38f)] Dropout c;")]
    [InlineData("extreme doubles", Accept, "", "[Dropout(1.7976931348623157e308)] Dropout a; [Dropout(4.9e-324)] Dropout b; [Dropout(1e-400)] Dropout c;")]
    [InlineData("double out of range", Any, "", "[Dropout(1e400)] Dropout a;")]
    [InlineData("decimal into double", Decline, "", "[Dropout(1.5m)] Dropout a;")]
    [InlineData("negated ulong into double", Decline, "", "[Dropout(-18446744073709551615)] Dropout a;")]
    [InlineData("negated long.MinValue magnitude into double", Decline, "", "[Dropout(-9223372036854775808)] Dropout a;")]
    [InlineData("Dropout defaults", Accept, "", "[Dropout] Dropout a; [Dropout()] Dropout b; [Dropout(0.5)] Dropout c;")]
    [InlineData("Dropout named parameter", Decline, "", "[Dropout(p: 0.1)] Dropout a;")]
    [InlineData("named double properties", Accept, "", "[BatchNorm2d(Eps = 1e-5, Momentum = 1)] BatchNorm2d a; [SelfAttention(4, Dropout = 0.1f)] Linear b;")]
    // ---- strings ----
    [InlineData("string forms", Accept, "",
        "[Linear(\"4\")] Linear a; [Linear(@\"a\"\"b\")] Linear b; [Linear(\"\\u0034\\x34\\t\")] Linear c; [Linear(\"\"\"raw \" text\"\"\")] Linear d;")]
    [InlineData("multi-line raw string", Accept, "", "[Linear(\"\"\"\n    width\n      * 2\n    \"\"\")] Linear a;")]
    [InlineData("null into the string overload", Accept, "", "[Linear(null)] Linear a; [Conv2d(null, Kernel = 3)] Conv2d b; [Linear(4, With = null)] Linear c;")]
    [InlineData("interpolated string", Decline, "", "[Linear($\"4\")] Linear a;")]
    [InlineData("UTF-8 string", Decline, "", "[Linear(\"4\"u8)] Linear a;")]
    [InlineData("concatenated string", Decline, "", "[Linear(\"4\" + \"2\")] Linear a;")]
    [InlineData("lone surrogate", Accept, "", "[Linear(\"\\uD800\")] Linear a;")]
    [InlineData("char into string", Decline, "", "[Linear('4')] Linear a;")]
    // ---- named arguments ----
    [InlineData("read-only property", Decline, "", "[Linear(10, OutFeatures = 3)] Linear a;")]
    [InlineData("base-class property", Accept, "", "[Linear(10, Activation = Act.ReLU, With = \"x\")] Linear a;")]
    [InlineData("missing property", Decline, "", "[Linear(10, Nothing = 3)] Linear a;")]
    [InlineData("duplicate named argument", Decline, "", "[Linear(10, Bias = true, Bias = false)] Linear a;")]
    [InlineData("named argument written verbatim", Any, "", "[Linear(10, @Bias = false)] Linear a;")]
    [InlineData("named argument with a unicode escape", Any, "", "[Linear(10, B\\u0069as = false)] Linear a;")]
    [InlineData("int into bool property", Decline, "", "[Linear(10, Bias = 1)] Linear a;")]
    [InlineData("named before positional", Any, "", "[Linear(Bias = true, 10)] Linear a;")]
    // ---- overloads and arity ----
    [InlineData("overloads by arity", Accept, "", "[AdaptiveAvgPool2d(7)] Linear a; [AdaptiveAvgPool2d(7, 5)] Linear b; [SelectToken] Linear c; [SelectToken(1)] Linear d;")]
    [InlineData("Stage overloads", Accept, "namespace Tests { [Block] public partial class Twin { [Linear(4)] Linear fc; } }",
        "[Stage(typeof(Twin), 2)] Twin a; [Stage(typeof(Twin), \"n\", \"w = 2\", Names = \"s\")] Twin b; [Stage(typeof(Twin), null)] Twin c; [Use(typeof(Twin))] Twin d;")]
    [InlineData("too many arguments", Decline, "", "[Linear(10, 20)] Linear a;")]
    [InlineData("no arguments where one is needed", Decline, "", "[Linear] Linear a;")]
    [InlineData("params on a field attribute", Any, "", "[Input] Linear a; [Input()] Linear b; [Input(3)] Linear c; [Input(3, 4, 5)] Linear d;")]
    // ---- declarations ----
    [InlineData("several declarators", Accept, "", "[Linear(10)] Linear a, b, c;")]
    [InlineData("static and const fields are not read", Any, "", "[Linear(10)] static Linear s; [Linear(10)] const Linear c = null; [Linear(10)] Linear a;")]
    [InlineData("disabled attribute list", Accept, "", "#if NOT_DEFINED\n[Linear(10)]\n#endif\n[Dropout(0.1)] Dropout a;")]
    [InlineData("enabled attribute list", Accept, "", "#if !NOT_DEFINED\n[Linear(10)]\n#else\n[Linear(20)]\n#endif\nLinear a;")]
    [InlineData("attribute inside a disabled region of the list", Accept, "", "[Linear(10\n#if NOT_DEFINED\n, Bias = true\n#endif\n)] Linear a;")]
    [InlineData("readonly field", Accept, "", "[Linear(10)] readonly Linear a = null!;")]
    [InlineData("event field", Any, "", "[Linear(10)] event System.Action? e; [Linear(10)] Linear a;")]
    // ---- typeof ----
    [InlineData("typeof a type nested in a generic, imported with using static", Any,
        "namespace Other { public class Outer<T> { public class Twin { } } }", "[Use(typeof(Twin))] Linear a;", "using static Other.Outer<int>;")]
    [InlineData("typeof a type not in scope", Any, "namespace Other { public class Twin { } }", "[Use(typeof(Twin))] Linear a;")]
    [InlineData("typeof a file-local type of another file", Any, "namespace Tests { file class Twin { } }", "[Use(typeof(Twin))] Linear a;")]
    [InlineData("typeof a type hidden by a namespace", Any,
        "namespace Other { public class Twin { } } namespace Tests.Twin { public class X { } }", "[Use(typeof(Twin))] Linear a;", "using Other;")]
    [InlineData("typeof a type named like a framework type", Decline, "namespace Tests { public class Random { } }", "[Use(typeof(Random))] Linear a;")]
    [InlineData("typeof a generic type", Decline, "namespace Tests { public class G<T> { } }", "[Use(typeof(G<int>))] Linear a;")]
    [InlineData("typeof a nested type of the model", Accept, "", "public class Twin { } [Use(typeof(Twin))] Linear a;")]
    [InlineData("typeof nint with no such type", Decline, "", "[Use(typeof(nint))] Linear a;")]
    public void Fields_of_a_probe_read_the_same(string why, string expect, string extra, string fields, string usings = "")
    {
        var text = usings + "\n" + TestModels.Usings + $$"""
            [Model]
            [Input(16)]
            public partial class Probe
            {
                {{fields}}
            }
            """;
        Check(why, expect, "Tests.Probe", GeneratorHarness.Parse(text, "Probe.cs"), GeneratorHarness.Parse(extra, "Extra.cs"));
    }

    /// <summary>
    /// Attribute classes in namespace ArchDsl from another assembly (as a library extending ArchDsl would ship them):
    /// the library is compiled on its own and referenced, so the syntax-first reading is in play (a source
    /// declaration in namespace ArchDsl turns it off for the whole compilation).
    /// </summary>
    [Theory]
    [InlineData("ArchDsl attribute from another assembly, int literal into double, named bool", Accept,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(double s) { } public bool On { get; set; } } }",
        "[Scale(2, On = true)] Linear fc;")]
    [InlineData("a better constructor that is internal to the other assembly (not accessible, not imported)", Accept,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { internal ScaleAttribute(int s) { } public ScaleAttribute(double s) { } } }",
        "[Scale(2)] Linear fc;")]
    [InlineData("ArchDsl attribute nested in a class, imported with using static", Decline,
        "namespace ArchDsl { public static class Extra { public sealed class ScaleAttribute : System.Attribute { } } }",
        "[Scale] Linear fc;", "using static ArchDsl.Extra;")]
    [InlineData("float parameter, long literal (one rounding, straight to float)", Accept,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(float s) { } } }",
        "[Scale(1152921573326323713)] Linear fc;")]
    [InlineData("float parameter, ulong literal", Decline,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(float s) { } } }",
        "[Scale(9223372586610589697)] Linear fc;")]
    [InlineData("float parameter, int literal", Accept,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(float s) { } } }",
        "[Scale(16777217)] Linear fc;")]
    [InlineData("long parameter: uint, negative and long literals", Accept,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(long s) { } } }",
        "[Scale(4000000000)] Linear a; [Scale(-5)] Linear b; [Scale(7L)] Linear c;")]
    [InlineData("params long[]: none, one, mixed literal types", Accept,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(int a, params long[] s) { } } }",
        "[Scale(1)] Linear a; [Scale(1, 2)] Linear b; [Scale(1, 2, 3u, 4L)] Linear c;")]
    [InlineData("overloads int and long (the compiler prefers int)", Decline,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(int s) { } public ScaleAttribute(long s) { } } }",
        "[Scale(2)] Linear fc;")]
    [InlineData("settable field, and a property whose override has no setter", Decline,
        "namespace ArchDsl { public class ScaleBase : System.Attribute { public virtual int N { get; set; } } public sealed class ScaleAttribute : ScaleBase { public int F; public override int N { get => 0; } } }",
        "[Scale(F = 1)] Linear a; [Scale(N = 2)] Linear b;")]
    [InlineData("object parameter", Decline,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(object o) { } } }",
        "[Scale(2)] Linear fc;")]
    [InlineData("attribute class without the suffix", Decline,
        "namespace ArchDsl { public sealed class Scale : System.Attribute { } }", "[Scale] Linear fc;")]
    [InlineData("overloads short and double (the compiler prefers short)", Decline,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(short s) { } public ScaleAttribute(double s) { } } }",
        "[Scale(2)] Linear fc;")]
    [InlineData("overloads uint and long", Decline,
        "namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(uint s) { } public ScaleAttribute(long s) { } } }",
        "[Scale(2)] Linear fc;")]
    public void Referenced_ArchDsl_attributes_read_the_same(string why, string expect, string library, string fields, string usings = "") =>
        CheckProbe(why, expect, library, "", fields, usings);

    /// <summary>A model Probe with <paramref name="fields"/>, compiled against <paramref name="library"/> as a reference.</summary>
    private static void CheckProbe(string why, string expect, string library, string baseClause, string fields, string usings)
    {
        var text = usings + "\n" + TestModels.Usings + $$"""
            [Model]
            [Input(16)]
            public partial class Probe{{baseClause}}
            {
                {{fields}}
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(text, "Probe.cs") })
            .AddReferences(Library(library));
        Check(why, expect, "Tests.Probe", compilation);
    }

    /// <summary>
    /// Types nested in a referenced (metadata) type and static members of one, named like what a field attribute names
    /// (an attribute class, the enum Act, nameof): in scope only through `using static` or as members of a base class,
    /// so only there may they turn the syntax-first reading off; elsewhere it reads. A declaration with a referenced
    /// base class is bound.
    /// </summary>
    [Theory]
    [InlineData("referenced base class with a nested attribute class named like ours", Decline,
        "namespace Other { public class Base { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } } }",
        " : Other.Base", "[Dropout(0.1)] Dropout d;")]
    [InlineData("referenced base class with a nested enum Act", Decline,
        "namespace Other { public class Base { public enum Act { GELU } } }",
        " : Other.Base", "[Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("referenced base class without nested types (bound all the same)", Decline,
        "namespace Other { public class Base { } }",
        " : Other.Base", "[Dropout(0.1)] Dropout d;")]
    [InlineData("referenced base class with a static nameof method", Decline,
        "namespace Other { public class Base { protected static string nameof(object o) => \"\"; } }",
        " : Other.Base", "[Linear(16)] Linear a; [Linear(16), Residual(From = nameof(a))] Linear b;")]
    [InlineData("using static of a referenced type with a nameof method", Decline,
        "namespace Other { public static class N { public static string nameof(object o) => \"\"; } }",
        "", "[Linear(16)] Linear a; [Linear(16), Residual(From = nameof(a))] Linear b;", "using static Other.N;")]
    [InlineData("using static of a referenced type with a static field Act", Decline,
        "namespace Other { public static class Holder { public static int Act = 0; } }",
        "", "[Linear(10, Activation = Act.GELU)] Linear fc;", "using static Other.Holder;")]
    [InlineData("using static of a referenced type with a static property Act", Decline,
        "namespace Other { public class Wrap { public int GELU => 1; } public static class Holder { public static Wrap Act => new Wrap(); } }",
        "", "[Linear(10, Activation = Act.GELU)] Linear fc;", "using static Other.Holder;")]
    [InlineData("using static of a referenced type with nothing named like ours (TorchSharp code's usual using static torch)", Accept,
        "namespace Other { public static class Holder { public sealed class OtherAttribute : System.Attribute { } public static int Unrelated = 0; } }",
        "", "[Linear(10, Activation = Act.GELU)] Linear a; [Dropout(0.1)] Dropout d; [Linear(4), Residual(From = nameof(a))] Linear b;",
        "using static Other.Holder;\nusing static TorchSharp.torch;")]
    [InlineData("a using static that does not bind (mid-edit), with a nested attribute class named like ours in a reference", Decline,
        "namespace Other { public static class Holder { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } } }",
        "", "[Dropout(0.1)] Dropout d;", "using static Other.Missing;")]
    [InlineData("nested attribute class named like ours in an unrelated referenced class", Accept,
        "namespace Other { public static class Holder { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } } }",
        "", "[Dropout(0.1)] Dropout d;")]
    [InlineData("the same nested attribute class, imported with using static", Decline,
        "namespace Other { public static class Holder { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } } }",
        "", "[Dropout(0.1)] Dropout d;", "using static Other.Holder;")]
    [InlineData("a nested enum Act in an unrelated referenced class, using static elsewhere in the file", Decline,
        "namespace Other { public static class Holder { public enum Act { GELU } } }",
        "", "[Linear(10, Activation = Act.GELU)] Linear fc;", "using static Other.Holder;")]
    [InlineData("top-level referenced attribute class named like ours, in a namespace not imported", Decline,
        "namespace Other { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } }",
        "", "[Dropout(0.1)] Dropout d;")]
    public void Referenced_nested_types_read_the_same(string why, string expect, string library, string baseClause, string fields, string usings = "") =>
        CheckProbe(why, expect, library, baseClause, fields, usings);

    /// <summary>
    /// The same `using static X;` text in two namespaces binds to a different X in each: both imports are searched,
    /// so the nested attribute class of the second one turns the reading off.
    /// </summary>
    [Fact]
    public void Same_using_static_text_in_different_namespaces_binds_each()
    {
        var library = Library("""
            namespace A.B { public static class X { } }
            namespace C.B { public static class X { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } } }
            """);
        var other = """
            namespace A { namespace B { using static X; class First { } } }
            namespace C { namespace B { using static X; class Second { } } }
            """;
        var text = TestModels.Usings + """
            [Model]
            [Input(16)]
            public partial class Probe
            {
                [Dropout(0.1)] Dropout d;
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(text, "Probe.cs"), GeneratorHarness.Parse(other, "Other.cs") })
            .AddReferences(library);
        Check("same using static text, two namespaces", Decline, "Tests.Probe", compilation);
    }

    /// <summary>
    /// A block named like a type of a referenced assembly: that type can change what <c>typeof(Twin)</c> names only
    /// when it is top-level and accessible here (public, or internal with InternalsVisibleTo to this assembly). Other
    /// ones must not turn the syntax-first reading off: implementation assemblies are full of internal and nested types
    /// with ordinary names (CoreLib's SpanHelpers.Block16, System.Linq.Expressions' Block2).
    /// </summary>
    [Theory]
    [InlineData("internal top-level type", Accept, "namespace Other { internal class Twin { } }", "")]
    [InlineData("internal top-level type, its namespace imported", Accept, "namespace Other { internal class Twin { } }", "using Other;")]
    [InlineData("private nested type", Accept, "namespace Other { public class Outer { private class Twin { } } }", "")]
    [InlineData("public nested type", Accept, "namespace Other { public class Outer { public class Twin { } } }", "")]
    [InlineData("public nested type imported with using static", Decline, "namespace Other { public class Outer { public class Twin { } } }", "using static Other.Outer;")]
    [InlineData("public top-level type", Decline, "namespace Other { public class Twin { } }", "")]
    [InlineData("public top-level type, its namespace imported", Decline, "namespace Other { public class Twin { } }", "using Other;")]
    [InlineData("public top-level generic type of the same name", Decline, "namespace Other { public class Twin<T> { } }", "using Other;")]
    [InlineData("internal top-level type visible to this assembly", Decline,
        "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"ArchDslTests\")] namespace Other { internal class Twin { } }", "using Other;")]
    [InlineData("internal top-level type visible to another assembly", Accept,
        "[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"SomeoneElse\")] namespace Other { internal class Twin { } }", "using Other;")]
    public void Referenced_types_named_like_a_block_read_the_same(string why, string expect, string library, string usings)
    {
        var text = usings + "\n" + TestModels.Usings + """
            [Block]
            public partial class Twin
            {
                [Linear("width")] Linear fc;
            }

            [Model]
            [Input(16)]
            public partial class Probe
            {
                [Stage(typeof(Twin), 2, "width = 8")] Sequential layer1;
                [Linear(4)] Linear head;
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(text, "Probe.cs") })
            .AddReferences(Library(library));
        Check(why, expect, "Tests.Probe", compilation);
    }

    /// <summary>
    /// The same, with the referenced namesake where lookup meets it first: the model in namespace Tests.Inner, the block
    /// in Tests, and the reference's type in Tests.Inner itself or imported by a using inside Tests.Inner. An accessible
    /// one is what <c>typeof(Twin)</c> binds to there; an inaccessible one never is.
    /// </summary>
    [Theory]
    [InlineData("internal type in the model's own namespace", Accept, "namespace Tests.Inner { internal class Twin { } }", "")]
    [InlineData("public type in the model's own namespace (binding takes it)", Decline, "namespace Tests.Inner { public class Twin { } }", "")]
    [InlineData("internal type imported inside the model's namespace", Accept, "namespace Other { internal class Twin { } }", "using Other;")]
    [InlineData("public type imported inside the model's namespace (binding takes it)", Decline, "namespace Other { public class Twin { } }", "using Other;")]
    public void Referenced_types_nearer_than_the_block_read_the_same(string why, string expect, string library, string innerUsings)
    {
        var text = "using ArchDsl;\nusing ArchDsl.Layers;\nusing TorchSharp.Modules;\n" + $$"""
            namespace Tests
            {
                [Block]
                public partial class Twin
                {
                    [Linear("width")] Linear fc;
                }
            }

            namespace Tests.Inner
            {
                {{innerUsings}}

                [Model]
                [Input(16)]
                public partial class Probe
                {
                    [Stage(typeof(Twin), 2, "width = 8")] Sequential layer1;
                }
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(text, "Probe.cs") })
            .AddReferences(Library(library));
        Check(why, expect, "Tests.Inner.Probe", compilation);
    }

    [Fact]
    public void A_private_type_nested_in_a_source_base_class_reads_the_same() =>
        Check("private nested type of a base class (CS0122 when bound)", Decline, "Tests.Probe", GeneratorHarness.Parse(TestModels.Usings + """
            public class Base { private class Twin { } }

            [Model]
            [Input(16)]
            public partial class Probe : Base
            {
                [Use(typeof(Twin))] Linear x;
            }
            """, "Probe.cs"));

    private static MetadataReference Library(string source, params string[] aliases)
    {
        var library = CSharpCompilation.Create("ArchDslExtension" + (uint)source.GetHashCode(System.StringComparison.Ordinal),
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), "Library.cs") }, GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = library.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the library does not compile: " + string.Join("; ", errors));
        using var image = new System.IO.MemoryStream();
        var emitted = library.Emit(image);
        Assert.True(emitted.Success, "the library does not emit");
        var reference = MetadataReference.CreateFromImage(image.ToArray());
        return aliases.Length == 0 ? reference : reference.WithAliases(aliases);
    }

    /// <summary>
    /// A second assembly with its own namespace ArchDsl, referenced only under an extern alias: the global namespace
    /// ArchDsl does not show its attributes, but the bound reading counts them (their namespace is named ArchDsl).
    /// </summary>
    [Fact]
    public void A_second_ArchDsl_namespace_under_an_extern_alias_reads_the_same()
    {
        var source = """
            extern alias X;
            using ArchDsl;
            using X::ArchDsl;
            using TorchSharp.Modules;
            namespace Tests;
            [Model] [Input(16)] public partial class Probe { [Scale(2)] [Linear(3)] Linear a; }
            """;
        var compilation = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(source, "Probe.cs") })
            .AddReferences(Library("namespace ArchDsl { public sealed class ScaleAttribute : System.Attribute { public ScaleAttribute(int s) { } } }", "X"));
        Check("a second namespace ArchDsl under an extern alias", Decline, "Tests.Probe", compilation);
    }

    /// <summary>
    /// A block of a referenced project (a compilation reference, as in an IDE) is read against its own scope: here
    /// its project aliases LinearAttribute to another ArchDsl attribute, which the referencing project does not.
    /// </summary>
    [Fact]
    public void A_block_of_a_referenced_project_reads_the_same()
    {
        var library = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse("""
            global using ArchDsl;
            global using LinearAttribute = ArchDsl.SelectTokenAttribute;
            namespace LibA;
            [Block] public partial class Blk { [Linear(3)] object? d; }
            """, "LibA.cs") }, "LibA");
        var text = TestModels.Usings + """
            [Model] [Input(16)] public partial class M { [Use(typeof(LibA.Blk))] object? b; [Linear(10)] Linear fc; }
            """;
        var compilation = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(text, "M.cs") }).AddReferences(library.ToMetadataReference());
        var block = compilation.GetTypeByMetadataName("LibA.Blk")!;
        Assert.Equal(DeclarationReader.Read(block, CancellationToken.None), DeclarationReader.Read(block, CancellationToken.None, compilation));
        Assert.Null(LiteralAttributeReader.For(compilation, block));
        var model = compilation.GetTypeByMetadataName("Tests.M")!;
        var bound = DeclarationReader.ReadWithBlocks(model, CancellationToken.None);
        var fast = DeclarationReader.ReadWithBlocks(model, CancellationToken.None, compilation);
        Assert.Equal(bound.Root, fast.Root);
        Assert.Equal(bound.Blocks, fast.Blocks);
    }

    /// <summary>Whole sources, for shapes the probe template cannot express: bases, namespaces, partial declarations.</summary>
    [Theory]
    [InlineData("source base class with a nested attribute class", Decline, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        public class Base { public sealed class DropoutAttribute : System.Attribute { public DropoutAttribute(double p) { } } }
        [Model] [Input(16)] public partial class Probe : Base { [Dropout(0.1)] Dropout d; }
        """, "")]
    [InlineData("source base class with a nested enum Act", Decline, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        public class Base { public enum Act { None, GELU } }
        [Model] [Input(16)] public partial class Probe : Base { [Linear(10, Activation = Act.GELU)] Linear fc; }
        """, "")]
    [InlineData("typeof a type nested in a generic base", Any, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        public class Outer<T> { public class Twin { } }
        [Model] [Input(16)] public partial class Probe : Outer<int> { [Use(typeof(Twin))] Linear a; }
        """, "")]
    [InlineData("typeof a type nested in a non-generic base", Accept, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        public class Outer { public class Twin { } }
        [Model] [Input(16)] public partial class Probe : Outer { [Use(typeof(Twin))] Linear a; }
        """, "")]
    [InlineData("model declared in namespace ArchDsl with a nested attribute class", Any, "ArchDsl.Probe", """
        using TorchSharp.Modules;
        namespace ArchDsl;
        [Model] [Input(16)] public partial class Probe
        {
            public sealed class ScaleAttribute : System.Attribute { }
            [Scale] Linear a;
            [Linear(10)] Linear b;
        }
        """, "")]
    [InlineData("primary-constructor parameter named like the enum", Decline, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        [Model] [Input(16)] public partial class Probe(int Act) { [Linear(10, Activation = Act.GELU)] Linear fc; }
        """, "")]
    [InlineData("model declared in namespace ArchDsl", Decline, "ArchDsl.Probe", """
        using TorchSharp.Modules;
        namespace ArchDsl;
        [Model] [Input(16)] public partial class Probe { [Linear(10, Activation = Act.GELU)] Linear b; }
        """, "")]
    [InlineData("model in a nested namespace of ArchDsl", Accept, "ArchDsl.Models.Probe", """
        using TorchSharp.Modules;
        namespace ArchDsl.Models
        {
            [Model] [Input(16)] public partial class Probe { [Linear(10, Activation = Act.GELU)] Linear b; }
        }
        """, "")]
    [InlineData("block namespaces with different usings", Decline, "Tests.Probe", """
        namespace Other { public sealed class LinearAttribute : System.Attribute { public LinearAttribute(int n) { } } }
        namespace Tests
        {
            using ArchDsl;
            using TorchSharp.Modules;
            [Model] [Input(16)] public partial class Probe { [Linear(10)] Linear fc; }
        }
        namespace Tests
        {
            using Other;
            public partial class Probe { [Linear(20)] TorchSharp.Modules.Linear fc2; }
        }
        """, "")]
    [InlineData("partial declarations in two files with different usings", Any, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        [Model] [Input(16)] public partial class Probe { [Linear(10)] Linear a; }
        """, """
        using TorchSharp.Modules;
        namespace Tests;
        public partial class Probe { [ArchDsl.Linear(20)] Linear b; }
        """)]
    [InlineData("partial declaration without usings, attribute resolved elsewhere", Any, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        [Model] [Input(16)] public partial class Probe { [Linear(10)] Linear a; }
        """, """
        namespace Tests;
        public partial class Probe { [Linear(20)] TorchSharp.Modules.Linear b; }
        """)]
    [InlineData("nested model", Decline, "Tests.Outer+Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        public partial class Outer { [Model] [Input(16)] public partial class Probe { [Linear(10)] Linear a; } }
        """, "")]
    [InlineData("generic model", Decline, "Tests.Probe`1", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        [Model] [Input(16)] public partial class Probe<T> { [Linear(10)] Linear a; }
        """, "")]
    [InlineData("block", Accept, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        [Block(Layout.Tokens)] [Param("w", 4)] public partial class Probe { [Linear("w", Activation = Act.GELU)] Linear a; [LayerNorm(Eps = 1e-6)] LayerNorm n; }
        """, "")]
    [InlineData("Model written with its suffix", Accept, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        [ModelAttribute] [InputAttribute(16)] public partial class Probe { [Linear(10)] Linear a; }
        """, "")]
    [InlineData("Model written qualified", Decline, "Tests.Probe", """
        using TorchSharp.Modules;
        namespace Tests;
        [ArchDsl.Model] [ArchDsl.Input(16)] public partial class Probe { [ArchDsl.Linear(10)] Linear a; }
        """, "")]
    [InlineData("Model written qualified, ArchDsl not imported, simple field attribute", Any, "Tests.Probe", """
        using TorchSharp.Modules;
        namespace Tests;
        [ArchDsl.Model] [ArchDsl.Input(16)] public partial class Probe { [Linear(10)] Linear a; }
        """, "")]
    [InlineData("Model through an alias", Decline, "Tests.Probe", """
        using M = ArchDsl.ModelAttribute;
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        [M] [Input(16)] public partial class Probe { [Linear(10)] Linear a; }
        """, "")]
    [InlineData("Model inside #if", Any, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        #if NOT_DEFINED
        [Model]
        #else
        [Block]
        #endif
        public partial class Probe { [Linear(10)] Linear a; }
        """, "")]
    [InlineData("usings inside the namespace block", Accept, "Tests.Probe", """
        namespace Tests
        {
            using ArchDsl;
            using TorchSharp.Modules;
            [Model] [Input(16)] public partial class Probe { [Linear(10, Activation = Act.GELU)] Linear a; }
        }
        """, "")]
    [InlineData("global using in another file", Accept, "Tests.Probe", """
        namespace Tests;
        [Model] [Input(16)] public partial class Probe { [Linear(10, Activation = Act.GELU)] TorchSharp.Modules.Linear a; }
        """, "global using ArchDsl;")]
    [InlineData("record model is not read", Any, "Tests.Probe", """
        using ArchDsl;
        using TorchSharp.Modules;
        namespace Tests;
        [Model] [Input(16)] public partial record class Probe { [Linear(10)] Linear a = null!; }
        """, "")]
    public void Whole_sources_read_the_same(string why, string expect, string typeName, string source, string extra)
    {
        Check(why, expect, typeName, GeneratorHarness.Parse(source, "Probe.cs"), GeneratorHarness.Parse(extra, "Extra.cs"));
    }

    /// <summary>
    /// ArchDsl.dll referenced only under an extern alias, with a source namespace ArchDsl of the user's own: the
    /// compilation's global namespace ArchDsl is the source one, yet <c>[Model]</c> and <c>[Linear]</c> bind to the
    /// aliased assembly's classes (namespace "ArchDsl", so the bound reading takes them as ours).
    /// </summary>
    [Fact]
    public void ArchDsl_under_an_extern_alias_with_a_source_namespace_ArchDsl_reads_the_same()
    {
        var source = """
            extern alias Dsl;
            using Dsl::ArchDsl;
            using TorchSharp.Modules;
            namespace ArchDsl { public static class Mine { } }
            namespace Tests
            {
                [Model] [Input(16)] public partial class Probe { [Linear(10)] Linear a; [Dropout(0.1)] Dropout d; }
            }
            """;
        var archDsl = typeof(ArchDsl.ModelAttribute).Assembly.Location;
        var references = GeneratorHarness.References
            .Select(r => r is PortableExecutableReference pe && pe.FilePath == archDsl ? r.WithAliases(new[] { "Dsl" }) : r)
            .ToImmutableArray();
        var compilation = CSharpCompilation.Create("ExternAlias", new[] { GeneratorHarness.Parse(source, "Probe.cs") }, references, GeneratorHarness.CompilationOptions);
        Check("ArchDsl under an extern alias", Any, "Tests.Probe", compilation);
    }

    /// <summary>ArchDsl.dll referenced both globally and under an alias: the alias-qualified form is declined, the plain one read.</summary>
    [Fact]
    public void ArchDsl_under_global_and_an_extern_alias_reads_the_same()
    {
        var source = """
            extern alias Dsl;
            using ArchDsl;
            using TorchSharp.Modules;
            namespace Tests;
            [Model] [Input(16)] public partial class Probe { [Dsl::ArchDsl.Linear(10)] Linear a; [Dropout(0.1)] Dropout d; }
            """;
        var archDsl = typeof(ArchDsl.ModelAttribute).Assembly.Location;
        var references = GeneratorHarness.References
            .Select(r => r is PortableExecutableReference pe && pe.FilePath == archDsl ? r.WithAliases(new[] { "global", "Dsl" }) : r)
            .ToImmutableArray();
        var compilation = CSharpCompilation.Create("ExternAliasGlobal", new[] { GeneratorHarness.Parse(source, "Probe.cs") }, references, GeneratorHarness.CompilationOptions);
        Check("ArchDsl under global and an extern alias", Decline, "Tests.Probe", compilation);
    }

    private static void Check(string why, string expect, string typeName, params SyntaxTree[] trees) =>
        Check(why, expect, typeName, GeneratorHarness.CreateCompilation(trees));

    private static void Check(string why, string expect, string typeName, Compilation compilation)
    {
        var failures = new List<string>();
        LiteralReadingTests.CompareAll(compilation, failures);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && !d.IsWarningAsError)
            .Take(3).Select(d => d.Id + " " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(failures.Count == 0, why + (errors.Count == 0 ? " (compiles)" : " (errors: " + string.Join("; ", errors) + ")") + ":\n" + string.Join("\n", failures));

        if (expect == Any) return;
        var type = compilation.GetTypeByMetadataName(typeName);
        Assert.True(type != null, why + ": no type " + typeName);
        var reader = LiteralAttributeReader.For(compilation, type!);
        var read = new List<bool>();
        foreach (var reference in type!.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is ClassDeclarationSyntax cls)
                foreach (var field in cls.Members.OfType<FieldDeclarationSyntax>().Where(f => f.AttributeLists.Count > 0))
                    read.Add(reader?.TryRead(field.Declaration.Variables[0]) != null);
        Assert.True(read.Count > 0, why + ": no attributed fields");
        if (expect == Accept) Assert.True(read.All(r => r), why + ": the syntax-first reading should have read every field");
        else Assert.True(read.Any(r => !r), why + ": the syntax-first reading should have declined");
    }
}
