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
/// on the 200-model workload's generated files, whole and with the JSON constants emptied, so the share of each part
/// is read off directly. Medians of the last half of the rounds.
/// </summary>
public static class GeneratedTextCost
{
    private static readonly Regex JsonConstant = new("public const string ArchitectureJson = \"(?:[^\"\\\\]|\\\\.)*\";", RegexOptions.CultureInvariant);

    public static int Run(int rounds)
    {
        rounds = Math.Max(rounds, 2);
        var work = new GeneratorWorkload(200);
        var files = work.GeneratedTrees.Select(t => t.GetText().ToString()).ToList();
        var withoutJson = files.Select(f => JsonConstant.Replace(f, "public const string ArchitectureJson = \"\";")).ToList();
        // As csc parses without /doc (the SDK's default): documentation comments are plain comments.
        var options = GeneratorWorkload.ParseOptions.WithDocumentationMode(DocumentationMode.None);
        Console.WriteLine($"{files.Count} generated files, serial, {rounds} rounds (medians of the last {rounds - rounds / 2}):");
        var raw = files.Select(f => JsonConstant.Replace(f, m => "public const string ArchitectureJson = \"\"\"" + m.Value.Substring(40, m.Value.Length - 42).Replace("\\\"", "\"") + "\"\"\";")).ToList();
        var nodefault = raw.Select(f => f.Replace(",\"count\":1}", "}").Replace(",\"parameters\":0,\"macs\":0,", ",")).ToList();
        var nodoc = files.Select(f => string.Join("\n", f.Split('\n').Where(l => !l.TrimStart().StartsWith("///", StringComparison.Ordinal)))).ToList();
        Console.WriteLine(raw[3].Substring(raw[3].IndexOf("ArchitectureJson =", StringComparison.Ordinal), 300));
        foreach (var (name, set) in new[] { ("as generated", files), ("JSON constants emptied", withoutJson), ("raw", raw), ("raw nodefault", nodefault), ("nodoc", nodoc) })
        {
            var parse = new List<double>();
            var embed = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                var texts = set.Select(s => SourceText.From(s, Encoding.UTF8)).ToList();
                var clock = Stopwatch.StartNew();
                foreach (var t in texts) CSharpSyntaxTree.ParseText(t, options, "g.cs").GetRoot();
                parse.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                foreach (var t in texts) EmbeddedText.FromSource("g.cs", t);
                embed.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-24} {set.Sum(s => (long)s.Length) / 1024,6} KiB: parse {Paired.Median(parse.Skip(rounds / 2)),6:F1} ms, embed {Paired.Median(embed.Skip(rounds / 2)),6:F1} ms"));
        }
        return 0;
    }
}
