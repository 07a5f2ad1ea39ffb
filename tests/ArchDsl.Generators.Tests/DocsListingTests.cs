using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// Every complete C# listing in README.md and docs/*.md (one that starts its own file: it has <c>using ArchDsl;</c>)
/// compiles as pasted, with the generator, into a program or a library, without errors.
/// </summary>
public class DocsListingTests
{
    public static TheoryData<string, int> Listings()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in MarkdownFiles())
        {
            var listings = CompleteListings(File.ReadAllText(Path.Combine(Root, file)));
            for (int i = 0; i < listings.Count; i++) data.Add(file, i);
        }
        return data;
    }

    [Fact]
    public void The_README_and_the_language_docs_have_complete_listings()
    {
        // Guards the theory below against checking nothing: these files are known to hold full listings.
        Assert.NotEmpty(CompleteListings(File.ReadAllText(Path.Combine(Root, "README.md"))));
        Assert.True(CompleteListings(File.ReadAllText(Path.Combine(Root, "docs", "dsl.md"))).Count >= 2);
    }

    [Theory]
    [MemberData(nameof(Listings))]
    public void Listing_compiles_as_pasted(string file, int index)
    {
        var source = CompleteListings(File.ReadAllText(Path.Combine(Root, file)))[index];
        var tree = GeneratorHarness.Parse(source, "Listing.cs");
        bool program = tree.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any();
        var options = GeneratorHarness.CompilationOptions
            .WithOutputKind(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithGeneralDiagnosticOption(ReportDiagnostic.Default);
        var compilation = CSharpCompilation.Create("Listing", new[] { tree }, GeneratorHarness.References, options);
        var r = GeneratorHarness.Run(compilation);
        r.AssertNoGeneratorException();
        var errors = r.Output.GetDiagnostics().Concat(r.AllGeneratorDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"{file}, listing {index + 1}:\n" + GeneratorResult.Describe(errors));
        Assert.NotEmpty(r.Sources);
    }

    private static List<string> CompleteListings(string markdown) =>
        Regex.Matches(markdown.Replace("\r\n", "\n"), "```csharp\n(.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value)
            .Where(code => Regex.IsMatch(code, @"^using ArchDsl;", RegexOptions.Multiline))
            .ToList();

    private static IEnumerable<string> MarkdownFiles() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(f => Path.Combine("docs", Path.GetFileName(f))).OrderBy(f => f, StringComparer.Ordinal));

    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("ArchDsl.sln not found");
        }
    }
}
