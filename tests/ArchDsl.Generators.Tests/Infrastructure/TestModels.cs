namespace ArchDsl.Generators.Tests.Infrastructure;

/// <summary>Small declarations shared by the snapshot, incremental and determinism tests.</summary>
public static class TestModels
{
    public const string Usings = """
        using ArchDsl;
        using ArchDsl.Layers;
        using TorchSharp.Modules;

        namespace Tests;

        """;

    /// <summary>A tiny CNN: stem, a stage of residual blocks (the first one strided and projected), head.</summary>
    public const string TinyCnn = Usings + """
        /// <summary>Two 3×3 convolutions with a residual.</summary>
        [Block]
        [Param("stride", 1)]
        public partial class TinyBlock
        {
            [Conv2d("width", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride")] Conv2d conv1;
            [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
            [Conv2d("width", Kernel = 3, Padding = 1, Bias = false)] Conv2d conv2;
            [BatchNorm2d(Activation = Act.ReLU), Residual(From = nameof(conv1))] BatchNorm2d bn2;
        }

        /// <summary>A tiny CNN.</summary>
        [Model, Input(3, 32, 32)]
        public partial class TinyCnn
        {
            [Conv2d(16, Kernel = 3, Padding = 1, Bias = false)] Conv2d conv1;
            [BatchNorm2d(Activation = Act.ReLU)] BatchNorm2d bn1;
            [Stage(typeof(TinyBlock), 2, "width = 32, stride = 2")] Sequential layer1;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }
        """;

    /// <summary>Two tasks around one body: one with a head and a residual in its tail, one without a head.</summary>
    public const string TinyTasks = Usings + """
        /// <summary>A ×2 upsampling tail.</summary>
        [Block(Layout.Image)]
        public partial class TinyUpsample
        {
            [Conv2d("4 * inChannels", Kernel = 3, Padding = 1)] Conv2d conv;
            [PixelShuffle(2)] PixelShuffle shuffle;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d to_rgb;
        }

        /// <summary>Super-resolution and denoising around one body.</summary>
        [Model, Input(3, 16, 16)]
        [Task("SuperResolution2x", TaskKind.SuperResolution, Head = nameof(head_sr), Tail = nameof(tail_sr))]
        [Task("Denoising", TaskKind.Denoising, Tail = nameof(tail_denoise))]
        public partial class TinyTasks
        {
            [Conv2d(3, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d head_sr;
            [Conv2d(8, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d body1;
            [Conv2d(8, Kernel = 3, Padding = 1), Residual(From = nameof(body1))] Conv2d body2;
            [Use(typeof(TinyUpsample))] TinyUpsample tail_sr;
            [Conv2d(3, Kernel = 3, Padding = 1)] Conv2d tail_denoise;
        }
        """;

    /// <summary>Early exits after two members of a small CNN, one of them inside no residual.</summary>
    public const string TinyExits = Usings + """
        /// <summary>A CNN with exits after conv1 and conv3.</summary>
        [Model, Input(3, 16, 16)]
        [Exit(nameof(conv1))]
        [Exit(nameof(conv3))]
        public partial class TinyExits
        {
            [Conv2d(8, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv1;
            [Conv2d(8, Kernel = 3, Padding = 1, Activation = Act.ReLU)] Conv2d conv2;
            [Conv2d(8, Kernel = 3, Padding = 1), Residual(From = nameof(conv2))] Conv2d conv3;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
            [Flatten] Flatten flatten;
            [Linear(10)] Linear fc;
        }
        """;

    /// <summary>A tiny ViT: patches, class token, an encoder block with attention and MLP, head on the class token.</summary>
    public const string TinyVit = Usings + """
        /// <summary>Pre-norm encoder layer.</summary>
        [Block(Layout.Tokens)]
        public partial class TinyEncoderLayer
        {
            [LayerNorm(Eps = 1e-6)] LayerNorm ln_1;
            [SelfAttention("heads")] SelfAttention self_attention;
            [Dropout(0.0), Residual(From = nameof(ln_1))] Dropout dropout;
            [LayerNorm(Eps = 1e-6)] LayerNorm ln_2;
            [Mlp("mlp_dim"), Residual(From = nameof(ln_2))] Sequential mlp;
        }

        /// <summary>A tiny ViT.</summary>
        [Model, Input(3, 32, 32)]
        public partial class TinyVit
        {
            [Conv2d(64, Kernel = 8, Stride = 8)] Conv2d conv_proj;
            [Tokens] Tokens patches;
            [ClassToken] Parameter class_token;
            [PositionalEmbedding] Parameter pos_embedding;
            [Stage(typeof(TinyEncoderLayer), 2, "heads = 4, mlp_dim = 128", Names = "encoder_layer_{i}")] Sequential layers;
            [LayerNorm(Eps = 1e-6)] LayerNorm ln;
            [SelectToken(0)] SelectToken cls;
            [Linear(10)] Linear head;
        }
        """;

