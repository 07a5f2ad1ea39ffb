using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ArchDsl.Checkpoints;

/// <summary>The two file formats PyTorch users exchange state_dicts in.</summary>
public enum CheckpointFormat
{
    /// <summary><c>torch.save(model.state_dict(), path)</c>: a zip of pickles (.pt, .pth, .bin).</summary>
    PyTorch,

    /// <summary>safetensors: a JSON header followed by the raw tensor bytes (.safetensors).</summary>
    Safetensors,
}

/// <summary>
/// Loads and saves PyTorch state_dict files and safetensors into and from any TorchSharp module, strictly: a checkpoint
/// loads only when its keys are exactly the module's state_dict keys with the same shapes (values are converted to
/// the module's dtype and device, as PyTorch's <c>load_state_dict</c> does). Nothing is copied unless everything
/// matches. Reading and writing the formats is TorchSharp.PyBridge's; the checks and messages are ours.
/// </summary>
public static class Checkpoint
{
    private const int ListedKeys = 8;

    /// <summary>
    /// Loads a checkpoint into <paramref name="module"/>. The format is read from the file itself (a zip is
    /// <c>torch.save</c>'s, anything else safetensors) unless <paramref name="format"/> names it.
    /// </summary>
    /// <returns>The module, for chaining.</returns>
    /// <exception cref="CheckpointException">The file is missing, unreadable or truncated, or its keys or shapes
    /// differ from the module's: one line naming the file, the problem and the keys.</exception>
    public static T LoadCheckpoint<T>(this T module, string path, CheckpointFormat? format = null) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(path);
        var loaded = Read(path, format ?? Sniff(path));
        try
        {
            Copy(module, loaded, path);
        }
        finally
        {
            foreach (var tensor in loaded.Values) tensor.Dispose();
        }
        return module;
    }

    /// <summary>
    /// Saves <paramref name="module"/>'s state_dict, in its order, so that PyTorch loads it with
    /// <c>model.load_state_dict(torch.load(path))</c> (or safetensors' <c>load_file</c>). The format follows the
    /// extension (.safetensors, else <c>torch.save</c>'s zip) unless <paramref name="format"/> names it. The file
    /// is written beside its destination first, so a failed save leaves no half-written checkpoint.
    /// </summary>
    /// <returns>The module, for chaining.</returns>
    /// <exception cref="CheckpointException">The file cannot be written.</exception>
    public static T SaveCheckpoint<T>(this T module, string path, CheckpointFormat? format = null) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(path);
        var chosen = format ?? (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? CheckpointFormat.Safetensors : CheckpointFormat.PyTorch);
        string full = Path.GetFullPath(path);
        string temporary = full + ".partial";
        using var scope = NewDisposeScope();
        // Both writers need contiguous CPU tensors; Dictionary keeps the state_dict's order, which PyTorch keeps too.
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in module.state_dict())
            state[name] = tensor.detach().cpu().contiguous();
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                if (chosen == CheckpointFormat.Safetensors) Safetensors.SaveStateDict(stream, state, leaveOpen: true);
                else PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or NotImplementedException)
        {
            TryDelete(temporary);
            throw new CheckpointException($"Checkpoint '{path}' cannot be written: {OneLine(e.Message)}", e);
        }
        return module;
    }

    private static CheckpointFormat Sniff(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"Checkpoint '{path}' does not exist.");
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        int read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        return read == 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04 ? CheckpointFormat.PyTorch : CheckpointFormat.Safetensors;
    }

    private static Dictionary<string, Tensor> Read(string path, CheckpointFormat format)
    {
        if (!File.Exists(path)) throw new CheckpointException($"Checkpoint '{path}' does not exist.");
        string kind = format == CheckpointFormat.PyTorch ? "a PyTorch state_dict file (torch.save)" : "a safetensors file";
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            if (format == CheckpointFormat.Safetensors)
            {
                CheckSafetensorsLength(path);
                using var stream = File.OpenRead(path);
                foreach (var (name, tensor) in Safetensors.LoadStateDict(stream, leaveOpen: true)) result[name] = tensor;
            }
            else
            {
                using var stream = File.OpenRead(path);
                var table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
                foreach (DictionaryEntry entry in table)
                {
                    if (entry.Key is not string name || entry.Value is not Tensor tensor)
                        throw new CheckpointException($"Checkpoint '{path}' holds '{entry.Key}', which is not a tensor: save model.state_dict(), not the model or a training dict.");
                    result[name] = tensor;
                }
            }
            return result;
        }
        catch (Exception e) when (e is not CheckpointException and not OutOfMemoryException)
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw new CheckpointException($"Checkpoint '{path}' cannot be read as {kind} (truncated or another format): {OneLine(e.Message)}", e);
        }
        catch (CheckpointException)
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw;
        }
    }

    // PyBridge trusts the header's offsets; a truncated file would read short. The format's rule: the header's
    // length, the header, then exactly the bytes the last offset names.
    private static void CheckSafetensorsLength(string path)
    {
        long length = new FileInfo(path).Length;
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw new CheckpointException($"Checkpoint '{path}' cannot be read as a safetensors file: it is {length} bytes, shorter than the 8-byte header length (truncated or another format).");
        ulong headerLength = BitConverter.ToUInt64(prefix);
        if (!BitConverter.IsLittleEndian) headerLength = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(headerLength);
        if (headerLength > (ulong)(length - 8) || headerLength > int.MaxValue)
            throw new CheckpointException($"Checkpoint '{path}' cannot be read as a safetensors file: its header claims {headerLength} bytes but the file is {length} bytes (truncated or another format).");
        var header = new byte[(int)headerLength];
        stream.ReadExactly(header);
        long end = 0;
        using (var document = JsonDocument.Parse(header))
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") continue;
                var offsets = property.Value.GetProperty("data_offsets");
                end = Math.Max(end, offsets[1].GetInt64());
            }
        }
        long expected = 8 + (long)headerLength + end;
        if (length < expected)
            throw new CheckpointException($"Checkpoint '{path}' is truncated: its safetensors header needs {expected} bytes but the file has {length}.");
    }

    private static void Copy(nn.Module module, Dictionary<string, Tensor> loaded, string path)
    {
        var expected = module.state_dict();
        var missing = expected.Keys.Where(k => !loaded.ContainsKey(k)).ToList();
        var unexpected = loaded.Keys.Where(k => !expected.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var misshaped = new List<string>();
        foreach (var (name, target) in expected)
        {
            if (!loaded.TryGetValue(name, out var source)) continue;
            // PyBridge reads a 0-d tensor (BatchNorm's num_batches_tracked) as shape [1]: the same single value.
            if (target.dim() == 0 && source.shape.SequenceEqual(new long[] { 1 })) continue;
            if (!target.shape.SequenceEqual(source.shape))
                misshaped.Add($"{name} (expected {Shape(target.shape)}, found {Shape(source.shape)})");
        }
        if (missing.Count + unexpected.Count + misshaped.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add($"missing {Keys(missing)}");
            if (unexpected.Count > 0) problems.Add($"unexpected {Keys(unexpected)}");
            if (misshaped.Count > 0) problems.Add($"mis-shaped {Keys(misshaped)}");
            throw new CheckpointException($"Checkpoint '{path}' does not match {module.GetType().Name} ({expected.Count} keys, the file has {loaded.Count}): {string.Join("; ", problems)}.");
        }
        using var noGrad = no_grad();
        foreach (var (name, target) in expected)
        {
            var source = loaded[name];
            if (target.dim() == 0 && source.dim() != 0)
            {
                using var scalar = source.reshape(Array.Empty<long>());
                target.copy_(scalar);
            }
            else
            {
                target.copy_(source);
            }
        }
    }

    private static string Keys(IReadOnlyList<string> keys)
    {
        string noun = keys.Count == 1 ? "key" : "keys";
        string listed = string.Join(", ", keys.Take(ListedKeys));
        return keys.Count > ListedKeys
            ? string.Create(CultureInfo.InvariantCulture, $"{noun} ({keys.Count}): {listed}, and {keys.Count - ListedKeys} more")
            : $"{noun}: {listed}";
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static string OneLine(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (char c in message) builder.Append(c is '\r' or '\n' ? ' ' : c);
        return builder.ToString().Trim();
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
