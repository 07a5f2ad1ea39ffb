using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Threading;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Evaluation;
using ArchDsl.Generators.Reading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ArchDsl.Cli.Export;

/// <summary>A model's plan with the plans of the blocks it reaches, evaluated as the generator evaluates them.</summary>
internal sealed record ExportedModel(ModelPlan Plan, IReadOnlyList<BlockPlan> Blocks);

/// <summary>
/// Reads the declarations behind a compiled assembly and evaluates them with the core, exactly as the generator does.
/// The declaration attributes are [Conditional] and so absent from the assembly's metadata; the assembly's portable PDB
/// names the source files it was compiled from, and those are compiled here again (against the assembly's own
/// references) only to be read by the generator's <see cref="DeclarationReader"/>.
/// </summary>
internal static class PlanReader
{
    public static List<ExportedModel> Read(string assemblyPath)
    {
        var sources = SourceFiles(assemblyPath);
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), parse, p)).ToList();
        var compilation = CSharpCompilation.Create(
            Path.GetFileNameWithoutExtension(assemblyPath) + ".ArchDslExport",
            trees,
            References(assemblyPath),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var result = new List<ExportedModel>();
        foreach (var type in Types(compilation.Assembly.GlobalNamespace)
                     .Where(t => t.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DeclarationReader.ModelAttribute))
                     .OrderBy(t => DeclarationReader.NameOf(t), StringComparer.Ordinal))
        {
            var (root, blocks) = DeclarationReader.ReadWithBlocks(type, CancellationToken.None, compilation);
            var plan = Evaluator.EvaluateModel(root, blocks);
            if (plan.HasErrors)
            {
                var first = plan.Findings.FirstOrDefault(f => f.Rule.Severity == Core.Diagnostics.Severity.Error);
                throw new CliException($"{root.Name} has ArchDsl errors in its sources ({first?.Id}: {first?.Message}); build the project to see them");
            }
            var blockPlans = new List<BlockPlan>();
            foreach (var b in blocks)
            {
                var bp = Evaluator.EvaluateBlock(b, blocks);
                if (bp.HasErrors) throw new CliException($"block {b.Name} used by {root.Name} has ArchDsl errors in its sources; build the project to see them");
                blockPlans.Add(bp);
            }
            result.Add(new ExportedModel(plan, blockPlans));
        }
        return result;
    }

    /// <summary>The C# files the PDB lists that exist on disk, less this generator's own output (emitted or not).</summary>
    static List<string> SourceFiles(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) throw new CliException($"'{assemblyPath}' is not a .NET assembly");
        if (!pe.TryOpenAssociatedPortablePdb(assemblyPath, p => File.Exists(p) ? File.OpenRead(p) : null, out var provider, out _) || provider is null)
            throw new CliException($"'{assemblyPath}' has no portable PDB beside it or embedded (the declarations are read from the sources it names; build with <DebugType>portable</DebugType>)");
        using (provider)
        {
            var pdb = provider.GetMetadataReader();
            var files = new List<string>();
            foreach (var h in pdb.Documents)
            {
                string name = pdb.GetString(pdb.GetDocument(h).Name);
                if (!name.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) || DeclarationReader.IsGenerated(CSharpSyntaxTree.ParseText("", path: name))) continue;
                if (File.Exists(name)) files.Add(name);
            }
            if (files.Count == 0)
                throw new CliException($"none of the source files named in the PDB of '{assemblyPath}' exist on this machine (the declarations are read from them)");
            files.Sort(StringComparer.Ordinal);
            return files;
        }
    }

    /// <summary>
    /// The framework's reference assemblies, those beside the user's (project references), and the packages its
    /// deps.json names (TorchSharp and ArchDsl from a package stay in the NuGet cache, not in bin).
    /// </summary>
    static List<MetadataReference> References(string assemblyPath)
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string self = Path.GetFullPath(assemblyPath);
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "";
        foreach (var dll in Directory.EnumerateFiles(framework, "*.dll"))
            if (IsManaged(dll)) byName[Path.GetFileNameWithoutExtension(dll)] = dll;
        string dir = Path.GetDirectoryName(self) ?? ".";
        void Add(string dll)
        {
            string name = Path.GetFileNameWithoutExtension(dll);
            if (string.Equals(Path.GetFullPath(dll), self, StringComparison.Ordinal) || byName.ContainsKey(name) || !File.Exists(dll) || !IsManaged(dll)) return;
            byName[name] = dll;
        }
        foreach (var dll in Directory.EnumerateFiles(dir, "*.dll").OrderBy(p => p, StringComparer.Ordinal)) Add(dll);
        foreach (var dll in PackageAssemblies(self)) Add(dll);
        return byName.Values.OrderBy(p => p, StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    /// <summary>The runtime assemblies of the packages in the assembly's deps.json, found in the NuGet package folders.</summary>
    static IEnumerable<string> PackageAssemblies(string assemblyPath)
    {
        string deps = Path.ChangeExtension(assemblyPath, ".deps.json");
        if (!File.Exists(deps)) yield break;
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env) roots.Add(env);
        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(deps));
        var root = doc.RootElement;
        if (!root.TryGetProperty("targets", out var targets) || !root.TryGetProperty("libraries", out var libraries)) yield break;
        foreach (var target in targets.EnumerateObject())
            foreach (var lib in target.Value.EnumerateObject())
            {
                if (!lib.Value.TryGetProperty("runtime", out var runtime) || !libraries.TryGetProperty(lib.Name, out var info)) continue;
                if (!info.TryGetProperty("type", out var type) || type.GetString() != "package" || !info.TryGetProperty("path", out var path)) continue;
                foreach (var file in runtime.EnumerateObject())
                    foreach (var r in roots)
                    {
                        string candidate = Path.Combine(r, path.GetString() ?? "", file.Name);
                        if (File.Exists(candidate)) { yield return candidate; break; }
                    }
            }
    }

    static bool IsManaged(string path)
    {
        try
        {
            using var s = File.OpenRead(path);
            using var pe = new PEReader(s);
            return pe.HasMetadata && pe.GetMetadataReader().IsAssembly;
        }
        catch (BadImageFormatException) { return false; }
    }

    static IEnumerable<INamedTypeSymbol> Types(INamespaceSymbol ns)
    {
        foreach (var t in ns.GetTypeMembers()) yield return t;
        foreach (var child in ns.GetNamespaceMembers())
            foreach (var t in Types(child)) yield return t;
    }
}
