using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Layers;

/// <summary>Turns B×C×H×W maps into B×(H·W)×C tokens (patch embeddings to a sequence). No parameters.</summary>
public sealed class Tokens : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module.</summary>
    public Tokens() : base(nameof(Tokens)) { }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.flatten(2).transpose(1, 2);
}

/// <summary>Takes one token of a B×N×D sequence: B×N×D → B×D (ViT reads the class token this way).</summary>
public sealed class SelectToken : nn.Module<Tensor, Tensor>
{
    private readonly long _index;

    /// <summary>Creates the module.</summary>
    /// <param name="index">Token index.</param>
    public SelectToken(long index = 0) : base(nameof(SelectToken)) => _index = index;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => input.select(1, _index);
}
