namespace ArchDsl;

/// <summary>
/// Shifted-window multi-head self-attention with a relative position bias on an H×W×C map (torchvision's Swin
/// <c>attn</c>: <c>qkv</c>, <c>proj</c>, <c>relative_position_bias_table</c>, <c>relative_position_index</c>). The map
/// is cut into <see cref="Window"/>×<see cref="Window"/> windows after a cyclic shift by <see cref="Shift"/>; where one
/// window covers a side the shift is dropped there, as torchvision does. The window must divide the map.
/// MACs: 4·T·C² + 2·T·w²·C over T positions.
/// </summary>
public sealed class ShiftedWindowAttentionAttribute : LayerAttribute
{
    /// <param name="heads">Number of heads; must divide the channels.</param>
    public ShiftedWindowAttentionAttribute(int heads) => Heads = heads;
    /// <param name="heads">Number of heads as an expression over block parameters.</param>
    public ShiftedWindowAttentionAttribute(string heads) => HeadsExpression = heads;
    /// <summary>Number of heads.</summary>
    public int Heads { get; }
    /// <summary>Number of heads as an expression.</summary>
    public string? HeadsExpression { get; }
    /// <summary>Side of the square window (default 7); must divide the map's height and width.</summary>
    public int Window { get; set; }
    /// <summary>Cyclic shift before windowing (default 0; Swin's odd blocks shift by half a window).</summary>
    public int Shift { get; set; }
    /// <summary>Dropout after the output projection while training (default 0).</summary>
    public double Dropout { get; set; }
    /// <summary>Dropout on the attention weights while training (default 0).</summary>
    public double AttentionDropout { get; set; }
}

/// <summary>
/// Swin's patch merging on an H×W×C map (torchvision's PatchMerging: <c>reduction</c>, <c>norm</c>): each 2×2
/// neighbourhood's channels side by side, LayerNorm over 4C, Linear 4C→2C without bias; ⌈H/2⌉×⌈W/2⌉×2C out.
/// </summary>
public sealed class PatchMergingAttribute : LayerAttribute
{
    /// <summary>Epsilon of the norm (default 1e-5).</summary>
    public double Eps { get; set; }
}
