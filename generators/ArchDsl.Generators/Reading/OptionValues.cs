using System.Collections.Generic;
using System.Collections.Immutable;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Judgement;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ArchDsl.Generators.Reading;

/// <summary>
/// The judgement option values that apply to one file, as written (key, value, key, value...), so the
/// pipeline can compare them by value. Parsing and defaults stay in <see cref="JudgementOptions"/>.
/// </summary>
internal sealed record OptionValues(string Path, EquatableArray<string> Pairs)
{
    public static readonly OptionValues None = new("", EquatableArray<string>.Empty);

    /// <summary>One entry per path, sorted, so the collection compares equal while no file's values change.</summary>
    public static EquatableArray<OptionValues> ByPath(ImmutableArray<OptionValues> all)
    {
        var byPath = new SortedDictionary<string, OptionValues>(System.StringComparer.Ordinal);
        foreach (var o in all) byPath[o.Path] = o;
        var list = new List<OptionValues>(byPath.Values);
        return new EquatableArray<OptionValues>(list.ToArray());
    }


    // Each key as written and lower-cased, made once: a build reads them for every file that holds a model.
    private static readonly (string Key, string Lowered)[] Keys = MakeKeys();

    private static (string, string)[] MakeKeys()
    {
        var keys = new List<(string, string)>();
        foreach (var spec in JudgementOptions.All)
        {
            keys.Add((spec.EditorConfigKey, spec.EditorConfigKey.ToLowerInvariant()));
            keys.Add((spec.GlobalOptionKey, spec.GlobalOptionKey.ToLowerInvariant()));
        }
        return keys.ToArray();
    }

    /// <summary>Every key <see cref="JudgementOptions"/> looks up, as the file's .editorconfig section, then the
    /// global options (.globalconfig and MSBuild properties) give it; without a tree, the global options alone.</summary>
    public static OptionValues Read(AnalyzerConfigOptionsProvider provider, SyntaxTree? tree)
    {
        var source = new Source(provider, tree);
        var pairs = new List<string>();
        foreach (var (key, lowered) in Keys)
            if (source.TryGet(key, lowered, out var value))
            {
                pairs.Add(key);
                pairs.Add(value);
            }
        return new OptionValues(tree?.FilePath ?? "", new EquatableArray<string>(pairs.ToArray()));
    }

    public JudgementOptions ToJudgementOptions()
    {
        var values = new Dictionary<string, string>(System.StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i + 1 < Pairs.Count; i += 2) values[Pairs[i]] = Pairs[i + 1];
        return JudgementOptions.Read(values);
    }

    /// <summary>.editorconfig keys for the model's file first, then global options.</summary>
    private sealed class Source
    {
        private readonly AnalyzerConfigOptions? _tree;
        private readonly AnalyzerConfigOptions _global;

        public Source(AnalyzerConfigOptionsProvider provider, SyntaxTree? tree)
        {
            _tree = tree is null ? null : provider.GetOptions(tree);
            _global = provider.GlobalOptions;
        }

        public bool TryGet(string key, string lowered, out string value)
        {
            if (_tree != null && _tree.TryGetValue(key, out var v) ||
                _global.TryGetValue(key, out v) ||
                // keys are case-insensitive in .editorconfig; Roslyn lower-cases them
                _tree != null && _tree.TryGetValue(lowered, out v) ||
                _global.TryGetValue(lowered, out v))
            {
                value = v!;
                return true;
            }
            value = "";
            return false;
        }
    }
}

/// <summary>Option values per file that declares a model, and the global values for a model whose file is not
/// among them.</summary>
internal sealed record OptionSet(EquatableArray<OptionValues> ByPath, OptionValues Global)
{
    public OptionValues For(string path)
    {
        foreach (var o in ByPath)
            if (o.Path == path) return o;
        return Global;
    }
}
