namespace ArchDsl.Analyzers.Tests;

/// <summary>Model declarations used by the tests. The ViT blocks are the samples' (torchvision layout).</summary>
internal static class Sources
{
    public const string Usings = """
        using ArchDsl;
        using ArchDsl.Layers;
        using TorchSharp.Modules;

        """;

    public const string VitBlocks = """

        [Block(Layout.Tokens)]
        public partial class VitEncoderLayer
        {
            [LayerNorm(Eps = 1e-6)] LayerNorm ln_1;
            [SelfAttention("heads")] SelfAttention self_attention;
            [Dropout(0.0), Residual(From = nameof(ln_1))] Dropout dropout;
            [LayerNorm(Eps = 1e-6)] LayerNorm ln_2;
            [Mlp("mlp_dim"), Residual(From = nameof(ln_2))] Sequential mlp;
        }

        [Block(Layout.Tokens)]
        public partial class VitEncoder
        {
            [PositionalEmbedding] Parameter pos_embedding;
            [Dropout(0.0)] Dropout dropout;
            [Stage(typeof(VitEncoderLayer), "depth", "heads = heads, mlp_dim = mlp_dim", Names = "encoder_layer_{i}")] Sequential layers;
            [LayerNorm(Eps = 1e-6)] LayerNorm ln;
        }

        [Block(Layout.Vector)]
        public partial class VitHead
        {
            [Linear("classes")] Linear head;
        }

        """;

    /// <summary>ViT-L/16 body (width 1024, depth 24, heads 16, MLP 4096); the class line is the caller's.</summary>
    public const string VitLBody = """
        {
            [Conv2d(1024, Kernel = 16, Stride = 16)] Conv2d conv_proj;
            [Tokens] Tokens patches;
            [ClassToken] Parameter class_token;
            [Use(typeof(VitEncoder), "depth = 24, heads = 16, mlp_dim = 4096")] VitEncoder encoder;
            [SelectToken(0)] SelectToken cls;
            [Use(typeof(VitHead), "classes = 1000")] VitHead heads;
        }
        """;

    public static string VitL(string attributes, string name = "VitL16") =>
        Usings + "[Model, Input(3, 224, 224)]" + attributes + "\npublic partial class {|#0:" + name + "|}\n" + VitLBody + "\n" + VitBlocks;

    /// <summary>One Linear layer 1000 → 1000: 1,001,000 parameters and 1,000,000 MACs.</summary>
    public static string Linear(string attributes = "", string name = "Small") => Usings + """
        [Model, Input(1000)]
        """ + attributes + "\npublic partial class {|#0:" + name + "|}\n" + """
        {
            [Linear(1000)] Linear fc;
        }
        """;
}
