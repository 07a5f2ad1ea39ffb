using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ArchDsl.Generators;

/// <summary>
/// The category-wide severity settings of .editorconfig and .globalconfig
/// (<c>dotnet_analyzer_diagnostic.category-Design.severity</c>, <c>dotnet_analyzer_diagnostic.severity</c>).
/// The compiler applies those only to analyzer diagnostics, and ArchDsl's findings come from the generator, so the
/// generator applies them itself, with the analyzer precedence: a rule's own setting
/// (<c>dotnet_diagnostic.ADSL1001.severity</c>, /nowarn, /warnaserror:ADSL1001), which the compiler applies, wins
/// over its category, which wins over the setting for all rules; a file's .editorconfig wins over .globalconfig.
/// </summary>
internal static class CategorySeverity
{
    /// <summary>The severity to report with; null to leave the default (and any rule setting) to the compiler.
    /// <paramref name="suppressed"/>: the configuration says "none". Judgement rules only: a declaration error
    /// (ADSL00xx) means no module was generated, and a category-wide setting must not hide that.</summary>
    public static DiagnosticSeverity? For(DiagnosticDescriptor rule, SyntaxTree? tree, Compilation compilation, AnalyzerConfigOptionsProvider options,
        CancellationToken ct, out bool suppressed)
    {
        suppressed = false;
        if (Core.Diagnostics.Rules.ById(rule.Id) is not { IsJudgement: true }) return null;
        if (compilation.Options.SpecificDiagnosticOptions.ContainsKey(rule.Id)) return null;
        var treeOptions = compilation.Options.SyntaxTreeOptionsProvider;
        if (treeOptions != null &&
            (tree != null && treeOptions.TryGetDiagnosticValue(tree, rule.Id, ct, out _) || treeOptions.TryGetGlobalDiagnosticValue(rule.Id, ct, out _)))
            return null;

        var local = tree is null ? null : options.GetOptions(tree);
        var category = "dotnet_analyzer_diagnostic.category-" + rule.Category + ".severity";
        const string all = "dotnet_analyzer_diagnostic.severity";
        // The first value that parses wins; one that does not is skipped, as the compiler does for analyzers.
        foreach (var value in new[] { Find(local, category), Find(options.GlobalOptions, category), Find(local, all), Find(options.GlobalOptions, all) })
        {
            switch (value?.Trim().ToLowerInvariant())
            {
                case "none": suppressed = true; return null;
                case "silent": case "refactoring": return DiagnosticSeverity.Hidden;
                case "suggestion": return DiagnosticSeverity.Info;
                case "warning": return DiagnosticSeverity.Warning;
                case "error": return DiagnosticSeverity.Error;
                case "default": return null; // the rule's own severity
            }
        }
        return null;
    }

    private static string? Find(AnalyzerConfigOptions? options, string key) =>
        options != null && (options.TryGetValue(key, out var v) || options.TryGetValue(key.ToLowerInvariant(), out v)) ? v : null;
}
