using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using ArchDsl.Generators.Reading;
using ArchDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace ArchDsl.Generators.Tests;

/// <summary>
/// The syntax-first reading of field attributes (what keeps edit latency low) must give exactly the records that
/// binding gives, and must step aside wherever a name or a value could mean something else. The reference is
/// the bound reading (<c>DeclarationReader.Read</c> without a compilation), which asks the compiler.
/// </summary>
public class LiteralReadingTests
{
    private readonly ITestOutputHelper _output;
    public LiteralReadingTests(ITestOutputHelper output) => _output = output;

    internal sealed record Tally(int Fields, int Literal);

    /// <summary>Compares both readings for every [Model]/[Block] class; returns how many attributed fields were read from syntax.</summary>
    internal static Tally CompareAll(Compilation compilation, List<string> failures)
    {
        int fields = 0, literal = 0;
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var cls in tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                if (model.GetDeclaredSymbol(cls) is not INamedTypeSymbol type) continue;
                if (!type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is DeclarationReader.ModelAttribute or DeclarationReader.BlockAttribute)) continue;
                var bound = DeclarationReader.Read(type, CancellationToken.None);
                var fast = DeclarationReader.Read(type, CancellationToken.None, compilation);
                if (!Equals(bound, fast)) failures.Add($"{tree.FilePath}: {type.Name}\n  bound: {Describe(bound)}\n  fast:  {Describe(fast)}");
                // With its blocks, as a teacher is read: blocks found from the records and read once per compilation.
                var (boundRoot, boundBlocks) = DeclarationReader.ReadWithBlocks(type, CancellationToken.None);
                var (fastRoot, fastBlocks) = DeclarationReader.ReadWithBlocks(type, CancellationToken.None, compilation);
                if (!Equals(boundRoot, fastRoot) || !boundBlocks.Equals(fastBlocks))
                    failures.Add($"{tree.FilePath}: {type.Name} with blocks: bound [{string.Join(", ", boundBlocks.Select(b => b.FullName))}], " +
                                 $"fast [{string.Join(", ", fastBlocks.Select(b => b.FullName))}]");
                var reader = LiteralAttributeReader.For(compilation, type);
                foreach (var field in cls.Members.OfType<FieldDeclarationSyntax>().Where(f => f.AttributeLists.Count > 0))
                {
                    fields++;
                    if (reader?.TryRead(field.Declaration.Variables[0]) != null) literal++;
                }
            }
        }
        return new Tally(fields, literal);
    }

    private static string Describe(Core.Declarations.ModuleDecl d) =>
        string.Join("; ", d.Members.Select(m => m.Name + ": " + string.Join(", ", m.Attributes.Select(a =>
            a.Name + "(" + string.Join(", ", a.Positional.Select(p => $"{p.Kind} {p.Int} {p.Double:R} {p.Text} [{string.Join(",", p.Ints)}] @{p.Span.Start}+{p.Span.Length}")) +
            " | " + string.Join(", ", a.Named.Select(n => $"{n.Name}={n.Value.Kind} {n.Value.Int} {n.Value.Double:R} {n.Value.Text} @{n.Value.Span.Start}")) + ")"))));

    [Fact]
    public void Fuzzed_declarations_read_the_same_from_syntax_as_bound()
    {
        // ARCHDSL_LITERAL_CASES widens the corpus for a deeper run (default 600).
        int count = int.TryParse(Environment.GetEnvironmentVariable("ARCHDSL_LITERAL_CASES"), System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 600;
        var fuzzer = new DeclarationFuzzer(11);
        var failures = new List<string>();
        int fields = 0, literal = 0;
        var cases = Enumerable.Range(0, count).Select(fuzzer.Next).ToList();
        foreach (var batch in cases.Chunk(50))
        {
            var trees = batch.Select(c => GeneratorHarness.Parse(TestModels.Usings.Replace("namespace Tests;", $"namespace {c.Namespace};") + c.Text, $"Case{c.Index}.cs"));
            var tally = CompareAll(GeneratorHarness.CreateCompilation(trees, "Literal" + batch[0].Index), failures);
            fields += tally.Fields;
            literal += tally.Literal;
        }
        _output.WriteLine($"{count} fuzzed cases: {fields} attributed fields, {literal} read from syntax ({100.0 * literal / fields:F1} %)");
        Assert.True(failures.Count == 0, $"{failures.Count} classes read differently:\n" + string.Join("\n", failures.Take(10)));
        // Not a test that passes by never taking the fast path: most fuzzed fields are plain literals.
        Assert.True(literal > fields / 2, $"only {literal} of {fields} fields were read from syntax");
    }

    [Fact]
    public void Samples_and_test_models_read_the_same_from_syntax_as_bound()
    {
        var sources = typeof(TestModels).GetFields().Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name != nameof(TestModels.Usings))
            .Select(f => ((string)f.GetRawConstantValue()!, f.Name + ".cs")).ToList();
        var samples = Path.Combine(RepoRoot(), "samples", "ArchDsl.Samples");
        sources.AddRange(Directory.GetFiles(samples, "*.cs").OrderBy(p => p, StringComparer.Ordinal).Select(p => (File.ReadAllText(p), Path.GetFileName(p))));
        var failures = new List<string>();
        int fields = 0, literal = 0;
        foreach (var (text, path) in sources)
        {
            var tally = CompareAll(GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(text, path) }), failures);
            fields += tally.Fields;
            literal += tally.Literal;
        }
        _output.WriteLine($"{sources.Count} files: {fields} attributed fields, {literal} read from syntax");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(literal > fields * 3 / 4, $"only {literal} of {fields} fields were read from syntax");
    }

    /// <summary>Cases where a syntax-only reading would be wrong or unsure: the fast path must decline, and the
    /// result must still equal the bound reading.</summary>
    [Theory]
    [InlineData("own LinearAttribute in the model's namespace wins the lookup", """
        namespace Tests { public sealed class LinearAttribute : System.Attribute { public LinearAttribute(int n) { } } }
        """, "[Linear(10)] Linear fc;")]
    [InlineData("own attribute class named like the short form", """
        namespace Other { public sealed class Linear : System.Attribute { public Linear(int n) { } } }
        """, "[Linear(10)] Linear fc;")]
    [InlineData("alias renames an ArchDsl attribute", "", "[L(10)] Linear fc;", "using L = ArchDsl.LinearAttribute;")]
    [InlineData("alias named like an ArchDsl attribute", "", "[Linear(10)] Linear fc;", "using Linear = ArchDsl.DropoutAttribute;")]
    [InlineData("constant argument", "", "[Linear(Classes)] Linear fc; const int Classes = 10;")]
    [InlineData("typeof a name two types share", """
        namespace Tests.A { [ArchDsl.Block] public partial class Twin { [ArchDsl.Linear(4)] TorchSharp.Modules.Linear fc; } }
        namespace Tests.B { [ArchDsl.Block] public partial class Twin { [ArchDsl.Linear(4)] TorchSharp.Modules.Linear fc; } }
        """, "[Use(typeof(Twin))] Twin t; [Linear(10)] Linear fc;", "using Tests.A;")]
    [InlineData("named argument by constructor parameter name", "", "[Linear(outFeatures: 10)] Linear fc;")]
    public void Declines_where_syntax_could_mislead(string why, string extra, string fields, string usings = "")
    {
        var text = usings + "\n" + TestModels.Usings + $$"""
            [Model]
            [Input(16)]
            public partial class Probe
            {
                {{fields}}
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(new[] { GeneratorHarness.Parse(text, "Probe.cs"), GeneratorHarness.Parse(extra, "Extra.cs") });
        var failures = new List<string>();
        CompareAll(compilation, failures);
        Assert.True(failures.Count == 0, why + ":\n" + string.Join("\n", failures));

        var type = compilation.GetTypeByMetadataName("Tests.Probe")!;
        var reader = LiteralAttributeReader.For(compilation, type);
        var declined = type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsImplicitlyDeclared && !f.IsConst)
            .Select(f => f.DeclaringSyntaxReferences[0].GetSyntax())
            .Where(s => s.Parent?.Parent is FieldDeclarationSyntax { AttributeLists.Count: > 0 })
            .Any(s => reader?.TryRead(s) is null);
        Assert.True(declined, why + ": the syntax-first reading should have declined");
    }

    /// <summary>Values whose bound form differs from the literal as written: the fast path must convert as the compiler does.</summary>
    [Theory]
    [InlineData("[Dropout(1)] Dropout d;")]                        // int literal into a double parameter
    [InlineData("[Dropout(0.1f)] Dropout d;")]                     // float literal widened
    [InlineData("[Input(3, 32, 32)] [Conv2d(8, Kernel = 3)] Conv2d c;")]
    [InlineData("[Linear(10, Activation = Act.GELU)] Linear fc;")]
    [InlineData("[Linear(\"4\")] Linear a; [Linear(@\"8\", Bias = false)] Linear b;")]
    [InlineData("[Linear(16)] Linear a; [Linear(16, Activation = Act.ReLU), Residual(From = nameof(a))] Linear b;")]
    public void Reads_values_as_the_compiler_converts_them(string fields)
    {
        var text = TestModels.Usings + $$"""
            [Model]
            [Input(16)]
            public partial class Probe
            {
                {{fields}}
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(text);
        var failures = new List<string>();
        var tally = CompareAll(compilation, failures);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(tally.Fields, tally.Literal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ArchDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
