using System;
using System.IO;
using System.Linq;
using System.Reflection;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Reporting;
using Xunit;

namespace ArchDsl.Core.Tests;

/// <summary>The catalogue against the attribute classes users write, and the docs against the catalogue.</summary>
public class CatalogTests
{
    private static readonly Type[] LayerAttributes = typeof(ArchDsl.LayerAttribute).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && (typeof(ArchDsl.LayerAttribute).IsAssignableFrom(t) || t == typeof(ArchDsl.StageAttribute) || t == typeof(ArchDsl.UseAttribute)))
        .ToArray();

    private static string KindName(Type attribute) => attribute.Name.Substring(0, attribute.Name.Length - "Attribute".Length);

    [Fact]
    public void Every_layer_attribute_has_a_kind_and_every_kind_an_attribute()
    {
        var attributes = LayerAttributes.Select(KindName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(attributes, LayerCatalog.Kinds.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Every_argument_a_kind_reads_is_a_property_of_its_attribute()
    {
        foreach (var type in LayerAttributes)
        {
            var kind = LayerCatalog.Kinds[KindName(type)];
            foreach (var name in kind.Arguments)
                Assert.True(type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) != null, $"[{kind.Name}] reads '{name}', which {type.Name} does not have");
        }
    }

    [Fact]
    public void Every_settable_property_of_an_attribute_is_read_by_its_kind()
    {
        // A named argument that no rule reads would be accepted and silently ignored.
        foreach (var type in LayerAttributes)
        {
            var kind = LayerCatalog.Kinds[KindName(type)];
            var read = kind.Arguments.ToHashSet();
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                Assert.True(read.Contains(p.Name), $"{type.Name}.{p.Name} can be written but [{kind.Name}] never reads it");
        }
    }

    [Fact]
    public void Every_act_member_but_None_is_an_activation_of_the_catalogue()
    {
        var members = Enum.GetNames(typeof(ArchDsl.Act)).Where(n => n != "None").OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(members, Activations.ByName.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("dsl.md", CatalogTable.Begin, CatalogTable.End)]
    [InlineData("counting.md", CatalogTable.CountsBegin, CatalogTable.CountsEnd)]
    public void The_tables_in_docs_are_the_catalogue(string file, string beginMarker, string endMarker)
    {
        var expected = file == "dsl.md" ? CatalogTable.Markdown() : CatalogTable.CountsMarkdown();
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", file)).Replace("\r\n", "\n");
        int begin = docs.IndexOf(beginMarker, StringComparison.Ordinal);
        int end = docs.IndexOf(endMarker, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"docs/{file} has no generated table; paste:\n" + expected);
        var written = docs.Substring(begin, end + endMarker.Length - begin);
        Assert.True(written == expected, $"docs/{file}'s table differs from the catalogue; replace it with:\n" + expected);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ArchDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
