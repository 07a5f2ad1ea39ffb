using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace ArchDsl.Benchmarks;

/// <summary>
/// What the generated text itself costs a build that gets it from a generator, per part of the text: csc parses
/// generated files one after another (checked-in files are parsed in parallel) and compresses every generated file
/// into the embedded-source data (<c>EmbeddedText.FromSource</c>, also one after another, PDB or not). Times the two
/// on the 200-model workload's generated files as generated, with the JSON constant escaped (what C# 10 gets), emptied,
/// and without documentation comments, so the share of each part is read off directly. Variants interleaved; medians
/// of the last half of the rounds.
/// </summary>
public static class GeneratedTextCost
{
    // The JSON constant as the workload's generator writes it (C# 11 and later): a raw literal on one line.
    private static readonly Regex JsonConstant = new("public const string ArchitectureJson = \"\"\"(.*)\"\"\";", RegexOptions.CultureInvariant);

    public static int Run(int rounds)
    {
        rounds = Math.Max(rounds, 2);
        var work = new GeneratorWorkload(200);
        var files = work.GeneratedTrees.Select(t => t.GetText().ToString()).ToList();
        if (!files.Any(f => JsonConstant.IsMatch(f))) throw new InvalidOperationException("no raw JSON constant found in the generated files");
        var withoutJson = files.Select(f => JsonConstant.Replace(f, "public const string ArchitectureJson = \"\";")).ToList();
        // What C# 10 gets: the same JSON in an escaped literal.
        var escaped = files.Select(f => JsonConstant.Replace(f, m => "public const string ArchitectureJson = " + ArchDsl.Core.Reporting.Report.Quote(m.Groups[1].Value) + ";")).ToList();
        var withoutDocs = files.Select(f => string.Join("\n", f.Split('\n').Where(l => !l.TrimStart().StartsWith("///", StringComparison.Ordinal)))).ToList();
        // As csc parses without /doc (the SDK's default): documentation comments are plain comments.
        var options = GeneratorWorkload.ParseOptions.WithDocumentationMode(DocumentationMode.None);
        Console.WriteLine($"{files.Count} generated files, serial, {rounds} rounds (medians of the last {rounds - rounds / 2}):");
        var variants = new[]
        {
            ("as generated", files), ("JSON escaped (C# 10)", escaped), ("JSON constants emptied", withoutJson),
            ("without /// comments", withoutDocs),
        };
        var parse = variants.Select(_ => new List<double>()).ToArray();
        var embed = variants.Select(_ => new List<double>()).ToArray();
        // Variants interleaved round by round, so drift in the machine's load reaches all of them alike.
        for (int r = 0; r < rounds; r++)
            for (int v = 0; v < variants.Length; v++)
            {
                var texts = variants[v].Item2.Select(s => SourceText.From(s, Encoding.UTF8)).ToList();
                var clock = Stopwatch.StartNew();
                foreach (var t in texts) CSharpSyntaxTree.ParseText(t, options, "g.cs").GetRoot();
                parse[v].Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                foreach (var t in texts) EmbeddedText.FromSource("g.cs", t);
                embed[v].Add(clock.Elapsed.TotalMilliseconds);
            }
        for (int v = 0; v < variants.Length; v++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {variants[v].Item1,-24} {variants[v].Item2.Sum(s => (long)s.Length) / 1024,6} KiB: parse {Paired.Median(parse[v].Skip(rounds / 2)),6:F1} ms, embed {Paired.Median(embed[v].Skip(rounds / 2)),6:F1} ms"));
        return 0;
    }
}
