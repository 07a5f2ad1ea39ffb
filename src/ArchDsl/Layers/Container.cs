using TorchSharp;
using TorchSharp.Modules;

namespace ArchDsl.Layers;

/// <summary>
/// Holds submodules under names that are no C# identifiers ("0", "block1-0") so that state_dict keys are PyTorch's
/// ("features.0.0.weight"). Generated code registers layers in it; it is never called.
/// </summary>
public sealed class Container : torch.nn.Module
{
    /// <summary>Creates an empty container.</summary>
    public Container() : base(nameof(Container)) { }

    /// <summary>Registers each block of a stage in <paramref name="parent"/> under the name for its index.</summary>
    public static void RegisterEach(torch.nn.Module parent, Sequential stage, System.Func<long, string> name)
    {
        long i = 0;
        foreach (var block in stage.children()) parent.register_module(name(i++), block);
    }
}
