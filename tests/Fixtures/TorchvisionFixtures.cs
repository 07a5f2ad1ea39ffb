// Reads the PyTorch reference fixtures in tests/Fixtures/torchvision (recorded by record.py there; see its README).
// BCL only, so any test project can link this file.

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace ArchDsl.Tests.Fixtures;

/// <summary>One state_dict entry of a <c>.keys.tsv</c> file.</summary>
public sealed class KeyEntry
{
    public KeyEntry(string key, long[] shape)
    {
        Key = key;
        Shape = shape;
    }

    public string Key { get; }

    /// <summary>Empty for a scalar (e.g. num_batches_tracked).</summary>
    public long[] Shape { get; }

    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    public override string ToString() => $"{Key}\t{string.Join(",", Shape)}";
}

/// <summary>A <c>.keys.tsv</c> file: PyTorch's counts for one model and its state_dict layout in order.</summary>
public sealed class KeyList
{
    public KeyList(long parameters, long buffers, long macs, int[] input, IReadOnlyList<KeyEntry> entries)
    {
        Parameters = parameters;
        Buffers = buffers;
        Macs = macs;
        Input = input;
        Entries = entries;
    }

    /// <summary>Sum of numel over model.parameters().</summary>
    public long Parameters { get; }

    /// <summary>Sum of numel over model.buffers() (num_batches_tracked counts 1 each).</summary>
    public long Buffers { get; }

    /// <summary>Multiply-adds of convolutions and matrix products at batch 1 and <see cref="Input"/>.</summary>
    public long Macs { get; }

    /// <summary>C, H, W.</summary>
    public int[] Input { get; }

    public IReadOnlyList<KeyEntry> Entries { get; }

    public IEnumerable<string> Keys => Entries.Select(e => e.Key);
}

/// <summary>One tensor of a <c>.fixture</c> file; exactly one of <see cref="Floats"/> and <see cref="Longs"/> is set.</summary>
public sealed class FixtureTensor
{
    public FixtureTensor(string name, long[] shape, string dtype, float[]? floats, long[]? longs)
    {
        Name = name;
        Shape = shape;
        DType = dtype;
        Floats = floats;
        Longs = longs;
    }

    public string Name { get; }

    public long[] Shape { get; }

    /// <summary>"float32" or "int64".</summary>
    public string DType { get; }

    public float[]? Floats { get; }

    public long[]? Longs { get; }

    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    public float[] AsFloats() =>
        Floats ?? throw new InvalidOperationException($"tensor '{Name}' is {DType}, not float32");

    public long[] AsLongs() =>
        Longs ?? throw new InvalidOperationException($"tensor '{Name}' is {DType}, not int64");
}

/// <summary>A <c>.fixture</c> file: builder configuration, every state_dict entry in order, then input and output.</summary>
public sealed class TensorFixture
{
    public const string InputName = "__input__";
    public const string OutputName = "__output__";

    private readonly Dictionary<string, FixtureTensor> byName;

    public TensorFixture(string configJson, IReadOnlyList<FixtureTensor> tensors)
    {
        ConfigJson = configJson;
        Tensors = tensors;
        byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The header's "config" object as JSON text (builder arguments, input shape, versions).</summary>
    public string ConfigJson { get; }

    /// <summary>All tensors in file order: the state_dict, then __input__ and __output__.</summary>
    public IReadOnlyList<FixtureTensor> Tensors { get; }

    /// <summary>The state_dict entries only, in PyTorch's order.</summary>
    public IEnumerable<FixtureTensor> StateDict => Tensors.Where(t => t.Name != InputName && t.Name != OutputName);

    public FixtureTensor Input => this[InputName];

    public FixtureTensor Output => this[OutputName];

    public FixtureTensor this[string name] =>
        byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no tensor '{name}' in fixture");

    public bool Contains(string name) => byName.ContainsKey(name);
}

/// <summary>Finds and reads the torchvision fixtures.</summary>
public static class TorchvisionFixtures
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("ADSLFIX1");
    private static readonly Lazy<string> LazyFolder =
        new Lazy<string>(() => FolderUnder(FindRepositoryRoot(AppContext.BaseDirectory)));

    /// <summary>tests/Fixtures/torchvision of the repository that holds the running tests.</summary>
    public static string Folder => LazyFolder.Value;

