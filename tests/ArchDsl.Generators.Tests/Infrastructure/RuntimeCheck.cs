using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Generators.Tests.Infrastructure;

/// <summary>What one generated model did at run time.</summary>
/// <param name="TypeName">The model's full type name.</param>
/// <param name="Constant">Its generated <c>ParameterCount</c> constant.</param>
/// <param name="Runtime">The sum of <c>numel()</c> over the constructed module's <c>parameters()</c>.</param>
/// <param name="InputShape">The generated <c>InputShape</c> (without the batch dimension).</param>
/// <param name="OutputShape">The generated <c>OutputShape</c> (without the batch dimension).</param>
/// <param name="ActualOutputShape">The shape forward returned on a batch of <see cref="RuntimeCheck.Batch"/>, or null if it threw.</param>
/// <param name="Error">An exception from construction or forward, else null.</param>
/// <param name="Summary">The generated <c>Summary</c>, as the model formats it at run time.</param>
public sealed record RuntimeModelResult(string TypeName, long Constant, long Runtime, long[] InputShape, long[] OutputShape, long[]? ActualOutputShape, string? Error,
    string? Summary = null)
{
    /// <summary>The shape forward must return: the batch, then <see cref="OutputShape"/>.</summary>
    public long[] ExpectedOutputShape => new[] { (long)RuntimeCheck.Batch }.Concat(OutputShape).ToArray();

    /// <summary>Construction and forward ran, the counts agree and the output shape is the declared one.</summary>
    public bool Ok => Error is null && Constant == Runtime && ActualOutputShape is not null && ActualOutputShape.SequenceEqual(ExpectedOutputShape);

    /// <summary>A one-paragraph account of what differs.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Error is not null) parts.Add("threw " + Error);
        if (Constant != Runtime) parts.Add($"ParameterCount constant {Constant} but the constructed module has {Runtime} parameters (runtime − constant = {Runtime - Constant})");
        if (ActualOutputShape is not null && !ActualOutputShape.SequenceEqual(ExpectedOutputShape))
            parts.Add($"forward on [{string.Join(", ", new[] { (long)RuntimeCheck.Batch }.Concat(InputShape))}] returned [{string.Join(", ", ActualOutputShape)}], expected [{string.Join(", ", ExpectedOutputShape)}]");
        return $"{TypeName}: " + (parts.Count == 0 ? "ok" : string.Join("; ", parts));
    }
}

/// <summary>
/// Compiles a generator's output compilation to memory, loads it into a collectible
/// <see cref="AssemblyLoadContext"/> and runs the generated models with TorchSharp: each is constructed with
/// its <c>(Device? device = null, ScalarType? dtype = null)</c> constructor, its parameters are counted and
/// compared with the generated <c>ParameterCount</c>, and one forward pass on <c>torch.randn(Batch, ..InputShape)</c>
/// must return <c>(Batch, ..OutputShape)</c>. ArchDsl.dll and TorchSharp.dll come from the default context
/// (the test's own copies), so the modules are ordinary TorchSharp modules here.
/// </summary>
public static class RuntimeCheck
{
    /// <summary>The batch size of the forward pass.</summary>
    public const int Batch = 2;

