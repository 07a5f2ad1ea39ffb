using System.Linq;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// A project on C# 9 (LangVersion 9, .NET 5's default) compiles its models: generated code there has a block
/// namespace instead of a file-scoped one (CS8773 in generated code before), and is otherwise the same.
/// </summary>
public class LanguageVersion9Tests
{
    // The test models use file-scoped namespaces, which C# 9 lacks as much as generated code did: written as blocks.
    private static string AsBlockNamespace(string source)
    {
        var line = source.Split('\n').First(l => l.StartsWith("namespace ", System.StringComparison.Ordinal));
        return source.Replace(line, line.TrimEnd().TrimEnd(';') + " {") + "\n}\n";
    }

    private static GeneratorResult RunAt(LanguageVersion version)
    {
        var options = GeneratorHarness.ParseOptions.WithLanguageVersion(version);
        var trees = TestModels.ThreeNamespaces.Select((s, i) => CSharpSyntaxTree.ParseText(AsBlockNamespace(s), options, $"Input{i}.cs"));
        var driver = CSharpGeneratorDriver.Create(new[] { new ArchDslGenerator().AsSourceGenerator() }, parseOptions: options);
        var result = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(trees), driver);
        result.AssertNoGeneratorException();
        return result;
    }

    [Fact]
    public void Models_compile_at_CSharp_9_warning_free()
    {
        var r = RunAt(LanguageVersion.CSharp9);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics);
        Assert.True(r.HasModule("Tests.TinyCnn.g.cs"));
        Assert.True(r.HasModule("Tests.Vit.TinyVit.g.cs"));
    }

    [Fact]
    public void At_CSharp_9_only_the_namespace_form_differs()
    {
        var at9 = RunAt(LanguageVersion.CSharp9);
        var at10 = RunAt(LanguageVersion.CSharp10);
        Assert.Equal(at10.Sources.Select(s => s.HintName), at9.Sources.Select(s => s.HintName));
        foreach (var ((_, a), (_, b)) in at10.Sources.Zip(at9.Sources))
        {
            Assert.Contains("namespace Tests", b);
            Assert.DoesNotContain("namespace Tests;", b);
            string Strip(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c) && c != ';' && c != '{' && c != '}'));
            Assert.Equal(Strip(a), Strip(b));
        }
    }
}
