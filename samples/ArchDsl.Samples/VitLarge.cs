using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

// ViT-L/16 as torchvision builds it (vit_l_16): patch 16, width 1024, 24 layers, 16 heads, MLP 4096.
// torchvision docs: 304,326,632 parameters and 61.555 GMACs at 224×224. At 384×384 the positional
// embedding grows from 197 to 577 tokens (+389,120 parameters) and compute to about 191.2 GMACs
// (the Swin paper's Table 1 prints 307 M and 190.7 G for it).
// Both exceed the 100 M large-model threshold (ADSL1001); at 384 the compute threshold of 100 GMACs
// too (ADSL1002). The build shows those warnings on purpose.

/// <summary>ViT-L/16 at 224×224, with the ViT paper's JFT-300M pre-training plan (7 epochs, batch 4096):
/// its training-compute estimate (ADSL1003) shows in the build at -v:n and in the IDE.</summary>
[Model, Input(3, 224, 224)]
[TrainingPlan(Samples = 303_000_000, Epochs = 7, BatchSize = 4096)]
public partial class VitL16
{
    [Conv2d(1024, Kernel = 16, Stride = 16)] Conv2d conv_proj;
    [Tokens] Tokens patches;
    [ClassToken] Parameter class_token;
    [Use(typeof(VitEncoder), "depth = 24, heads = 16, mlp_dim = 4096")] VitEncoder encoder;
    [SelectToken(0)] SelectToken cls;
    [Use(typeof(VitHead), "classes = 1000")] VitHead heads;
}

/// <summary>ViT-L/16 fine-tuned at 384×384 (577 tokens).</summary>
[Model, Input(3, 384, 384)]
public partial class VitL16At384
{
    [Conv2d(1024, Kernel = 16, Stride = 16)] Conv2d conv_proj;
    [Tokens] Tokens patches;
    [ClassToken] Parameter class_token;
    [Use(typeof(VitEncoder), "depth = 24, heads = 16, mlp_dim = 4096")] VitEncoder encoder;
    [SelectToken(0)] SelectToken cls;
    [Use(typeof(VitHead), "classes = 1000")] VitHead heads;
}
