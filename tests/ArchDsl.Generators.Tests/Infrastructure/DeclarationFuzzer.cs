using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ArchDsl.Generators.Tests.Infrastructure;

public enum FuzzExpectation
{
    /// <summary>Built to be valid: must generate, compile cleanly, and match the fuzzer's own parameter count.</summary>
    Valid,
    /// <summary>Built to be invalid: must not generate the model, and must have a diagnostic in the declaration.</summary>
    Invalid,
    /// <summary>Random or extreme: only the universal properties are checked.</summary>
    Unknown,
}

/// <summary>One fuzzed declaration: a model and the blocks it uses, in a namespace of its own.</summary>
public sealed record FuzzCase(int Index, string Namespace, string Text, FuzzExpectation Expectation, string Model, long? Parameters, string Mutation);

/// <summary>
/// A seeded generator of ArchDsl declarations. Valid cases are built by tracking shapes with its own rules
/// and counting parameters with its own formulas (counting.md); malformed cases apply one mutation.
/// </summary>
public sealed class DeclarationFuzzer
{
    private readonly Random _rng;
    private StringBuilder _blocks = new();
    private long _params;
    private bool _unknown;
    private int _blockId;
    private HashSet<string> _names = new();
    private bool _trickyNames;

    public DeclarationFuzzer(int seed) => _rng = new Random(seed);

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);
    private int R(int min, int maxInclusive) => _rng.Next(min, maxInclusive + 1);
    private bool P(double p) => _rng.NextDouble() < p;
    private T Pick<T>(params T[] items) => items[_rng.Next(items.Length)];

    /// <summary>
    /// How often a case names members like the generated class's own members and locals (ParameterCount,
    /// Summary, x, disposing, ...). Such a declaration must either generate code that compiles or get a
    /// diagnostic in the declaration. Set to 0 to fuzz everything else while that is being fixed.
    /// </summary>
    public const double TrickyNameRate = 0.1;

    private static readonly string[] Tricky = { "x", "scope", "identity", "identity2", "type", "device", "dtype", "i", "disposing", "Summary", "Layers", "Macs", "downsample", "ParameterCount", "InputShape" };

    private string Name(string stem)
    {
        string name;
        if (_trickyNames && P(0.3)) { name = Pick(Tricky); _unknown = true; }
        else name = stem + N(_names.Count);
        if (!_names.Add(name)) { name = stem + "_" + N(_names.Count); _names.Add(name); }
        return name;
    }

    public FuzzCase Next(int index)
    {
        _blocks = new StringBuilder();
        _params = 0;
        _unknown = false;
        _blockId = 0;
        _names = new HashSet<string>();
        _trickyNames = P(TrickyNameRate);
        string ns = "Fuzz.C" + N(index);
        double roll = _rng.NextDouble();
        string mutation = roll < 0.55 ? "none" : Pick("wrongType", "missingArg", "wrongArgType", "cycle", "absurd", "empty", "unknownBlock",
            "duplicateName", "randomExpr", "bigKernel", "groups", "heads", "noInput", "notPartial", "negative", "badResidual", "pixelShuffle");

        var members = new StringBuilder();
        string input;
        int layout = R(0, 2);
        long[] shape = layout switch
        {
            0 => new long[] { R(1, 8), R(4, 20), R(4, 20) },
            1 => new long[] { R(1, 10), 8 * R(1, 6) },
            _ => new long[] { R(1, 40) },
        };
        input = string.Join(", ", Array.ConvertAll(shape, v => N(v)));
        bool invalid = false;

        int count = mutation == "empty" ? 0 : R(1, 6);
        for (int i = 0; i < count; i++)
            shape = AddLayer(members, shape, ref invalid, i == count - 1 ? mutation : "none");
        if (mutation == "empty") invalid = true;

        string model = "Net" + N(index);
        var sb = new StringBuilder();
        sb.Append(_blocks);
        string inputAttr = mutation == "noInput" ? "" : ", Input(" + input + ")";
        if (mutation == "noInput") invalid = true;
        string partial = mutation == "notPartial" ? "" : "partial ";
        if (mutation == "notPartial") invalid = true;
        sb.Append("/// <summary>Fuzzed model.</summary>\n[Model").Append(inputAttr).Append("]\npublic ").Append(partial).Append("class ").Append(model).Append("\n{\n");
        sb.Append(members);
        sb.Append("}\n");

        var expectation = invalid ? FuzzExpectation.Invalid : _unknown ? FuzzExpectation.Unknown : FuzzExpectation.Valid;
        return new FuzzCase(index, ns, sb.ToString(), expectation, model, expectation == FuzzExpectation.Valid ? _params : null, mutation);
    }

    private void Field(StringBuilder members, string attribute, string type, string? name = null)
        => members.Append("    [").Append(attribute).Append("] ").Append(type).Append(' ').Append(name ?? Name("m")).Append(";\n");

    private long[] AddLayer(StringBuilder m, long[] x, ref bool invalid, string mutation)
    {
        switch (mutation)
        {
            case "wrongType": Field(m, "Linear(4)", "Conv2d"); invalid = true; return x;
            case "missingArg": Field(m, x.Length == 3 ? "Conv2d(4)" : "Linear(\"\")", x.Length == 3 ? "Conv2d" : "Linear"); invalid = true; return x;
            case "wrongArgType": Field(m, Pick("Linear(true)", "Conv2d(4, Kernel = \"3\")", "Dropout(\"p\")", "MaxPool2d(2.5)"), "Linear"); invalid = true; return x;
            case "cycle":
            {
                string a = "CycA" + N(_blockId++), b = "CycB" + N(_blockId++);
                _blocks.Append($"/// <summary>A.</summary>\n[Block]\npublic partial class {a} {{ [Stage(typeof({b}), 1)] Sequential inner; }}\n");
                _blocks.Append($"/// <summary>B.</summary>\n[Block]\npublic partial class {b} {{ [Use(typeof({a}))] {a} inner; }}\n");
                Field(m, $"Stage(typeof({a}), 1)", "Sequential");
                invalid = true;
                return x;
            }
            case "absurd":
                _unknown = true;
                Field(m, "Linear(" + N(Pick(int.MaxValue, 1 << 30, 46341)) + ")", "Linear");
                Field(m, "Linear(" + N(Pick(int.MaxValue, 1 << 30, 65536)) + ")", "Linear");
                return x;
            case "unknownBlock":
                _blocks.Append("/// <summary>Not a block.</summary>\npublic class Plain" + N(_blockId++) + " { }\n");
                Field(m, "Stage(typeof(Plain" + N(_blockId - 1) + "), 1)", "Sequential");
                invalid = true;
                return x;
            case "duplicateName":
            {
                var name = Name("dup");
                Field(m, "Dropout(0.1)", "Dropout", name);
                Field(m, "Dropout(0.2)", "Dropout", name);
                invalid = true;
                return x;
            }
            case "randomExpr":
            {
                // A block whose size is a random expression; its binding may or may not make sense.
                string blk = "Rnd" + N(_blockId++);
                string expr = RandomExpr(3);
                string type = x.Length == 3 ? "Conv2d" : "Linear";
                string attr = x.Length == 3 ? $"Conv2d(\"{expr}\", Kernel = 1)" : $"Linear(\"{expr}\")";
                _blocks.Append($"/// <summary>Random.</summary>\n[Block(Layout.{(x.Length == 3 ? "Image" : x.Length == 2 ? "Tokens" : "Vector")})]\npublic partial class {blk} {{ [{attr}] {type} layer; }}\n");
                Field(m, $"Use(typeof({blk}), \"a = {R(0, 9)}, b = {R(0, 9)}\")", blk);
                _unknown = true;
                return x;
            }
            case "bigKernel" when x.Length == 3: Field(m, $"Conv2d(4, Kernel = {x[1] + x[2] + 3})", "Conv2d"); invalid = true; return x;
            case "groups" when x.Length == 3: Field(m, $"Conv2d(4, Kernel = 1, Groups = {x[0] + 1})", "Conv2d"); invalid = true; return x;
            case "heads" when x.Length == 2: Field(m, $"SelfAttention({x[1] + 1})", "SelfAttention"); invalid = true; return x;
            case "negative": Field(m, x.Length == 3 ? "Conv2d(4, Kernel = 1, Stride = -2)" : "Linear(-3)", x.Length == 3 ? "Conv2d" : "Linear"); invalid = true; return x;
            case "badResidual": Field(m, "Dropout(0.0), Residual(From = \"missing\")", "Dropout"); invalid = true; return x;
            case "pixelShuffle" when x.Length == 3 && x[0] % 4 != 0: Field(m, "PixelShuffle(2)", "PixelShuffle"); invalid = true; return x;
        }
        return ValidLayer(m, x);
    }

    private string RandomExpr(int depth)
    {
        if (depth == 0 || P(0.3))
            return Pick("a", "b", "inFeatures", "inChannels", "zz", N(R(0, 12)));
        return "(" + RandomExpr(depth - 1) + " " + Pick("+", "-", "*", "/", "%") + " " + RandomExpr(depth - 1) + ")";
    }

    private long[] ValidLayer(StringBuilder m, long[] x)
    {
        if (x.Length == 3)
        {
            long c = x[0], h = x[1], w = x[2];
            switch (R(0, 8))
            {
                case 0:
                case 1:
                {
                    long k = R(1, (int)Math.Min(5, Math.Min(h, w))), s = R(1, 2), p = R(0, (int)(k / 2)), d = 1;
                    if (P(0.2) && h > 2 * k && w > 2 * k) d = 2;
                    long g = P(0.25) ? Gcd(c, 12) : 1;
                    long o = g * R(1, 4);
                    bool bias = P(0.5);
                    Field(m, $"Conv2d({o}, Kernel = {k}" + (s != 1 ? $", Stride = {s}" : "") + (p != 0 ? $", Padding = {p}" : "")
                             + (d != 1 ? $", Dilation = {d}" : "") + (g != 1 ? $", Groups = {g}" : "") + (bias ? "" : ", Bias = false")
                             + (P(0.3) ? ", Activation = Act.ReLU" : "") + ")", "Conv2d");
                    _params += o * (c / g) * k * k + (bias ? o : 0);
                    return new[] { o, Out(h, k, s, p, d), Out(w, k, s, p, d) };
                }
                case 2: Field(m, "BatchNorm2d" + (P(0.5) ? "(Activation = Act.ReLU)" : ""), "BatchNorm2d"); _params += 2 * c; return x;
                case 3:
                {
                    long k = R(1, (int)Math.Min(3, Math.Min(h, w)));
                    string kind = Pick("MaxPool2d", "AvgPool2d");
                    Field(m, $"{kind}({k})", kind);
                    return new[] { c, Out(h, k, k, 0, 1), Out(w, k, k, 0, 1) };
                }
                case 4: Field(m, "Tokens", "Tokens"); return new[] { h * w, c };
                case 5: Field(m, "Flatten", "Flatten"); return new[] { c * h * w };
                case 6:
                    if (c % 4 == 0) { Field(m, "PixelShuffle(2)", "PixelShuffle"); return new[] { c / 4, h * 2, w * 2 }; }
                    Field(m, "AdaptiveAvgPool2d(2)", "AdaptiveAvgPool2d");
                    return new[] { c, 2, 2 };
                default: return ResidualStage(m, x);
            }
        }
        if (x.Length == 2)
        {
            long n = x[0], d = x[1];
            switch (R(0, 7))
            {
                case 0: Field(m, "LayerNorm", "LayerNorm"); _params += 2 * d; return x;
                case 1:
                {
                    long heads = Divisor(d);
                    Field(m, $"SelfAttention({heads})", "SelfAttention");
                    _params += 4 * d * d + 4 * d;
                    return x;
                }
                case 2:
                {
                    long hidden = R(1, 64);
                    Field(m, $"Mlp({hidden})", "Sequential");
                    _params += d * hidden + hidden + hidden * d + d;
                    return x;
                }
                case 3: Field(m, "ClassToken", "Parameter"); _params += d; return new[] { n + 1, d };
                case 4: Field(m, "PositionalEmbedding", "Parameter"); _params += n * d; return x;
                case 5: { long i = R(0, (int)n - 1); Field(m, $"SelectToken({i})", "SelectToken"); return new[] { d }; }
                case 6: return EncoderStage(m, x);
                default:
                {
                    long o = 8 * R(1, 6);
                    Field(m, $"Linear({o})", "Linear");
                    _params += d * o + o;
                    return new[] { n, o };
                }
            }
        }
        {
            long d = x[0];
            switch (R(0, 3))
            {
                case 0: Field(m, "LayerNorm", "LayerNorm"); _params += 2 * d; return x;
                case 1:
                {
                    var (attr, type) = Pick(("ReLU", "ReLU"), ("GELU", "GELU"), ("Dropout(0.25)", "Dropout"), ("Identity", "Identity"));
                    Field(m, attr, type);
                    return x;
                }
                case 2: return ExpandUse(m, x);
                default:
                {
                    long o = R(1, 40);
                    bool bias = P(0.7);
                    Field(m, $"Linear({o}" + (bias ? "" : ", Bias = false") + ")", "Linear");
                    _params += d * o + (bias ? o : 0);
                    return new[] { o };
                }
            }
        }
    }

    private long[] ResidualStage(StringBuilder m, long[] x)
    {
        long c = x[0], h = x[1], w = x[2];
        string blk = "Res" + N(_blockId++);
        _blocks.Append($$"""
            /// <summary>Residual block.</summary>
            [Block]
            [Param("stride", 1)]
            public partial class {{blk}}
            {
                [Conv2d("width", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride")] Conv2d conv1;
                [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
                [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
                [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv1))] BatchNorm2d bn2;
            }

            """);
        long width = R(1, 8), stride = R(1, 2), count = R(1, 3);
        string bindings = stride == 1 && P(0.5) ? $"width = {width}" : $"width = {width}, stride = {stride}";
        Field(m, $"Stage(typeof({blk}), {count}, \"{bindings}\")", "Sequential");
        long ho = (h - 1) / stride + 1, wo = (w - 1) / stride + 1;
        long first = c * width * 9 + 2 * width + width * width * 9 + 2 * width;
        // The DSL projects the shortcut when the shape changes (not merely when a stride is given:
        // a stride-2 block on a 1×1 map keeps its shape and adds the identity).
        if (c != width || ho != h || wo != w) first += c * width + 2 * width; // 1×1 projection + BN
        _params += first + (count - 1) * (2 * width * width * 9 + 4 * width);
        return new[] { width, ho, wo };
    }

    private long[] EncoderStage(StringBuilder m, long[] x)
    {
        long n = x[0], d = x[1];
        string blk = "Enc" + N(_blockId++);
        _blocks.Append($$"""
            /// <summary>Encoder layer.</summary>
            [Block(Layout.Tokens)]
            public partial class {{blk}}
            {
                [LayerNorm] LayerNorm ln_1;
                [SelfAttention("heads")] SelfAttention self_attention;
                [Dropout(0.0), Residual(From = nameof(ln_1))] Dropout dropout;
                [LayerNorm] LayerNorm ln_2;
                [Mlp("mlp_dim"), Residual(From = nameof(ln_2))] Sequential mlp;
            }

            """);
        long heads = Divisor(d), mlp = R(1, 48), count = R(1, 3);
        Field(m, $"Stage(typeof({blk}), {count}, \"heads = {heads}, mlp_dim = {mlp}\")", "Sequential");
        _params += count * (2 * d + 4 * d * d + 4 * d + 2 * d + d * mlp + mlp + mlp * d + d);
        return x;
    }

    private long[] ExpandUse(StringBuilder m, long[] x)
    {
        long d = x[0];
        string blk = "Exp" + N(_blockId++);
        _blocks.Append($$"""
            /// <summary>Expand and project.</summary>
            [Block(Layout.Vector)]
            [Param("expansion", 4)]
            public partial class {{blk}}
            {
                [Linear("width * expansion", Activation = Act.GELU)] Linear up;
                [Linear("width")] Linear down;
            }

            """);
        long width = R(1, 16), e = P(0.5) ? 4 : R(1, 3);
        Field(m, $"Use(typeof({blk}), \"width = {width}" + (e == 4 ? "" : $", expansion = {e}") + "\")", blk);
        long hidden = width * e;
        _params += d * hidden + hidden + hidden * width + width;
        return new[] { width };
    }

    private static long Out(long size, long k, long s, long p, long d) => (size + 2 * p - d * (k - 1) - 1) / s + 1;

    private long Divisor(long d)
    {
        var list = new List<long>();
        for (long i = 1; i <= d; i++) if (d % i == 0) list.Add(i);
        return list[_rng.Next(list.Count)];
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
}