    /// <summary>A block with a parameter default, used once with it and once overriding it.</summary>
    public const string DefaultParam = Usings + """
        /// <summary>Expand then project, with an expansion factor defaulting to 4.</summary>
        [Block(Layout.Vector)]
        [Param("expansion", 4)]
        public partial class Expand
        {
            [Linear("width * expansion", Activation = Act.GELU)] Linear up;
            [Linear("width")] Linear down;
        }

        /// <summary>A vector model using the block with and without its default.</summary>
        [Model, Input(24)]
        public partial class Widen
        {
            [Linear(16)] Linear stem;
            [Use(typeof(Expand), "width = 16")] Expand first;
            [Use(typeof(Expand), "width = 16, expansion = 2")] Expand second;
            [Linear(3, Bias = false)] Linear head;
        }
        """;

    /// <summary>The CNN, the ViT and the default-parameter models together, each in a namespace of its own
    /// (Tests.TinyCnn, Tests.Vit.TinyVit, Tests.Widening.Widen): one compilation that covers images, tokens and blocks.</summary>
    public static readonly string[] ThreeNamespaces =
    {
        TinyCnn,
        TinyVit.Replace("namespace Tests;", "namespace Tests.Vit;"),
        DefaultParam.Replace("namespace Tests;", "namespace Tests.Widening;"),
    };

    /// <summary>
    /// The CNN vocabulary in one model: numbered state_dict keys, a stage placed by index, a concatenated skip, a
    /// squeeze-and-excitation gate written as a join, an optional residual, an activation parameter and a
    /// stochastic-depth ramp.
    /// </summary>
    public const string Vocabulary = Usings + """
        /// <summary>Inverted residual: expansion, depthwise convolution, projection; the input added where shapes match.</summary>
        [Block, Param("stride", 1), Param("act", Act.ReLU6)]
        public partial class Inverted
        {
            [Conv2d("inChannels * 2", Kernel = 1, Bias = false, With = "activation = act", Key = "conv.0")] Conv2d expand;
            [Conv2d("inChannels * 2", Kernel = 3, Padding = 1, Bias = false, With = "stride = stride, groups = inChannels * 2, activation = act", Key = "conv.1")] Conv2d depthwise;
            [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d squeeze;
            [Conv2d("inChannels * 2", Kernel = 1, Activation = Act.Hardsigmoid, Key = "se.fc"), Multiply(From = nameof(squeeze))] Conv2d excite;
            [Conv2d("width", Kernel = 1, Bias = false, Key = "conv.2")] Conv2d project;
            [StochasticDepth, Residual(From = nameof(expand), IfSameShape = true)] StochasticDepth drop;
        }

        [Model, Input(3, 16, 16), StochasticDepthRamp(0.1)]
        public partial class Vocab
        {
            [Conv2d(8, Kernel = 3, Padding = 1, Bias = false, Key = "features.0.0")] Conv2d stem;
            [BatchNorm2d(Activation = Act.Hardswish, Key = "features.0.1")] BatchNorm2d stem_bn;
            [Stage(typeof(Inverted), 2, "width = 8, stride = 2, act = Hardswish", Key = "features.{i+1}")] Sequential blocks;
            [ConvTranspose2d(8, Kernel = 2, Stride = 2), Concat(From = nameof(blocks))] ConvTranspose2d up;
            [Upsample(0.5)] Upsample down;
            [Permute(0, 2, 3, 1)] Permute channels_last;
            [LayerNorm(Eps = 1e-6)] LayerNorm norm;
            [Permute(0, 3, 1, 2)] Permute channels_first;
            [LayerScale(0.5)] Parameter gamma;
        }
        """;

    /// <summary>Slimmable at two widths: a depthwise convolution, switchable batch norms, an identity residual, a
    /// hidden Linear after Flatten and the classifier, whose outputs stay.</summary>
    public const string TinySlim = Usings + """
        [Model, Input(3, 8, 8), Slimmable(0.5, 1.0)]
        public partial class Slim
        {
            [Conv2d(8, Kernel = 3, Padding = 1, Bias = false)] SlimmableConv2d conv;
            [BatchNorm2d(Activation = Act.ReLU)] SwitchableBatchNorm2d bn;
            [Conv2d(8, Kernel = 3, Padding = 1, Groups = 8, Bias = false)] SlimmableConv2d dw;
            [BatchNorm2d(Momentum = 0.01), Residual(From = nameof(dw))] SwitchableBatchNorm2d dw_bn;
            [AdaptiveAvgPool2d(2)] AdaptiveAvgPool2d pool;
            [Flatten] Flatten flatten;
            [Linear(16)] SlimmableLinear hidden;
            [Linear(4)] SlimmableLinear fc;
        }
        """;
}
