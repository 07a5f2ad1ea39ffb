using System.Collections.Generic;
using System.Globalization;

namespace ArchDsl.Core.Judgement;

/// <summary>How a configuration value is written.</summary>
public enum OptionKind
{
    /// <summary>A positive number with K/M/G/T/P/E or an exponent: 100M, 1e25.</summary>
    Number,
    /// <summary>A size in bytes: 80GiB, 40GB.</summary>
    Bytes,
    /// <summary>A fraction: 40% or 0.4.</summary>
    Fraction,
}

/// <summary>One configurable value: its .editorconfig key, its MSBuild property and its default.</summary>
public sealed class OptionSpec
{
    public OptionSpec(string editorConfigKey, string msBuildProperty, OptionKind kind, double? defaultValue)
    {
        EditorConfigKey = editorConfigKey;
        MsBuildProperty = msBuildProperty;
        Kind = kind;
        Default = defaultValue;
    }

    /// <summary>Key in .editorconfig or .globalconfig: archdsl.ADSL1001.max_parameters.</summary>
    public string EditorConfigKey { get; }
    /// <summary>MSBuild property, seen by analyzers as build_property.&lt;name&gt;: ArchDslMaxParameters.</summary>
    public string MsBuildProperty { get; }
    public string GlobalOptionKey => "build_property." + MsBuildProperty;
    public OptionKind Kind { get; }
    /// <summary>Null when the option is off unless configured (a device memory for every model).</summary>
    public double? Default { get; }

    public string KindName => Kind switch
    {
        OptionKind.Bytes => "size in bytes (e.g. 80GiB)",
        OptionKind.Fraction => "fraction (e.g. 40% or 0.4)",
        _ => "positive number (e.g. 100M, 1.5G, 1e25)",
    };

    public string DefaultText => Default is not double d ? "(none)" : Kind switch
    {
        OptionKind.Bytes => Units.Bytes(d),
        OptionKind.Fraction => Units.Percent(d),
        _ => d >= 1e15 ? Units.Scientific(d) : Units.Count(d),
    };

    public bool TryParse(string text, out double value) => Kind switch
    {
        OptionKind.Bytes => Units.TryParseBytes(text, out value),
        OptionKind.Fraction => Units.TryParseFraction(text, out value),
        _ => Units.TryParseNumber(text, out value),
    };
}

/// <summary>A configuration value that could not be read: the key as written, the value, what was expected.</summary>
public sealed record ConfigProblem(string Key, string Value, string Expected, string DefaultText);

/// <summary>Where configuration comes from: the generator passes .editorconfig and MSBuild lookups.</summary>
public interface IOptionSource
{
    bool TryGet(string key, out string value);
}

/// <summary>Every threshold of the judgement rules, with defaults, read from .editorconfig keys
/// (first) or MSBuild properties.</summary>
public sealed class JudgementOptions
{
    public static readonly OptionSpec MaxParametersSpec = new("archdsl.ADSL1001.max_parameters", "ArchDslMaxParameters", OptionKind.Number, 100e6);
    public static readonly OptionSpec MaxMacsSpec = new("archdsl.ADSL1002.max_macs", "ArchDslMaxMacs", OptionKind.Number, 100e9);
    public static readonly OptionSpec EuTrainingFlopSpec = new("archdsl.ADSL1004.max_training_flop", "ArchDslEuTrainingFlop", OptionKind.Number, 1e25);
    public static readonly OptionSpec FrontierTrainingFlopSpec = new("archdsl.ADSL1005.max_training_flop", "ArchDslFrontierTrainingFlop", OptionKind.Number, 1e26);
    public static readonly OptionSpec DeviceFlopsSpec = new("archdsl.training.device_flops", "ArchDslDeviceFlops", OptionKind.Number, 989e12);
    public static readonly OptionSpec DeviceUtilizationSpec = new("archdsl.training.device_utilization", "ArchDslDeviceUtilization", OptionKind.Fraction, 0.4);
    public static readonly OptionSpec DeviceMemorySpec = new("archdsl.memory.device_memory", "ArchDslDeviceMemory", OptionKind.Bytes, null);
    public static readonly OptionSpec MaxCapacityRatioSpec = new("archdsl.ADSL1014.max_capacity_ratio", "ArchDslMaxDistillationRatio", OptionKind.Number, 10);
    public static readonly OptionSpec DevicesSpec = new("archdsl.training.devices", "ArchDslTrainingDevices", OptionKind.Number, null);
    public static readonly OptionSpec BandwidthSpec = new("archdsl.training.interconnect_bandwidth", "ArchDslInterconnectBandwidth", OptionKind.Number, 50);

