using System.Linq;
using System.Text;
using ArchDsl.Core.Layers;

namespace ArchDsl.Core.Reporting;

/// <summary>The layer table of docs/dsl.md, written from the catalogue so that the docs cannot drift from it.</summary>
public static class CatalogTable
{
    public const string Begin = "<!-- layer table: written from LayerCatalog (CatalogTable.Markdown); a test holds docs/dsl.md to it -->";
    public const string End = "<!-- end of layer table -->";

    public const string CountsBegin = "<!-- counting table: written from LayerCatalog (CatalogTable.CountsMarkdown); a test holds docs/counting.md to it -->";
    public const string CountsEnd = "<!-- end of counting table -->";

    /// <summary>The kinds that have parameters or MACs, with their formulas.</summary>
    public static string CountsMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append(CountsBegin).Append('\n');
        sb.Append("| layer | parameters | MACs (batch 1) |\n|---|---|---|\n");
        foreach (var k in LayerCatalog.Kinds.Values.OrderBy(k => k.Category).ThenBy(k => k.Name, System.StringComparer.Ordinal))
            if (k.ParameterFormula != "0" || k.MacFormula != "0")
                sb.Append("| `").Append(k.Name).Append("` | ").Append(k.ParameterFormula).Append(" | ").Append(k.MacFormula).Append(" |\n");
        sb.Append(CountsEnd);
        return sb.ToString();
    }

    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append(Begin).Append('\n');
        sb.Append("| attribute | arguments | module | what it is |\n|---|---|---|---|\n");
        foreach (var k in LayerCatalog.Kinds.Values.OrderBy(k => k.Category).ThenBy(k => k.Name, System.StringComparer.Ordinal))
        {
            var positional = string.Join(", ", k.Positional.Select(p => "*" + p + "*"));
            var named = string.Join(", ", k.Named.Select(n => "`" + n + "`"));
            var args = positional.Length > 0 && named.Length > 0 ? positional + "; " + named : positional + named;
            string module = k.ModuleType.Length == 0 ? "the block" : "`" + k.ModuleType.Substring(k.ModuleType.LastIndexOf('.') + 1) + "`";
            sb.Append("| `[").Append(k.Name).Append("]` | ").Append(args.Length == 0 ? "–" : args).Append(" | ").Append(module)
              .Append(" | ").Append(k.Summary).Append(" |\n");
        }
        sb.Append(End);
        return sb.ToString();
    }
}
