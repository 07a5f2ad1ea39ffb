using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using ArchDsl.Samples;
using Xunit;

namespace ArchDsl.Models.Tests;

/// <summary>
/// Every sample model's ArchitectureJson against the schema docs/dsl.md documents for tools: the same keys (read out of
/// the document's two tables), the documented invariants (depth is the path's dots, depth-0 rows add up to the totals,
/// FLOPs are twice the MACs, the residual keys come together, only stages count more than one), and totals equal to the
/// model's constants.
/// </summary>
public class ArchitectureJsonTests
{
    private static readonly string[] OptionalTopKeys = { "paths", "tasks" };
    private static readonly string[] RequiredRowKeys = { "path", "kind", "depth", "output", "parameters", "macs", "count" };

    public static IEnumerable<object[]> Models() =>
        typeof(ResNet50).Assembly.GetTypes()
            .Where(t => t.GetField("ArchitectureJson", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .OrderBy(t => t.Name, System.StringComparer.Ordinal)
            .Select(t => new object[] { t.Name });

    [Theory]
    [MemberData(nameof(Models))]
    public void Json_follows_the_documented_schema(string model)
    {
        var type = typeof(ResNet50).Assembly.GetTypes().Single(t => t.Name == model);
        string json = (string)type.GetField("ArchitectureJson")!.GetRawConstantValue()!;
        var (topKeys, rowKeys) = DocumentedKeys();
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        // paths and tasks are written only for models with [Task] or [Exit] (the table says "only with").
        var written = root.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Empty(written.Except(topKeys));
        Assert.Empty(topKeys.Except(OptionalTopKeys).Except(written));

        long Constant(string name) => (long)type.GetField(name)!.GetRawConstantValue()!;
        Assert.Equal(Constant("ParameterCount"), root.GetProperty("parameters").GetInt64());
        Assert.Equal(Constant("BufferCount"), root.GetProperty("buffers").GetInt64());
        Assert.Equal(Constant("Macs"), root.GetProperty("macs").GetInt64());
        Assert.Equal(Constant("Flops"), root.GetProperty("flops").GetInt64());
        Assert.Equal(2 * root.GetProperty("macs").GetInt64(), root.GetProperty("flops").GetInt64());

        // A row with rows under it (a stage, a block instance) holds exactly what they hold: children included.
        var rows = root.GetProperty("layers").EnumerateArray().ToList();
        foreach (var parent in rows)
        {
            string prefix = parent.GetProperty("path").GetString()! + ".";
            int depth = parent.GetProperty("depth").GetInt32() + 1;
            var children = rows.Where(r => r.GetProperty("depth").GetInt32() == depth && r.GetProperty("path").GetString()!.StartsWith(prefix, System.StringComparison.Ordinal)).ToList();
            if (children.Count == 0) continue;
            Assert.Equal(parent.GetProperty("parameters").GetInt64(), children.Sum(c => c.GetProperty("parameters").GetInt64()));
            Assert.Equal(parent.GetProperty("macs").GetInt64(), children.Sum(c => c.GetProperty("macs").GetInt64()));
        }

        long parameters = 0, macs = 0;
        foreach (var row in rows)
        {
            var keys = row.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Empty(keys.Except(rowKeys));
            Assert.Empty(RequiredRowKeys.Except(keys));
            string path = row.GetProperty("path").GetString()!;
            Assert.Equal(path.Count(c => c == '.'), row.GetProperty("depth").GetInt32());
            Assert.Equal(keys.Contains("residualFrom"), keys.Contains("projected"));
            long count = row.GetProperty("count").GetInt64();
            Assert.True(count == 1 || row.GetProperty("kind").GetString() == "Stage", $"{path}: count {count}");
            if (row.GetProperty("depth").GetInt32() == 0)
            {
                parameters += row.GetProperty("parameters").GetInt64();
                macs += row.GetProperty("macs").GetInt64();
            }
        }
        Assert.Equal(Constant("ParameterCount"), parameters);
        // A model with tasks or exits runs part of itself per forward: its macs are forward(x)'s, each path has its own.
        if (root.TryGetProperty("paths", out var paths))
        {
            Assert.Contains(paths.EnumerateArray(), p => p.GetProperty("macs").GetInt64() >= Constant("Macs"));
            Assert.True(macs >= Constant("Macs"), $"{model}: the rows hold every module, at least what forward(x) runs");
        }
        else Assert.Equal(Constant("Macs"), macs);
    }

    /// <summary>The backticked keys of the two tables under "The architecture description" in docs/dsl.md.</summary>
    private static (List<string> Top, List<string> Row) DocumentedKeys([CallerFilePath] string here = "")
    {
        string dsl = File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "docs", "dsl.md")).Replace("\r\n", "\n");
        int start = dsl.IndexOf("## The architecture description", System.StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/dsl.md has no section on the architecture description");
        var section = dsl.Substring(start, dsl.IndexOf("\n## ", start + 3, System.StringComparison.Ordinal) - start);
        var tables = Regex.Matches(section, @"\| (key|row key) \| meaning \|\n\|---\|---\|\n((?:\|.*\n)+)");
        Assert.Equal(2, tables.Count);
        static List<string> Keys(Match table) => table.Groups[2].Value.Split('\n')
            .Where(l => l.StartsWith('|'))
            .SelectMany(l => Regex.Matches(l.Split('|')[1], "`([a-zA-Z]+)`").Select(m => m.Groups[1].Value))
            .OrderBy(k => k, System.StringComparer.Ordinal).ToList();
        return (Keys(tables[0]), Keys(tables[1]));
    }
}
