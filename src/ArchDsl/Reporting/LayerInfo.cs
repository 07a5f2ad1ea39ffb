namespace ArchDsl;

/// <summary>One row of a generated model's per-layer table.</summary>
/// <param name="Path">State-dict style path: "layer1.0.conv1".</param>
/// <param name="Kind">Layer kind: "Conv2d", or the block's name for block instances.</param>
/// <param name="Depth">Nesting depth, 0 for the model's own members.</param>
/// <param name="OutputShape">Output shape without the batch dimension.</param>
/// <param name="Parameters">Trainable parameters, children included.</param>
/// <param name="Macs">Multiply-accumulates at batch 1, children included.</param>
public sealed record LayerInfo(string Path, string Kind, int Depth, long[] OutputShape, long Parameters, long Macs);
