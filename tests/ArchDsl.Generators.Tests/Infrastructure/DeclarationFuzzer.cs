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
            "duplicateName", "randomExpr", "bigKernel", "groups", "heads", "noInput", "notPartial", "negative", "badResidual", "pixelShuffle",
            "badConcat", "badMultiply", "badKey", "laterFrom");

        // A share of cases, valid or not, are built around residual connections of many shapes (ResidualBody).
        bool residualCase = P(ResidualRate);
        if (residualCase) mutation = "residual";

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

        if (residualCase)
        {
            if (P(0.25)) shape = ValidLayer(members, shape);
            shape = ResidualBody(members, shape, ref invalid, out mutation);
            if (P(0.25)) shape = ValidLayer(members, shape);
        }
        else
        {
            int count = mutation == "empty" ? 0 : R(1, 6);
            for (int i = 0; i < count; i++)
                shape = AddLayer(members, shape, ref invalid, i == count - 1 ? mutation : "none");
        }
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
            case "badConcat" when x.Length == 3 && x[1] >= 2 && x[2] >= 2:
            {
                // A stride-2 convolution's output cannot be concatenated with its full-size input.
                string a = Name("j");
                Field(m, "Identity", "Identity", a);
                Field(m, $"Conv2d(4, Kernel = 1, Stride = 2), Concat(From = nameof({a}))", "Conv2d");
                invalid = true;
                return x;
            }
            case "badMultiply" when x[x.Length == 3 ? 0 : x.Length - 1] >= 2:
            {
                string a = Name("j");
                Field(m, "Identity", "Identity", a);
                Field(m, x.Length == 3 ? $"Conv2d({x[0] + 1}, Kernel = 1), Multiply(From = nameof({a}))" : $"Linear({x[^1] + 1}), Multiply(From = nameof({a}))",
                    x.Length == 3 ? "Conv2d" : "Linear");
                invalid = true;
                return x;
            }
            case "badKey": Field(m, "Dropout(0.1, Key = \"a b\")", "Dropout"); invalid = true; return x;
            case "laterFrom":
            {
                string later = Name("j");
                Field(m, $"Dropout(0.0), Residual(From = \"{later}\")", "Dropout");
                Field(m, "Dropout(0.0)", "Dropout", later);
                invalid = true;
                return x;
            }
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
            switch (R(0, 18))
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
                             + (P(0.3) ? ", Activation = Act." + Pick("ReLU", "ReLU6", "Hardswish", "SiLU", "GELUTanh") : "") + ")", "Conv2d");
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
                case 8 when h <= 32 && w <= 32:
                {
                    long o = R(1, 6);
                    Field(m, $"ConvTranspose2d({o}, Kernel = 2, Stride = 2)", "ConvTranspose2d");
                    _params += c * o * 4 + o;
                    return new[] { o, 2 * h, 2 * w };
                }
                case 9 when h <= 16 && w <= 16:
                    Field(m, "Upsample(2" + (P(0.5) ? ", Mode = UpsampleMode.Bilinear" : "") + ")", "Upsample");
                    return new[] { c, 2 * h, 2 * w };
                case 10: Field(m, "LayerNorm2d", "LayerNorm2d"); _params += 2 * c; return x;
                case 11:
                {
                    long s = R(1, 4);
                    Field(m, $"SqueezeExcitation({s}" + (P(0.5) ? ", Inner = Act.SiLU, Gate = Act.Hardsigmoid" : "") + ")", "SqueezeExcitation");
                    _params += 2 * c * s + s + c;
                    return x;
                }
                case 12: Field(m, "LayerScale(0.5)", "Parameter"); _params += c; return x;
                case 13:
                {
                    // Dense connection: the input first, then a 3×3 convolution's new channels.
                    string a = Name("j");
                    long o = R(1, 4);
                    Field(m, "Identity", "Identity", a);
                    Field(m, $"Conv2d({o}, Kernel = 3, Padding = 1), Concat(From = nameof({a}))", "Conv2d");
                    _params += c * o * 9 + o;
                    return new[] { c + o, h, w };
                }
                case 14:
                {
                    // A squeeze-and-excitation gate written as a join.
                    string a = Name("j");
                    Field(m, "AdaptiveAvgPool2d(1)", "AdaptiveAvgPool2d", a);
                    Field(m, $"Conv2d({c}, Kernel = 1, Activation = Act.Sigmoid), Multiply(From = nameof({a}))", "Conv2d");
                    _params += c * c + c;
                    return x;
                }
                case 16 when h % 2 == 0 && w % 2 == 0 && h <= 32 && w <= 32:
                {
                    // A block taking a skip: the map is pooled, and the block brings it back up and concatenates the
                    // skip (the pool's input) first.
                    string a = Name("j");
                    string blk = "SkipBlock" + N(_names.Count);
                    _names.Add(blk);
                    long o = R(1, 4);
                    Field(m, "MaxPool2d(2)", "MaxPool2d", a);
                    _blocks.Append($"/// <summary>Up with a skip.</summary>\n[Block(Skip = \"skip\")]\npublic partial class {blk} {{ [ConvTranspose2d(\"width\", Kernel = 2, Stride = 2), Concat(From = \"skip\")] ConvTranspose2d up; }}\n");
                    Field(m, $"Use(typeof({blk}), \"width = {o}\", Skip = nameof({a}))", blk);
                    _params += c * o * 4 + o;
                    return new[] { c + o, h, w };
                }
                case 17:
                {
                    // Two branches from one value, summed: a 3×3 convolution, and a 1×1 one reading its input.
                    string a = Name("j"), b = Name("j");
                    long o = R(1, 4);
                    Field(m, $"Conv2d({o}, Kernel = 3, Padding = 1)", "Conv2d", a);
                    Field(m, $"Conv2d({o}, Kernel = 1, Input = nameof({a})), Sum(From = nameof({b}))", "Conv2d", b);
                    _params += c * o * 9 + o + c * o + o;
                    return new[] { o, h, w };
                }
                case 15:
                    Field(m, "Permute(0, 2, 3, 1)", "Permute");
                    Field(m, "LayerNorm", "LayerNorm");
                    Field(m, "Permute(0, 3, 1, 2)", "Permute");
                    _params += 2 * c;
                    return x;
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

    // ---- Residual connections of many shapes -------------------------------------------------------------
    //
    // ResidualBody lays out a run of layers on the current layout (image, tokens or vector), some of them instances
    // of blocks that hold residuals of their own, and puts residuals on some layers: From the layer itself, an
    // earlier layer, a later one (invalid) or a missing member (invalid); Shortcut left to its default "downsample",
    // a fresh name, the name of another residual's shortcut, a member's name, or a name of the generated code.
    // Whether the case is valid follows from the DSL's documented rules, restated here:
    // - a shortcut is projected when the input of From and this layer's output differ (concretely): on images a 1×1
    //   convolution without bias with the product of the strides since From, then batch norm (Cin·Cout + 2·Cout),
    //   which must reach the output's height and width ((in − 1) / stride + 1); on tokens and vectors a Linear with
    //   bias on the last dimension (Din·Dout + Dout), which keeps the token count;
    // - in a model, a projected shortcut is a field: its name must differ from every member and from the other
    //   projected shortcuts (ADSL0013);
    // - in a block, a shortcut is a field wherever the shapes can differ (its expressions are not the same), so that
    //   is checked on the block's symbolic shapes, whatever the instances' values; an identity shortcut (the same
    //   expressions) is no field and may carry a member's name, in a block as in a model.

    /// <summary>How often a case is a residual case (<see cref="ResidualBody"/>).</summary>
    public const double ResidualRate = 0.15;

    private static readonly string[] TrickyShortcuts = { "x", "scope", "identity", "disposing", "Summary", "Layers", "Macs", "ParameterCount", "InputShape", "width", "stride", "inChannels", "inFeatures", "device", "i" };

    private sealed class RBlock
    {
        public string Name = "";
        public List<RSpec> Specs = new();
        public bool UsesStride;
        public bool Invalid;
        public bool Unknown;
    }

    private sealed class RSpec
    {
        public string Kind = "";    // Conv, BN, ReLU, Pool, Linear, LN, Attn, Mlp, Drop, Cls, Block
        public string Name = "";
        public string Attr = "";
        public string Type = "";
        public long Out;            // Conv, Linear: output channels/features; 0: the block's "width"
        public long K = 1, Pad;
        public long Stride = 1;     // 0: the block's "stride"
        public bool Bias = true;
        public long Hidden;         // Mlp
        public RBlock? Block;       // Block: the block, its instances, bindings
        public long Count = 1, Width, BlockStride = 1;
        public bool HasResidual;
        public int From = -1;       // index of From; -1 missing, greater than the own index: a later member
        public string? Shortcut;    // null: the default, "downsample"
        public string Tag = "";     // blocks: the symbolic output (same tag, same expressions)
    }

    private sealed class REval
    {
        public long[]? Out;
        public long Params;
        public bool Invalid;
        public bool Unknown;
    }

    private static bool Same(long[] a, long[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
        return true;
    }

    private long[] ResidualBody(StringBuilder m, long[] x, ref bool invalid, out string mutation)
    {
        var names = new HashSet<string>();
        var specs = Specs(x, inBlock: false, R(2, 6), names);
        var r = Eval(specs, x, 0, 1, isModel: true, names);
        foreach (var sp in specs) if (sp.Block is { } b) { r.Invalid |= b.Invalid; r.Unknown |= b.Unknown; }
        foreach (var sp in specs) Field(m, sp.Attr, sp.Type, sp.Name);
        mutation = "residual(" + (x.Length == 3 ? "image" : x.Length == 2 ? "tokens" : "vector") + (r.Invalid ? ", invalid" : "") + (r.Unknown ? ", unknown" : "") + ")";
        if (r.Invalid || r.Out is null) { invalid = true; return x; }
        if (r.Unknown) _unknown = true;
        _params += r.Params;
        return r.Out;
    }

    /// <summary>A run of layers from <paramref name="x"/> (sizes of an example input in a block), with residuals.</summary>
    private List<RSpec> Specs(long[] x, bool inBlock, int count, HashSet<string> names)
    {
        var specs = new List<RSpec>();
        var cur = x;
        bool downsampleMember = P(0.1);
        for (int i = 0; i < count; i++)
        {
            var sp = NewSpec(cur, inBlock);
            if (downsampleMember && sp.Kind is "BN" or "ReLU" or "LN" or "Drop" && _names.Add("downsample")) { sp.Name = "downsample"; downsampleMember = false; }
            else sp.Name = Name("r");
            names.Add(sp.Name);
            specs.Add(sp);
            // Rough sizes, only to choose the next layer (shapes that cannot shrink further get shape-keeping layers).
            if (sp.Kind == "Conv" && !inBlock) cur = new[] { sp.Out, Out(cur[1], sp.K, sp.Stride, sp.Pad, 1), Out(cur[2], sp.K, sp.Stride, sp.Pad, 1) };
            else if (sp.Kind == "Pool") cur = new[] { cur[0], Out(cur[1], 2, 2, 0, 1), Out(cur[2], 2, 2, 0, 1) };
            else if (sp.Kind == "Linear" && !inBlock) cur = cur.Length == 2 ? new[] { cur[0], sp.Out } : new[] { sp.Out };
            else if (sp.Kind == "Cls") cur = new[] { cur[0] + 1, cur[1] };
        }

        // Residuals: at least one; From the layer itself, an earlier one, a later one or a missing member.
        var shortcuts = new List<string>();
        bool any = false;
        for (int i = 0; i < count; i++)
        {
            var sp = specs[i];
            if (sp.Kind == "Cls" || !(P(0.45) || (i == count - 1 && !any))) continue;
            any = true;
            sp.HasResidual = true;
            double f = _rng.NextDouble();
            string from;
            if (f < 0.05) { sp.From = -1; from = "\"missing\""; }
            else if (f < 0.1 && i < count - 1) { sp.From = R(i + 1, count - 1); from = $"nameof({specs[sp.From].Name})"; }
            else { sp.From = P(0.3) ? i : R(0, i); from = $"nameof({specs[sp.From].Name})"; }
            double n = _rng.NextDouble();
            if (n < 0.45) sp.Shortcut = null;
            else if (n < 0.8) sp.Shortcut = Name("sc");
            else if (n < 0.88 && shortcuts.Count > 0) sp.Shortcut = Pick(shortcuts.ToArray());
            else if (n < 0.95) sp.Shortcut = specs[R(0, count - 1)].Name;
            else { sp.Shortcut = Pick(TrickyShortcuts); _unknown = true; }
            shortcuts.Add(sp.Shortcut ?? "downsample");
            sp.Attr += $", Residual(From = {from}" + (sp.Shortcut is null ? "" : $", Shortcut = \"{sp.Shortcut}\"") + ")";
        }
        return specs;
    }

    private RSpec NewSpec(long[] x, bool inBlock)
    {
        var sp = new RSpec();
        string act = P(0.2) ? ", Activation = Act.ReLU" : "";
        double roll = _rng.NextDouble();
        if (!inBlock && roll < 0.1)
        {
            sp.Kind = "Block";
            sp.Block = ResidualBlock(x.Length);
            sp.Width = x.Length == 3 ? (P(0.4) ? x[0] : R(1, 8)) : x.Length == 2 ? (P(0.4) ? x[1] : 8 * R(1, 4)) : P(0.4) ? x[0] : R(1, 40);
            sp.Count = P(0.5) ? 1 : R(2, 3);
            bool stage = sp.Count > 1 || P(0.5);
            // Bind only what the block uses ("width" by its convolutions or linear layers, "stride" by its convolutions).
            var bindings = new List<string>();
            if (sp.Block.Specs.Exists(s => s.Kind is "Conv" or "Linear")) bindings.Add($"width = {sp.Width}");
            if (sp.Block.UsesStride && P(0.6)) { sp.BlockStride = R(1, 2); bindings.Add($"stride = {sp.BlockStride}"); }
            string bound = bindings.Count == 0 && P(0.5) ? "" : $", \"{string.Join(", ", bindings)}\"";
            if (stage) { sp.Attr = $"Stage(typeof({sp.Block.Name}), {sp.Count}{bound})"; sp.Type = "Sequential"; }
            else { sp.Attr = $"Use(typeof({sp.Block.Name}){bound})"; sp.Type = sp.Block.Name; }
            return sp;
        }
        if (x.Length == 3)
        {
            long h = x[1], w = x[2];
            if (roll < 0.5)
            {
                sp.Kind = "Conv"; sp.Type = "Conv2d";
                sp.K = P(0.5) ? 1 : 3;
                sp.Pad = sp.K / 2;
                if (sp.K == 3 && h >= 3 && w >= 3 && P(0.15)) sp.Pad = 0;
                sp.Stride = inBlock && P(0.4) ? 0 : P(0.3) ? 2 : 1;
                sp.Out = inBlock ? 0 : P(0.4) ? x[0] : R(1, 8);
                sp.Bias = P(0.5);
                sp.Attr = $"Conv2d({(inBlock ? "\"width\"" : N(sp.Out))}, Kernel = {sp.K}" + (sp.Pad != 0 ? $", Padding = {sp.Pad}" : "")
                          + (sp.Stride == 0 ? ", With = \"stride = stride\"" : sp.Stride != 1 ? $", Stride = {sp.Stride}" : "") + (sp.Bias ? "" : ", Bias = false") + act + ")";
            }
            else if (roll < 0.75) { sp.Kind = "BN"; sp.Type = "BatchNorm2d"; sp.Attr = "BatchNorm2d" + (act.Length > 0 ? "(Activation = Act.ReLU)" : ""); }
            else if (roll < 0.9 || inBlock || h < 2 || w < 2) { sp.Kind = "ReLU"; sp.Type = "ReLU"; sp.Attr = "ReLU"; }
            else { sp.Kind = "Pool"; sp.Type = "MaxPool2d"; sp.Attr = "MaxPool2d(2)"; }
            return sp;
        }
        long d = x[^1];
        if (roll < 0.4)
        {
            sp.Kind = "Linear"; sp.Type = "Linear";
            sp.Out = inBlock ? 0 : P(0.3) ? d : x.Length == 2 ? 8 * R(1, 4) : R(1, 40);
            sp.Bias = P(0.7);
            sp.Attr = $"Linear({(inBlock ? "\"width\"" : N(sp.Out))}" + (sp.Bias ? "" : ", Bias = false") + act + ")";
        }
        else if (roll < 0.55) { sp.Kind = "LN"; sp.Type = "LayerNorm"; sp.Attr = "LayerNorm"; }
        else if (roll < 0.68) { sp.Kind = "Mlp"; sp.Type = "Sequential"; sp.Hidden = R(1, 32); sp.Attr = $"Mlp({sp.Hidden})"; }
        else if (x.Length == 2 && roll < 0.8) { sp.Kind = "Attn"; sp.Type = "SelfAttention"; sp.Attr = "SelfAttention(1)"; }
        else if (x.Length == 2 && !inBlock && roll < 0.85) { sp.Kind = "Cls"; sp.Type = "Parameter"; sp.Attr = "ClassToken"; }
        else if (roll < 0.9) { sp.Kind = "Drop"; sp.Type = "Dropout"; sp.Attr = "Dropout(0.1)"; }
        else { sp.Kind = "ReLU"; sp.Type = Pick("ReLU", "GELU"); sp.Attr = sp.Type; }
        return sp;
    }

    /// <summary>A block of the given rank with residuals; its declaration problems are judged on its symbolic shapes.</summary>
    private RBlock ResidualBlock(int rank)
    {
        var b = new RBlock { Name = "RBlk" + N(_blockId++) };
        var names = new HashSet<string>();
        // Example sizes: blocks use "width" for every channel or feature change, so only the layout matters here.
        long[] example = rank == 3 ? new long[] { 4, 8, 8 } : rank == 2 ? new long[] { 4, 8 } : new long[] { 8 };
        bool savedUnknown = _unknown;
        _unknown = false;
        b.Specs = Specs(example, inBlock: true, R(1, 4), names);
        b.Unknown = _unknown;
        _unknown = savedUnknown;
        b.UsesStride = b.Specs.Exists(s => s.Stride == 0);

        // Symbolic tags: a channel/feature part ("in", then "width" after a change) and, on images, a spatial part
        // that every convolution renews (its expressions need not simplify back to the input's).
        var tagIn = new List<string>();
        string tag = "in|0";
        int spatial = 0;
        foreach (var sp in b.Specs)
        {
            tagIn.Add(tag);
            if (sp.Kind == "Conv") tag = "width|" + N(++spatial);
            else if (sp.Kind == "Linear") tag = "width|0";
            sp.Tag = tag;
        }
        var taken = new HashSet<string>();
        for (int i = 0; i < b.Specs.Count; i++)
        {
            var sp = b.Specs[i];
            if (!sp.HasResidual) continue;
            if (sp.From < 0 || sp.From > i) { b.Invalid = true; continue; }
            string a = tagIn[sp.From], o = sp.Tag;
            // 0: identity (same expressions), 1: a field (the channels or features differ), 2: cannot tell here.
            int status = a == o ? 0 : a.Split('|')[0] != o.Split('|')[0] ? 1 : 2;
            string name = sp.Shortcut ?? "downsample";
            // An identity shortcut is no field, so a member's name is allowed there.
            if (names.Contains(name) && status != 0) b.Invalid = true;
            if (status == 1 && !taken.Add(name)) b.Invalid = true;
            if (status == 2) b.Unknown = true;
        }

        var sb = new StringBuilder();
        sb.Append("/// <summary>Block with residuals.</summary>\n[Block(Layout.").Append(rank == 3 ? "Image" : rank == 2 ? "Tokens" : "Vector").Append(")]\n");
        if (b.UsesStride) sb.Append("[Param(\"stride\", 1)]\n");
        sb.Append("public partial class ").Append(b.Name).Append("\n{\n");
        foreach (var sp in b.Specs) Field(sb, sp.Attr, sp.Type, sp.Name);
        sb.Append("}\n");
        _blocks.Append(sb);
        return b;
    }

    /// <summary>
    /// Evaluates a run of layers with concrete sizes: output, parameters with projections, and whether the DSL rejects
    /// it. In a model, projected shortcuts' names are checked against <paramref name="members"/> and each other.
    /// </summary>
    private REval Eval(List<RSpec> specs, long[] x, long width, long stride, bool isModel, HashSet<string> members)
    {
        var r = new REval();
        var ins = new List<long[]>();
        var strides = new List<long?>();
        var taken = new HashSet<string>();
        var cur = x;
        for (int i = 0; i < specs.Count; i++)
        {
            var sp = specs[i];
            ins.Add(cur);
            long[]? o = null;
            long? st = 1;
            switch (sp.Kind)
            {
                case "Conv":
                {
                    long c = cur[0], oc = sp.Out == 0 ? width : sp.Out, s = sp.Stride == 0 ? stride : sp.Stride;
                    if (cur[1] + 2 * sp.Pad < sp.K || cur[2] + 2 * sp.Pad < sp.K) break;
                    o = new[] { oc, Out(cur[1], sp.K, s, sp.Pad, 1), Out(cur[2], sp.K, s, sp.Pad, 1) };
                    r.Params += oc * c * sp.K * sp.K + (sp.Bias ? oc : 0);
                    st = s;
                    break;
                }
                case "BN": o = cur; r.Params += 2 * cur[0]; break;
                case "Pool":
                    if (cur[1] < 2 || cur[2] < 2) break;
                    o = new[] { cur[0], Out(cur[1], 2, 2, 0, 1), Out(cur[2], 2, 2, 0, 1) };
                    st = 2;
                    break;
                case "Linear":
                {
                    long d = cur[^1], od = sp.Out == 0 ? width : sp.Out;
                    o = (long[])cur.Clone();
                    o[^1] = od;
                    r.Params += d * od + (sp.Bias ? od : 0);
                    break;
                }
                case "LN": o = cur; r.Params += 2 * cur[^1]; break;
                case "Attn": o = cur; r.Params += 4 * cur[1] * cur[1] + 4 * cur[1]; break;
                case "Mlp": o = cur; r.Params += 2 * cur[^1] * sp.Hidden + sp.Hidden + cur[^1]; break;
                case "Cls": o = new[] { cur[0] + 1, cur[1] }; r.Params += cur[1]; break;
                case "Block":
                {
                    var t = cur;
                    for (int k = 0; k < sp.Count; k++)
                    {
                        var e = Eval(sp.Block!.Specs, t, sp.Width, k == 0 ? sp.BlockStride : 1, isModel: false, members);
                        r.Unknown |= e.Unknown;
                        // A model's stage writes each block with its own sizes (widths may grow); a block's repeats one set.
                        if (e.Invalid || e.Out is null || (k > 0 && !isModel && !Same(e.Out, t))) { t = null!; break; }
                        r.Params += e.Params;
                        t = e.Out;
                    }
                    o = t;
                    st = null; // the stride of a block instance, as a residual around it sees it, is not modelled
                    break;
                }
                default: o = cur; break; // ReLU, GELU, Dropout
            }
            if (o is null) { r.Invalid = true; return r; }
            strides.Add(st);
            if (sp.HasResidual)
            {
                if (sp.From < 0 || sp.From > i) { r.Invalid = true; return r; }
                var f = ins[sp.From];
                if (!Same(f, o))
                {
                    if (o.Length == 3)
                    {
                        long? s = 1;
                        for (int j = sp.From; j <= i; j++) s = s is null || strides[j] is null ? null : s * strides[j];
                        if (s is null) r.Unknown = true;
                        else if ((f[1] - 1) / s + 1 != o[1] || (f[2] - 1) / s + 1 != o[2]) { r.Invalid = true; return r; }
                        r.Params += f[0] * o[0] + 2 * o[0];
                    }
                    else
                    {
                        if (o.Length == 2 && f[0] != o[0]) { r.Invalid = true; return r; }
                        r.Params += f[^1] * o[^1] + o[^1];
                    }
                    if (isModel)
                    {
                        string name = sp.Shortcut ?? "downsample";
                        if (members.Contains(name) || !taken.Add(name)) { r.Invalid = true; return r; }
                    }
                }
            }
            cur = o;
        }
        r.Out = cur;
        return r;
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
