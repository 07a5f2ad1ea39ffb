using System.Collections.Generic;
using ArchDsl.Core.Declarations;

namespace ArchDsl.Core.Tests;

/// <summary>
/// Builds declaration records by hand, the way the generator's reader would from C#. Every argument gets
/// its own span (offset = a running counter) so tests can tell which argument a finding points at.
/// </summary>
internal static class Decl
{
    private static int _next = 1000;

    public static SourceSpan Span() { int s = System.Threading.Interlocked.Add(ref _next, 10); return new SourceSpan("test.cs", s, 5, 0, s, 0, s + 5); }

    public static ArgValue I(long v) => ArgValue.OfInt(v, Span());
    public static ArgValue D(double v) => ArgValue.OfDouble(v, Span());
    public static ArgValue B(bool v) => ArgValue.OfBool(v, Span());
    public static ArgValue S(string v) => ArgValue.OfString(v, Span());
    public static ArgValue T(string fullName) => ArgValue.OfType(fullName, Span());
    public static ArgValue E(string name, long value) => ArgValue.OfEnum(name, value, Span());
    public static ArgValue Ints(params long[] v) => ArgValue.OfInts(v, Span());

    public static AttributeDecl A(string name, params object[] args)
    {
        var pos = new List<ArgValue>();
        var named = new List<NamedArg>();
        foreach (var a in args)
        {
            if (a is ArgValue v) pos.Add(v);
            else if (a is NamedArg n) named.Add(n);
            else pos.Add(Of(a));
        }
        return new AttributeDecl(name, new EquatableArray<ArgValue>(pos.ToArray()), new EquatableArray<NamedArg>(named.ToArray()), Span());
    }

    public static NamedArg N(string name, object value) => new(name, value as ArgValue ?? Of(value));

    private static ArgValue Of(object o) => o switch
    {
        int i => I(i),
        long l => I(l),
        double d => D(d),
        bool b => B(b),
        string s => S(s),
        _ => throw new System.ArgumentException(o.ToString()),
    };

    /// <summary>Member type names the generated code assigns (written out here, not read from the catalog).</summary>
    private static readonly Dictionary<string, string> Types = new()
    {
        ["Conv2d"] = "TorchSharp.Modules.Conv2d",
        ["BatchNorm2d"] = "TorchSharp.Modules.BatchNorm2d",
        ["MaxPool2d"] = "TorchSharp.Modules.MaxPool2d",
        ["AvgPool2d"] = "TorchSharp.Modules.AvgPool2d",
        ["AdaptiveAvgPool2d"] = "TorchSharp.Modules.AdaptiveAvgPool2d",
        ["PixelShuffle"] = "TorchSharp.Modules.PixelShuffle",
        ["Flatten"] = "TorchSharp.Modules.Flatten",
        ["Linear"] = "TorchSharp.Modules.Linear",
        ["LayerNorm"] = "TorchSharp.Modules.LayerNorm",
        ["Dropout"] = "TorchSharp.Modules.Dropout",
        ["ReLU"] = "TorchSharp.Modules.ReLU",
        ["Tokens"] = "ArchDsl.Layers.Tokens",
        ["ClassToken"] = "TorchSharp.Modules.Parameter",
        ["PositionalEmbedding"] = "TorchSharp.Modules.Parameter",
        ["SelfAttention"] = "ArchDsl.Layers.SelfAttention",
        ["Mlp"] = "TorchSharp.Modules.Sequential",
        ["SelectToken"] = "ArchDsl.Layers.SelectToken",
        ["Stage"] = "TorchSharp.Modules.Sequential",
        ["ConvTranspose2d"] = "TorchSharp.Modules.ConvTranspose2d",
        ["Upsample"] = "TorchSharp.Modules.Upsample",
        ["LayerNorm2d"] = "ArchDsl.Layers.LayerNorm2d",
    };

    /// <summary>A member whose type matches its (first) layer attribute; Use members take the block's type.</summary>
    public static MemberDecl M(string name, params AttributeDecl[] attrs)
    {
        string type = attrs[0].Name == "Use" ? attrs[0].Positional[0].Text! : Types[attrs[0].Name];
        return new MemberDecl(name, type, new EquatableArray<AttributeDecl>(attrs), Span());
    }

    public static MemberDecl MTyped(string name, string type, params AttributeDecl[] attrs)
        => new(name, type, new EquatableArray<AttributeDecl>(attrs), Span());

    public static ModuleDecl Model(string name, long[] input, params MemberDecl[] members)
        => Module(name, true, new[] { A("Model"), A("Input", Ints(input)) }, members);

    public static ModuleDecl Block(string name, string layout, (string Name, long Default)[] defaults, params MemberDecl[] members)
    {
        var attrs = new List<AttributeDecl> { A("Block", E(layout, layout == "Image" ? 0 : layout == "Tokens" ? 1 : 2)) };
        foreach (var (n, d) in defaults) attrs.Add(A("Param", n, (int)d));
        return Module(name, false, attrs.ToArray(), members);
    }

    public static ModuleDecl Module(string name, bool isModel, AttributeDecl[] attrs, MemberDecl[] members, bool partial = true)
        => new(name, "Tests", "Tests." + name, isModel, "public", partial, false, false, false,
            new EquatableArray<AttributeDecl>(attrs), new EquatableArray<MemberDecl>(members), Span());
}
