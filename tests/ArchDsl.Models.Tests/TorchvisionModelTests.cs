using System;
using System.Linq;
using System.Reflection;
using ArchDsl.Samples;
using ArchDsl.Tests.Fixtures;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Models.Tests;

/// <summary>
/// Every sample of a torchvision builder against what PyTorch's torchvision 0.14.1 recorded for it
/// (tests/Fixtures/torchvision/record.py): counts, the state_dict in order, and for the small configurations the outputs
/// with PyTorch's weights and a training step.
/// </summary>
public class TorchvisionModelTests(ITestOutputHelper output)
{
    /// <summary>Fixture name and generated model.</summary>
    public static TheoryData<string, Type> Models => new()
    {
        { "resnet18", typeof(ResNet18) },
        { "resnet50", typeof(ResNet50) },
        { "vit_b_16", typeof(VitB16) },
        { "mobilenet_v2", typeof(MobileNetV2) },
        { "mobilenet_v3_small", typeof(MobileNetV3Small) },
        { "efficientnet_b1", typeof(EfficientNetB1) },
        { "convnext_small", typeof(ConvNeXtSmall) },
        { "densenet169", typeof(DenseNet169) },
        { "regnet_x_400mf", typeof(RegNetX400MF) },
        { "swin_s", typeof(SwinS) },
        { "efficientnet_small", typeof(EfficientNetSmall) },
        { "convnext_tiny_config", typeof(ConvNeXtSmallConfig) },
        { "densenet_small", typeof(DenseNetSmall) },
        { "regnet_small", typeof(RegNetSmall) },
        { "swin_small_config", typeof(SwinSmallConfig) },
    };

    /// <summary>Small configurations, whose weights, input and output PyTorch recorded.</summary>
    public static TheoryData<string, Type> SmallConfigurations => new()
    {
        { "efficientnet_small", typeof(EfficientNetSmall) },
        { "convnext_tiny_config", typeof(ConvNeXtSmallConfig) },
        { "densenet_small", typeof(DenseNetSmall) },
        { "regnet_small", typeof(RegNetSmall) },
        { "swin_small_config", typeof(SwinSmallConfig) },
    };

    private static long Constant(Type model, string name) => (long)model.GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

    private static nn.Module<Tensor, Tensor> Create(Type model) =>
        (nn.Module<Tensor, Tensor>)model.GetConstructor(new[] { typeof(Device), typeof(ScalarType?) })!.Invoke(new object?[] { null, null });

    [Theory]
    [MemberData(nameof(Models))]
    public void Counts_equal_PyTorch(string fixture, Type model)
    {
        var expected = TorchvisionFixtures.Keys(fixture);
        TorchvisionLayout.AssertCounts(expected, Constant(model, "ParameterCount"), Constant(model, "BufferCount"), Constant(model, "Macs"));
        var input = (System.Collections.Generic.IReadOnlyList<long>)model.GetProperty("InputShape")!.GetValue(null)!;
        Assert.Equal(expected.Input.Select(i => (long)i), input);
        output.WriteLine($"{fixture}: {Constant(model, "ParameterCount"):N0} parameters, {Constant(model, "Macs"):N0} MACs; PyTorch {expected.Parameters:N0}, {expected.Macs:N0}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void State_dict_equals_PyTorch_in_order(string fixture, Type model)
    {
        using var module = Create(model);
        TorchvisionLayout.AssertSameLayout(module, TorchvisionFixtures.Keys(fixture));
        Assert.Equal(Constant(model, "ParameterCount"), module.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [MemberData(nameof(SmallConfigurations))]
    public void Outputs_match_PyTorch_with_its_weights(string fixture, Type model)
    {
        using var module = Create(model);
        double maxAbs = TorchvisionLayout.MaxDifferenceFromPyTorch(module, TorchvisionFixtures.Load(fixture));
        output.WriteLine($"{fixture}: max |Δ| = {maxAbs:E3}");
        Assert.True(maxAbs <= 1e-4, $"max |Δ| = {maxAbs:E3}");
    }

    [Theory]
    [MemberData(nameof(SmallConfigurations))]
    public void Trains_forward_and_backward(string fixture, Type model)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var module = Create(model);
        module.train();
        var logits = module.call(randn(2, 3, 32, 32));
        Assert.Equal(new long[] { 2, 10 }, logits.shape);
        nn.functional.cross_entropy(logits, tensor(new long[] { 1, 7 })).backward();
        foreach (var (name, p) in module.named_parameters())
        {
            Assert.True(p.grad is not null, $"{fixture}: {name} has no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{fixture}: {name} has a non-finite gradient");
        }
        Assert.Contains(module.named_parameters(), p => p.parameter.grad!.abs().sum().item<float>() > 0);
    }
}
