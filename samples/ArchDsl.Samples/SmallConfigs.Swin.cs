using ArchDsl;
using ArchDsl.Layers;
using TorchSharp.Modules;

namespace ArchDsl.Samples;

/// <summary>
/// The small configuration of torchvision's SwinTransformer recorded as fixture swin_small_config (patch 4, width 16,
/// depths 2 and 2, heads 2 and 4, window 4, 10 classes) at 32×32: 8×8 and 4×4 maps; on the 4×4 map one window covers
/// the map, so its shifted block does not shift.
/// </summary>
[Model, Input(3, 32, 32)]
public partial class SwinSmallConfig
{
    [Conv2d(16, Kernel = 4, Stride = 4, Key = "features.0.0")] Conv2d patch_embed;
    [Permute(0, 2, 3, 1, Key = "features.0.1")] Permute channels_last;
    [LayerNorm(Key = "features.0.2")] LayerNorm patch_norm;
    [Stage(typeof(SwinBlock), 2, "heads = 2, window = 4, shift = i % 2 * 2", Key = "features.1")] Sequential stage1;
    [PatchMerging(Key = "features.2")] PatchMerging merge1;
    [Stage(typeof(SwinBlock), 2, "heads = 4, window = 4, shift = i % 2 * 2", Key = "features.3")] Sequential stage2;
    [LayerNorm] LayerNorm norm;
    [Permute(0, 3, 1, 2)] Permute channels_first;
    [AdaptiveAvgPool2d(1)] AdaptiveAvgPool2d avgpool;
    [Flatten] Flatten flatten;
    [Linear(10), Head(TaskKind.Classification)] Linear head;
}