    public static readonly IReadOnlyList<OptionSpec> All = new[]
    {
        MaxParametersSpec, MaxMacsSpec, EuTrainingFlopSpec, FrontierTrainingFlopSpec,
        DeviceFlopsSpec, DeviceUtilizationSpec, DeviceMemorySpec, MaxCapacityRatioSpec,
        DevicesSpec, BandwidthSpec,
    };

    public double MaxParameters { get; set; } = 100e6;
    public double MaxMacs { get; set; } = 100e9;
    public double EuTrainingFlop { get; set; } = 1e25;
    public double FrontierTrainingFlop { get; set; } = 1e26;
    /// <summary>Dense bf16 rate of one device (H100 SXM: 989 TFLOP/s).</summary>
    public double DeviceFlops { get; set; } = 989e12;
    public double DeviceUtilization { get; set; } = 0.4;
    /// <summary>A memory budget for every model without its own [MemoryBudget]; null for none.</summary>
    public double? DeviceMemory { get; set; }
    public double MaxCapacityRatio { get; set; } = 10;
    /// <summary>Data-parallel devices for every model with a [TrainingPlan]; null: only where the plan declares them.</summary>
    public double? Devices { get; set; }
    /// <summary>Interconnect bandwidth per device in GB/s (50: one 400 Gb/s InfiniBand NDR link per GPU).</summary>
    public double InterconnectBandwidth { get; set; } = 50;

    public List<ConfigProblem> Problems { get; } = new();

    public static JudgementOptions Defaults => new();

    public static JudgementOptions Read(IOptionSource source)
    {
        var o = new JudgementOptions();
        o.MaxParameters = o.Get(source, MaxParametersSpec) ?? o.MaxParameters;
        o.MaxMacs = o.Get(source, MaxMacsSpec) ?? o.MaxMacs;
        o.EuTrainingFlop = o.Get(source, EuTrainingFlopSpec) ?? o.EuTrainingFlop;
        o.FrontierTrainingFlop = o.Get(source, FrontierTrainingFlopSpec) ?? o.FrontierTrainingFlop;
        o.DeviceFlops = o.Get(source, DeviceFlopsSpec) ?? o.DeviceFlops;
        o.DeviceUtilization = o.Get(source, DeviceUtilizationSpec) ?? o.DeviceUtilization;
        o.DeviceMemory = o.Get(source, DeviceMemorySpec) ?? o.DeviceMemory;
        o.MaxCapacityRatio = o.Get(source, MaxCapacityRatioSpec) ?? o.MaxCapacityRatio;
        o.Devices = o.Get(source, DevicesSpec) ?? o.Devices;
        o.InterconnectBandwidth = o.Get(source, BandwidthSpec) ?? o.InterconnectBandwidth;
        return o;
    }

    /// <summary>The configured value, or null (default applies). The .editorconfig key wins over the MSBuild property.</summary>
    private double? Get(IOptionSource source, OptionSpec spec)
    {
        string key;
        if (source.TryGet(spec.EditorConfigKey, out var text)) key = spec.EditorConfigKey;
        else if (source.TryGet(spec.GlobalOptionKey, out text)) key = spec.MsBuildProperty;
        else return null;
        if (string.IsNullOrWhiteSpace(text)) return null; // an empty MSBuild property is "not set"
        if (spec.TryParse(text, out var v)) return v;
        Problems.Add(new ConfigProblem(key, text, spec.KindName, spec.DefaultText));
        return null;
    }

    /// <summary>Options from a plain dictionary (tools and tests).</summary>
    public static JudgementOptions Read(IReadOnlyDictionary<string, string> values) => Read(new DictionarySource(values));

    private sealed class DictionarySource : IOptionSource
    {
        private readonly IReadOnlyDictionary<string, string> _values;
        public DictionarySource(IReadOnlyDictionary<string, string> values) => _values = values;
        public bool TryGet(string key, out string value)
        {
            foreach (var kv in _values)
                if (string.Equals(kv.Key, key, System.StringComparison.OrdinalIgnoreCase)) { value = kv.Value; return true; }
            value = "";
            return false;
        }
    }

    internal static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
