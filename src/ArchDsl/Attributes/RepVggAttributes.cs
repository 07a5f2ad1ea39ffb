namespace ArchDsl;

/// <summary>
/// RepVGG's block on a C×H×W map: 3×3 convolution + batch norm, 1×1 convolution + batch norm and, where the shape is
/// kept, a batch norm of the input, summed (the official names rbr_dense, rbr_1x1, rbr_identity). The generated model
/// counts its deploy form too (DeployParameterCount, DeployMacs) and converts trained weights into it (ToDeployForm:
/// one 3×3 convolution with bias, rbr_reparam). Put the activation on it: <c>Activation = Act.ReLU</c>.
/// </summary>
public sealed class RepVggAttribute : LayerAttribute
{
    /// <param name="outChannels">Output channels.</param>
    public RepVggAttribute(int outChannels) => OutChannels = outChannels;
    /// <param name="outChannels">Output channels as an expression over block parameters.</param>
    public RepVggAttribute(string outChannels) => OutChannelsExpression = outChannels;
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Output channels as an expression.</summary>
    public string? OutChannelsExpression { get; }
    /// <summary>Stride of both convolutions (default 1); 2 halves the map and drops the identity branch.</summary>
    public int Stride { get; set; }
}