    /// <summary>The keys file of a model, e.g. "resnet50" or "densenet_small".</summary>
    public static KeyList Keys(string model) => ReadKeys(Path.Combine(Folder, model + ".keys.tsv"));

    /// <summary>The fixture of a small configuration, e.g. "densenet_small".</summary>
    public static TensorFixture Load(string name) => ReadFixture(Path.Combine(Folder, name + ".fixture"));

    /// <summary>The nearest directory at or above <paramref name="start"/> that contains ArchDsl.sln.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no directory containing ArchDsl.sln at or above '{start}'");
    }

    public static string FolderUnder(string repositoryRoot) =>
        Path.Combine(repositoryRoot, "tests", "Fixtures", "torchvision");

    public static KeyList ReadKeys(string path)
    {
        long? parameters = null, buffers = null, macs = null;
        int[]? input = null;
        var entries = new List<KeyEntry>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                var parts = line.Substring(1).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2)
                {
                    throw Bad(path, lineNumber, "header line needs a name and a value");
                }

                switch (parts[0])
                {
                    case "parameters": parameters = ParseLong(parts[1], path, lineNumber); break;
                    case "buffers": buffers = ParseLong(parts[1], path, lineNumber); break;
                    case "macs": macs = ParseLong(parts[1], path, lineNumber); break;
                    case "input":
                        input = parts.Skip(1).Select(p => checked((int)ParseLong(p, path, lineNumber))).ToArray();
                        break;
                    default: break; // unknown headers are informational
                }

                continue;
            }

            var tab = line.IndexOf('\t');
            if (tab <= 0)
            {
                throw Bad(path, lineNumber, "expected '<key>\\t<shape>'");
            }

            var shapeText = line.Substring(tab + 1);
            var shape = shapeText.Length == 0
                ? Array.Empty<long>()
                : shapeText.Split(',').Select(d => ParseLong(d, path, lineNumber)).ToArray();
            entries.Add(new KeyEntry(line.Substring(0, tab), shape));
        }

        if (parameters is null || buffers is null || macs is null || input is null)
        {
            throw new InvalidDataException($"{path}: missing one of the # parameters/buffers/macs/input lines");
        }

        return new KeyList(parameters.Value, buffers.Value, macs.Value, input, entries);
    }

    public static TensorFixture ReadFixture(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path}: not an ADSLFIX1 file");
        }

        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length, 4));
        var headerStart = Magic.Length + 4;
        if (headerLength < 0 || headerStart + (long)headerLength > bytes.Length)
        {
            throw new InvalidDataException($"{path}: header length {headerLength} runs past the end of the file");
        }

        var dataStart = headerStart + headerLength;
        var data = bytes.AsSpan(dataStart);
        using var header = JsonDocument.Parse(bytes.AsMemory(headerStart, headerLength));
        var root = header.RootElement;
        var config = root.GetProperty("config").GetRawText();
        var tensors = new List<FixtureTensor>();
        foreach (var entry in root.GetProperty("tensors").EnumerateArray())
        {
            var name = entry.GetProperty("name").GetString()
                ?? throw new InvalidDataException($"{path}: tensor without a name");
            var shape = entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var dtype = entry.GetProperty("dtype").GetString() ?? "";
            var offset = entry.GetProperty("offset").GetInt64();
            var count = shape.Aggregate(1L, (a, d) => a * d);
            var width = dtype switch
            {
                "float32" => 4,
                "int64" => 8,
                _ => throw new InvalidDataException($"{path}: tensor '{name}' has unknown dtype '{dtype}'"),
            };
            if (offset < 0 || count < 0 || offset + count * width > data.Length)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' runs past the end of the data");
            }

            var span = data.Slice(checked((int)offset), checked((int)(count * width)));
            if (width == 4)
            {
                var values = new float[count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 4, 4));
                }

                tensors.Add(new FixtureTensor(name, shape, dtype, values, null));
            }
            else
            {
                var values = new long[count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(i * 8, 8));
                }

                tensors.Add(new FixtureTensor(name, shape, dtype, null, values));
            }
        }

        return new TensorFixture(config, tensors);
    }

    private static long ParseLong(string text, string path, int lineNumber) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(path, lineNumber, $"'{text}' is not an integer");

    private static InvalidDataException Bad(string path, int lineNumber, string message) =>
        new InvalidDataException($"{path}:{lineNumber}: {message}");
}