    /// <summary>Emits the compilation to a byte array; throws with the diagnostics when emission fails.</summary>
    public static byte[] Emit(Compilation compilation)
    {
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        if (!result.Success)
            throw new Xunit.Sdk.XunitException("emit failed:\n" + GeneratorResult.Describe(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return pe.ToArray();
    }

    /// <summary>
    /// Emits <paramref name="compilation"/> (a generator's output: input plus generated trees), loads it and runs
    /// every named model. The load context is unloaded afterwards.
    /// </summary>
    public static IReadOnlyList<RuntimeModelResult> Run(Compilation compilation, IEnumerable<string> modelTypeNames)
    {
        var image = Emit(compilation);
        var results = RunIsolated(image, modelTypeNames.ToList(), out var context);
        context.Unload();
        return results;
    }

    // Not inlined, so nothing from the loaded assembly stays on the caller's stack and the context can unload.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<RuntimeModelResult> RunIsolated(byte[] image, List<string> modelTypeNames, out AssemblyLoadContext context)
    {
        context = new DefaultFallbackContext();
        using var stream = new MemoryStream(image);
        var assembly = context.LoadFromStream(stream);
        var results = new List<RuntimeModelResult>();
        foreach (var name in modelTypeNames)
        {
            var type = assembly.GetType(name, throwOnError: false);
            results.Add(type is null
                ? new RuntimeModelResult(name, 0, 0, Array.Empty<long>(), Array.Empty<long>(), null, "type not found in the emitted assembly")
                : RunModel(type));
        }
        return results;
    }

    /// <summary>Constructs, counts and runs one generated model type.</summary>
    public static RuntimeModelResult RunModel(Type type)
    {
        string name = type.FullName ?? type.Name;
        var field = type.GetField("ParameterCount", BindingFlags.Public | BindingFlags.Static);
        long constant = field is { IsLiteral: true } ? Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture) : -1;
        long[] inputShape, outputShape;
        try
        {
            inputShape = StaticShape(type, "InputShape");
            outputShape = StaticShape(type, "OutputShape");
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            // A static initialiser that throws (e.g. a Layers table that cannot be read) fails every static member.
            var inner = ex.InnerException is TypeInitializationException { InnerException: { } cause } ? cause : ex.InnerException;
            return new RuntimeModelResult(name, constant, 0, Array.Empty<long>(), Array.Empty<long>(), null, "type initialiser threw " + inner.GetType().Name + ": " + inner.Message);
        }
        if (field is null || !field.IsLiteral)
            return new RuntimeModelResult(name, constant, 0, inputShape, outputShape, null, "no public const ParameterCount");

        var ctor = type.GetConstructor(new[] { typeof(Device), typeof(ScalarType?) });
        if (ctor is null)
            return new RuntimeModelResult(name, constant, 0, inputShape, outputShape, null, "no (Device?, ScalarType?) constructor");

        long runtime = 0;
        string? summary = null;
        long[]? actual = null;
        string? error = null;
        nn.Module? module = null;
        try
        {
            // The per-layer table is read from the model's JSON when the type initialises; its top-level rows add
            // up to the constant.
            var layers = (IReadOnlyList<LayerInfo>?)type.GetProperty("Layers", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
            long topLevel = layers?.Where(l => l.Depth == 0).Sum(l => l.Parameters) ?? -1;
            if (layers is null || layers.Count == 0 || topLevel != constant)
                error = $"Layers: {layers?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"} rows, top-level parameters {topLevel}";

            // Both parameters are optional; Type.Missing asks reflection for their declared defaults (null).
            if (error is not null) return new RuntimeModelResult(name, constant, 0, inputShape, outputShape, null, error);
            module = (nn.Module)ctor.Invoke(BindingFlags.OptionalParamBinding, binder: null, new[] { Type.Missing, Type.Missing }, culture: null);
            foreach (var p in module.parameters()) runtime += p.numel();

            // Every table row that names a submodule or parameter has its parameter count and, for a submodule, its
            // class (a stage is a Sequential of blocks; an MLP, as in torchvision, a Sequential of its layers).
            var problems = new List<string>();
            var modules = module.named_modules().ToDictionary(m => m.name, m => m.module);
            var named = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.numel());
            foreach (var row in layers!)
            {
                long held = modules.TryGetValue(row.Path, out var sub) ? sub.parameters().Sum(p => p.numel())
                    : named.TryGetValue(row.Path, out var n) ? n : -1;
                string kind = row.Kind is "Stage" or "Mlp" ? "Sequential" : row.Kind;
                // In a [Slimmable] model a Conv2d row is a SlimmableConv2d, a BatchNorm2d a SwitchableBatchNorm2d.
                bool sameKind = sub is null || sub.GetType().Name == kind || sub is global::ArchDsl.Layers.ISlimmable && sub.GetType().Name.EndsWith(kind, StringComparison.Ordinal);
                if (held != row.Parameters || !sameKind)
                    problems.Add($"Layers row {row.Path} ({row.Kind}, {row.Parameters} parameters): the module has {(sub?.GetType().Name ?? "no submodule")} there with {held}");
            }

            // The summary is formatted from the model's JSON on first use: one line per table row, and its total is
            // the ParameterCount constant (which the count check above holds to the module).
            summary = type.GetProperty("Summary", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string;
            var lines = summary?.Split('\n') ?? Array.Empty<string>();
            int first = Array.FindIndex(lines, l => l.StartsWith("---", StringComparison.Ordinal)) + 1;
            int rows = Array.FindIndex(lines, first, l => l.StartsWith("===", StringComparison.Ordinal)) - first;
            string total = "Trainable parameters: " + constant.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
            if (summary is null || rows != layers.Count || !lines.Contains(total))
                problems.Add($"Summary: {(summary is null ? "missing" : $"{rows} rows for {layers.Count} layers; expected the line '{total}'")}");

            if (module is not nn.Module<Tensor, Tensor> forward)
                problems.Add($"{name} is not an nn.Module<Tensor, Tensor>");
            else
            {
                forward.eval();
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                var x = torch.randn(new[] { (long)Batch }.Concat(inputShape).ToArray());
                var y = forward.call(x);
                actual = y.shape;
            }
            if (problems.Count > 0) error = string.Join("; ", problems);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null) { error = ex.InnerException.GetType().Name + ": " + ex.InnerException.Message; }
        catch (Exception ex) { error = ex.GetType().Name + ": " + ex.Message; }
        finally { module?.Dispose(); }
        return new RuntimeModelResult(name, constant, runtime, inputShape, outputShape, actual, error, summary);
    }

    private static long[] StaticShape(Type type, string property) =>
        type.GetProperty(property, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is IEnumerable<long> shape ? shape.ToArray() : Array.Empty<long>();

    /// <summary>A collectible context that loads only the emitted assembly itself; every reference (ArchDsl,
    /// TorchSharp, the framework) resolves in the default context, i.e. from the test's output folder.</summary>
    private sealed class DefaultFallbackContext : AssemblyLoadContext
    {
        public DefaultFallbackContext() : base("ArchDslFuzzRuntime", isCollectible: true) { }
        protected override Assembly? Load(AssemblyName assemblyName) => null;
    }
}
