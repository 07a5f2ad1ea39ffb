using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// Generated code compiles at the oldest C# it needs (10, .NET 6's default: file-scoped namespaces) and at the newest.
/// From C# 11 the JSON constant is written as a raw literal; its value must not depend on which form was written.
/// </summary>
public class LanguageVersionTests
{
    private static readonly string[] Sources = TestModels.ThreeNamespaces;

    private static readonly string[] Models = { "Tests.TinyCnn", "Tests.Vit.TinyVit", "Tests.Widening.Widen" };

    private static GeneratorResult RunAt(LanguageVersion version)
    {
        var options = GeneratorHarness.ParseOptions.WithLanguageVersion(version);
        var trees = Sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, options, $"Input{i}.cs"));
        var driver = CSharpGeneratorDriver.Create(new[] { new ArchDslGenerator().AsSourceGenerator() }, parseOptions: options);
        var result = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(trees), driver);
        result.AssertNoGeneratorException();
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationDiagnostics);
        return result;
    }

    /// <summary>The JSON constant's value as the compiler reads it, and the literal as written, by model.</summary>
    private static Dictionary<string, (string Value, string Literal)> JsonConstants(GeneratorResult result)
    {
        var found = new Dictionary<string, (string, string)>();
        foreach (var name in Models)
        {
            var field = (IFieldSymbol)result.Output.GetTypeByMetadataName(name)!.GetMembers("ArchitectureJson").Single();
            var declarator = (Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax)field.DeclaringSyntaxReferences.Single().GetSyntax();
            found.Add(name, ((string)field.ConstantValue!, declarator.Initializer!.Value.ToString()));
        }
        return found;
    }

    [Fact]
    public void Csharp_10_and_the_latest_give_the_same_json_constant_written_escaped_and_raw()
    {
        var old = JsonConstants(RunAt(LanguageVersion.CSharp10));
        var latest = JsonConstants(RunAt(LanguageVersion.Latest));
        foreach (var name in Models)
        {
            Assert.StartsWith("\"{\\\"name\\\":", old[name].Literal);
            Assert.StartsWith("\"\"\"{\"name\":", latest[name].Literal);
            Assert.Equal(old[name].Value, latest[name].Value);
            using var doc = JsonDocument.Parse(latest[name].Value);
            Assert.Equal(name.Substring(name.LastIndexOf('.') + 1), doc.RootElement.GetProperty("name").GetString());
        }
    }

    [Fact]
    public void The_literal_form_follows_the_language_version_at_11()
    {
        Assert.StartsWith("\"{", JsonConstants(RunAt(LanguageVersion.CSharp10))["Tests.TinyCnn"].Literal);
        Assert.StartsWith("\"\"\"{", JsonConstants(RunAt(LanguageVersion.CSharp11))["Tests.TinyCnn"].Literal);
    }
}
