using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// Vision Transformer as torchvision builds it (vit_b_16): conv_proj, class_token, encoder.pos_embedding,
// encoder.layers.encoder_layer_N.{ln_1, self_attention, ln_2, mlp}, encoder.ln, heads.head.

/// <summary>Pre-norm Transformer encoder layer: attention and MLP, each with a residual.</summary>
[Block(Layout.Tokens)]
public partial class VitEncoderLayer
{
    [LayerNorm(Eps = 1e-6)] LayerNorm ln_1;
    [SelfAttention("heads")] SelfAttention self_attention;
    [Dropout(0.0), Residual(From = nameof(ln_1))] Dropout dropout;
    [LayerNorm(Eps = 1e-6)] LayerNorm ln_2;
    [Mlp("mlp_dim"), Residual(From = nameof(ln_2))] Sequential mlp;
}

/// <summary>Positional embedding, a stack of encoder layers, final norm.</summary>
[Block(Layout.Tokens)]
public partial class VitEncoder
{
    [PositionalEmbedding] Parameter pos_embedding;
    [Dropout(0.0)] Dropout dropout;
    [Stage(typeof(VitEncoderLayer), "depth", "heads = heads, mlp_dim = mlp_dim", Names = "encoder_layer_{i}")] Sequential layers;
    [LayerNorm(Eps = 1e-6)] LayerNorm ln;
}

/// <summary>The classification head on the class token.</summary>
[Block(Layout.Vector)]
public partial class VitHead
{
    [Linear("classes")] Linear head;
}

[Model, Input(3, 224, 224)]
public partial class VitB16
{
    [Conv2d(768, Kernel = 16, Stride = 16)] Conv2d conv_proj;
    [Tokens] Tokens patches;
    [ClassToken] Parameter class_token;
    [Use(typeof(VitEncoder), "depth = 12, heads = 12, mlp_dim = 3072")] VitEncoder encoder;
    [SelectToken(0)] SelectToken cls;
    [Use(typeof(VitHead), "classes = 1000"), Head(TaskKind.Classification)] VitHead heads;
}
