using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;

namespace ArchDsl.Benchmarks;

/// <summary>
/// Deterministic synthetic declarations: <see cref="BlockCount"/> blocks and N models of varied sizes, one per
/// file, the way a user's project would hold them. Models mix ResNet-like stacks (stages of basic or
/// bottleneck blocks, down-sampling residuals) and small ViT-like encoders (tokens, class token, positional
/// embedding, attention and MLP blocks).
/// </summary>
public static class SyntheticModels
{
    public const int BlockCount = 24;
    public const string Namespace = "Synthetic";
    private static readonly int[] Sizes = { 32, 64, 96, 128, 160, 224 };
    private static readonly int[] StemWidths = { 16, 24, 32, 48, 64 };

    public static string Usings => "using ArchDsl;\nusing ArchDsl.Layers;\nusing TorchSharp.Modules;\n\nnamespace " + Namespace + ";\n\n";

    /// <summary>(file name, source) for every block and model.</summary>
    public static List<(string Path, string Source)> Sources(int models)
    {
        var files = new List<(string, string)>();
        for (int b = 0; b < BlockCount; b++) files.Add(($"Blocks/Block{b}.cs", Block(b)));
        files.Add(("Blocks/TokenLayers.cs", TokenBlocks()));
        for (int m = 0; m < models; m++) files.Add(($"Models/Model{m}.cs", Model(m, classes: 10 + m % 990)));
        return files;
    }

    public static string ModelPath(int index) => $"Models/Model{index}.cs";

    private static string Block(int b)
    {
        var sb = new StringBuilder(Usings);
        bool bottleneck = b % 2 == 1;
        sb.Append("[Block]\n[Param(\"stride\", 1)]\n");
        sb.Append(CultureInfo.InvariantCulture, $"public partial class Block{b}\n{{\n");
        if (bottleneck)
        {
            sb.Append("    [Conv2d(\"width\", Kernel = 1, Bias = false)] Conv2d conv1;\n");
            sb.Append("    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;\n");
            sb.Append("    [Conv2d(\"width\", Kernel = 3, Padding = 1, Bias = false, With = \"stride = stride\")] Conv2d conv2;\n");
            sb.Append("    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn2;\n");
            sb.Append(CultureInfo.InvariantCulture, $"    [Conv2d(\"width * {2 + b % 3}\", Kernel = 1, Bias = false)] Conv2d conv3;\n");
            sb.Append("    [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv1))] BatchNorm2d bn3;\n");
        }
        else
        {
            sb.Append("    [Conv2d(\"width\", Kernel = 3, Padding = 1, Bias = false, With = \"stride = stride\")] Conv2d conv1;\n");
            sb.Append("    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;\n");
            if (b % 4 == 2) sb.Append("    [Dropout(0.1)] Dropout drop;\n");
            sb.Append("    [Conv2d(\"width\", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;\n");
            sb.Append("    [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv1))] BatchNorm2d bn2;\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    private static string TokenBlocks() => Usings + @"[Block(Layout.Tokens)]
public partial class TokenLayer
{
    [LayerNorm(Eps = 1e-6)] LayerNorm ln_1;
    [SelfAttention(""heads"")] SelfAttention self_attention;
    [Dropout(0.0), Residual(From = nameof(ln_1))] Dropout dropout;
    [LayerNorm(Eps = 1e-6)] LayerNorm ln_2;
    [Mlp(""mlp_dim""), Residual(From = nameof(ln_2))] Sequential mlp;
}

[Block(Layout.Tokens)]
public partial class TokenEncoder
{
    [PositionalEmbedding] Parameter pos_embedding;
    [Stage(typeof(TokenLayer), ""depth"", ""heads = heads, mlp_dim = mlp_dim"", Names = ""encoder_layer_{i}"")] Sequential layers;
    [LayerNorm(Eps = 1e-6)] LayerNorm ln;
}
";

    /// <summary>Model number <paramref name="m"/>; <paramref name="classes"/> is the attribute the edit benchmark changes.</summary>
    public static string Model(int m, int classes)
    {
        var sb = new StringBuilder(Usings);
        int size = Sizes[m % Sizes.Length];
        if (m % 5 == 4)
        {
            // ViT-like: patch embedding, tokens, class token, encoder, class-token head.
            int d = 64 * (1 + m % 4), heads = d / 32, depth = 1 + m % 6, patch = size % 16 == 0 ? 16 : 8;
            sb.Append(CultureInfo.InvariantCulture, $"[Model, Input(3, {size}, {size})]\npublic partial class Model{m}\n{{\n");
            sb.Append(CultureInfo.InvariantCulture, $"    [Conv2d({d}, Kernel = {patch}, Stride = {patch})] Conv2d conv_proj;\n");
            sb.Append("    [Tokens] Tokens patches;\n");
            sb.Append("    [ClassToken] Parameter class_token;\n");
            sb.Append(CultureInfo.InvariantCulture, $"    [Use(typeof(TokenEncoder), \"depth = {depth}, heads = {heads}, mlp_dim = {4 * d}\")] TokenEncoder encoder;\n");
            sb.Append("    [SelectToken(0)] SelectToken cls;\n");
            sb.Append(CultureInfo.InvariantCulture, $"    [Linear({classes})] Linear head;\n}}\n");
            return sb.ToString();
        }
        int stem = StemWidths[m % StemWidths.Length];
        int stages = 1 + m % 4;
        sb.Append(CultureInfo.InvariantCulture, $"[Model, Input(3, {size}, {size})]\npublic partial class Model{m}\n{{\n");
        sb.Append(CultureInfo.InvariantCulture, $"    [Conv2d({stem}, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv1;\n");
        sb.Append("    [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;\n");
        if (size >= 128) sb.Append("    [MaxPool2d(3, Stride = 2, Padding = 1)] MaxPool2d maxpool;\n");
        int width = stem;
        for (int s = 0; s < stages; s++)
        {
            int block = (m * 7 + s * 3) % BlockCount;
            int count = 1 + (m + s) % 3;
            string stride = s == 0 ? "" : ", stride = 2";
            sb.Append(CultureInfo.InvariantCulture, $"    [Stage(typeof(Block{block}), {count}, \"width = {width}{stride}\")] Sequential layer{s + 1};\n");
            width *= 2;
        }
        sb.Append("    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;\n");
        sb.Append("    [Flatten] Flatten flatten;\n");
        if (m % 3 == 0) sb.Append("    [Dropout(0.2)] Dropout dropout;\n");
        sb.Append(CultureInfo.InvariantCulture, $"    [Linear({classes})] Linear fc;\n}}\n");
        return sb.ToString();
    }

    /// <summary>Metadata references: the framework, the ArchDsl runtime and TorchSharp.</summary>
    public static List<Microsoft.CodeAnalysis.MetadataReference> References()
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var p in tpa)
        {
            var name = Path.GetFileNameWithoutExtension(p);
            if (name.StartsWith("System", StringComparison.Ordinal) || name is "mscorlib" or "netstandard" or "Microsoft.CSharp")
                paths.Add(p);
        }
        paths.Add(typeof(ArchDsl.ModelAttribute).Assembly.Location);
        paths.Add(typeof(TorchSharp.torch).Assembly.Location);
        return paths.Select(p => (Microsoft.CodeAnalysis.MetadataReference)Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(p)).ToList();
    }
}
