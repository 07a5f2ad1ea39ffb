using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace ArchDsl.Tools.Tests.Editor;

/// <summary>
/// The package in a real editor: csharp-ls 0.28.0 (the repository's tool manifest, dotnet-tools.json), started over
/// stdio with analyzers on, on a new project that references the packed package. Through the Language Server Protocol
/// the findings appear on their ranges, follow an edit without a restart, and hovers show the counts.
/// </summary>
[Collection(Consumer.PackCollection)]
public class EditorTests(ITestOutputHelper log)
{
    // By hand. Wide: 64 → 10,000 → 10,000: (64·10,000 + 10,000) + (10,000·10,000 + 10,000) = 100,660,000 > 100 M (ADSL1001).
    // After the edit fc2 is Linear(10): 650,000 + (10,000·10 + 10) = 750,010.
    // Grouped: 3 input channels are not divisible by Groups = 4 (ADSL0006); with Groups = 1: 16·3·3·3 + 16 = 448.
    const string Source = """
        using System;
        using ArchDsl;
        using TorchSharp.Modules;

        namespace Consumer;

        [Model, Input(64)]
        public partial class Wide
        {
            [Linear(10000)] Linear fc1;
            [Linear(10000)] Linear fc2;
        }

        [Model, Input(3, 32, 32)]
        public partial class Grouped
        {
            [Conv2d(16, Kernel = 3, Groups = 4)] Conv2d conv;
        }

        public static class Program
        {
            public static void Main() => Console.WriteLine(Wide.ParameterCount);
        }
        """;

    static readonly TimeSpan FirstAnalysis = TimeSpan.FromMinutes(4);
    static readonly TimeSpan AfterEdit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Csharp_ls_shows_the_findings_follows_an_edit_and_hovers_the_counts()
    {
        var clock = Stopwatch.StartNew();
        using var work = Tooling.NewTempDir("archdsl-editor");
        string packages = Path.Combine(work, "packages");
        string consumer = Consumer.Create(work, Source, packages);
        log.WriteLine($"packed and wrote the consumer: {clock.Elapsed.TotalSeconds:F1} s");

        var restore = Tooling.Run(consumer, TimeSpan.FromMinutes(4), new[] { "restore", "-nologo" }, ("NUGET_PACKAGES", packages));
        Assert.True(restore.ExitCode == 0, "restoring the consumer failed:\n" + restore.All);
        // The language server comes from the repository's tool manifest, restored into the NuGet cache like any package.
        var tool = Tooling.Run(Tooling.Root, TimeSpan.FromMinutes(3), new[] { "tool", "restore" });
        Assert.True(tool.ExitCode == 0, "dotnet tool restore (dotnet-tools.json: csharp-ls) failed:\n" + tool.All);
        log.WriteLine($"restored: {clock.Elapsed.TotalSeconds:F1} s");

        using var server = LspClient.Start(Tooling.Root, new[] { "tool", "run", "csharp-ls", "--", "--loglevel", "info" }, ("NUGET_PACKAGES", packages));
        // Analyzers off at first (csharp-ls's default), to show that the findings come through the analyzer path.
        server.Settings["csharp"] = new JsonObject { ["analyzersEnabled"] = false };
        string root = new Uri(consumer + "/").AbsoluteUri.TrimEnd('/');
        string uri = new Uri(Path.Combine(consumer, "Program.cs")).AbsoluteUri;

        var init = await server.Request("initialize", new JsonObject
        {
            ["processId"] = Environment.ProcessId,
            ["rootUri"] = root,
            ["workspaceFolders"] = new JsonArray(new JsonObject { ["uri"] = root, ["name"] = "consumer" }),
            ["capabilities"] = new JsonObject
            {
                ["workspace"] = new JsonObject { ["configuration"] = true },
                ["textDocument"] = new JsonObject
                {
                    ["diagnostic"] = new JsonObject { ["dynamicRegistration"] = true },
                    ["publishDiagnostics"] = new JsonObject(),
                    ["hover"] = new JsonObject { ["contentFormat"] = new JsonArray("markdown", "plaintext") },
                    ["synchronization"] = new JsonObject { ["dynamicRegistration"] = true },
                },
            },
        }, TimeSpan.FromMinutes(1));
        Assert.True(init?["capabilities"]?["hoverProvider"] is not null, "csharp-ls answered initialize without hover: " + init?.ToJsonString());
        server.Notify("initialized", new JsonObject());
        server.Notify("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["languageId"] = "csharp", ["version"] = 1, ["text"] = Source },
        });

        // The project is loaded and the generator has run once hovering ParameterCount (a generated constant) shows it.
        var modelHover = Position(Source, "Wide", after: "public partial class ");
        var countHover = Position(Source, "ParameterCount");
        string hoverCount = await HoverUntil(server, uri, countHover, FirstAnalysis, "100,660,000");
        log.WriteLine($"project loaded, generator run: {clock.Elapsed.TotalSeconds:F1} s");
        var off = await Diagnostics(server, uri, FirstAnalysis, d => true);
        Transcript("diagnostics with csharp.analyzersEnabled = false", off);
        Assert.DoesNotContain(off, d => Code(d).StartsWith("ADSL", StringComparison.Ordinal));

        server.Settings["csharp"] = new JsonObject { ["analyzersEnabled"] = true };
        server.Notify("workspace/didChangeConfiguration", new JsonObject { ["settings"] = new JsonObject { ["csharp"] = server.Settings["csharp"].DeepClone() } });

        // Before the edit: the large-model warning on the class name, the groups error on the Groups argument.
        var before = await Diagnostics(server, uri, FirstAnalysis, d => Has(d, "ADSL1001") && Has(d, "ADSL0006"));
        log.WriteLine($"first diagnostics with analyzers on: {clock.Elapsed.TotalSeconds:F1} s");
        Transcript("diagnostics before the edit", before);
        AssertOnce(before, "ADSL1001", Range(Source, "Wide", after: "public partial class "), "100,660,000 trainable parameters");
        AssertOnce(before, "ADSL0006", Range(Source, "Groups = 4"), "Groups = 4");
        string hoverModel = await Hover(server, uri, modelHover);
        log.WriteLine("hover over the model: " + hoverModel);
        log.WriteLine("hover over ParameterCount: " + hoverCount);
        Assert.Contains("100,660,000 trainable parameters", hoverModel);
        Assert.Contains("100,660,000", hoverCount);

        // The edit: fc2 becomes Linear(10) and Groups becomes 1; same lines, so the positions above still hold.
        string edited = Source.Replace("[Linear(10000)] Linear fc2;", "[Linear(10)] Linear fc2;").Replace("Groups = 4", "Groups = 1");
        var edit = Stopwatch.StartNew();
        server.Notify("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = 2 },
            ["contentChanges"] = new JsonArray(new JsonObject { ["text"] = edited }),
        });
        var after = await Diagnostics(server, uri, AfterEdit, d => !Has(d, "ADSL1001") && !Has(d, "ADSL0006") && Has(d, "ADSL1000"));
        log.WriteLine($"diagnostics after the edit: {edit.Elapsed.TotalSeconds:F2} s after didChange");
        Transcript("diagnostics after the edit", after);
        // The counts at a glance (ADSL1000, info) now give the new figures.
        Assert.Contains(after, d => Code(d) == "ADSL1000" && ((string?)d["message"] ?? "").Contains("Model 'Wide': 750,010 parameters"));
        Assert.Contains(after, d => Code(d) == "ADSL1000" && ((string?)d["message"] ?? "").Contains("Model 'Grouped': 448 parameters"));
        hoverModel = await Hover(server, uri, modelHover);
        hoverCount = await Hover(server, uri, countHover);
        log.WriteLine("hover over the model after the edit: " + hoverModel);
        log.WriteLine("hover over ParameterCount after the edit: " + hoverCount);
        Assert.Contains("750,010 trainable parameters", hoverModel);
        Assert.Contains("750,010", hoverCount);

        // A second edit brings a different error back: 3 channels, Groups = 5.
        string broken = edited.Replace("Groups = 1", "Groups = 5");
        server.Notify("textDocument/didChange", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri, ["version"] = 3 },
            ["contentChanges"] = new JsonArray(new JsonObject { ["text"] = broken }),
        });
        var again = await Diagnostics(server, uri, AfterEdit, d => Has(d, "ADSL0006"));
        Transcript("diagnostics after the second edit", again);
        AssertOnce(again, "ADSL0006", Range(broken, "Groups = 5"), "Groups = 5");
        log.WriteLine($"total: {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Pulls textDocument/diagnostic (what csharp-ls 0.28.0 registers; it does not push for open documents)
    /// until the condition holds, or fails with what it last saw.</summary>
    static async Task<List<JsonNode>> Diagnostics(LspClient server, string uri, TimeSpan timeout, Func<List<JsonNode>, bool> ready)
    {
        var clock = Stopwatch.StartNew();
        List<JsonNode> last = new();
        while (true)
        {
            var result = await server.Request("textDocument/diagnostic",
                new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = uri } }, timeout);
            last = (result?["items"]?.AsArray() ?? new JsonArray()).Where(d => d is not null).Select(d => d!).ToList();
            if (server.Pushed.TryGetValue(uri, out var pushed) && pushed.Count > 0 && !ready(last))
                last = pushed.Where(d => d is not null).Select(d => d!.DeepClone()).ToList();
            if (ready(last)) return last;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"after {timeout.TotalSeconds:0} s csharp-ls still shows: {Describe(last)}\nServer log:\n{server.RecentLog}");
            await Task.Delay(500);
        }
    }

    /// <summary>Hovers until the text shows <paramref name="expected"/>: before the project is loaded the server has no answer.</summary>
    static async Task<string> HoverUntil(LspClient server, string uri, (int Line, int Character) at, TimeSpan timeout, string expected)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string text = await Hover(server, uri, at);
            if (text.Contains(expected, StringComparison.Ordinal)) return text;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"after {timeout.TotalSeconds:0} s the hover shows: {text}\nServer log:\n{server.RecentLog}");
            await Task.Delay(500);
        }
    }

    static async Task<string> Hover(LspClient server, string uri, (int Line, int Character) at)
    {
        var result = await server.Request("textDocument/hover", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = uri },
            ["position"] = new JsonObject { ["line"] = at.Line, ["character"] = at.Character },
        }, TimeSpan.FromMinutes(1));
        var contents = result?["contents"];
        return contents switch
        {
            null => "(no hover)",
            JsonObject o => (string?)o["value"] ?? o.ToJsonString(),
            JsonValue v => (string?)v ?? "",
            _ => contents.ToJsonString(),
        };
    }

    static string Code(JsonNode d) => d["code"] is JsonValue v ? v.ToString() : "";
    static bool Has(List<JsonNode> diagnostics, string code) => diagnostics.Any(d => Code(d) == code);

    static void AssertOnce(List<JsonNode> diagnostics, string code, (int L0, int C0, int L1, int C1) range, string inMessage)
    {
        var found = diagnostics.Where(d => Code(d) == code).ToList();
        Assert.True(found.Count == 1, $"{code} should appear once; csharp-ls shows: {Describe(diagnostics)}");
        var r = found[0]["range"]!;
        var actual = ((int)r["start"]!["line"]!, (int)r["start"]!["character"]!, (int)r["end"]!["line"]!, (int)r["end"]!["character"]!);
        Assert.Equal(range, actual);
        Assert.Contains(inMessage, (string?)found[0]["message"] ?? "");
    }

    /// <summary>The range of <paramref name="text"/> (its first occurrence after <paramref name="after"/>) as LSP counts:
    /// zero-based lines and UTF-16 characters.</summary>
    static (int, int, int, int) Range(string source, string text, string after = "")
    {
        var start = Position(source, text, after);
        return (start.Line, start.Character, start.Line, start.Character + text.Length);
    }

    static (int Line, int Character) Position(string source, string text, string after = "")
    {
        source = source.Replace("\r\n", "\n");
        int from = after.Length == 0 ? 0 : source.IndexOf(after, StringComparison.Ordinal) + after.Length;
        int index = source.IndexOf(text, from, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{text}' is not in the source");
        int line = source[..index].Count(c => c == '\n');
        return (line, index - (source.LastIndexOf('\n', index) + 1));
    }

    static string Describe(List<JsonNode> diagnostics) => diagnostics.Count == 0 ? "(nothing)" :
        string.Join("; ", diagnostics.Select(d => $"{Code(d)} {Where(d)} {(string?)d["message"]}"));

    static string Where(JsonNode d)
    {
        var r = d["range"];
        return r is null ? "?" : $"{(int)r["start"]!["line"]! + 1}:{(int)r["start"]!["character"]! + 1}-{(int)r["end"]!["line"]! + 1}:{(int)r["end"]!["character"]! + 1}";
    }

    void Transcript(string title, List<JsonNode> diagnostics)
    {
        log.WriteLine(title + ":" + (diagnostics.Count == 0 ? " (none)" : ""));
        foreach (var d in diagnostics.OrderBy(d => Code(d)))
            log.WriteLine($"  {Code(d)} at {Where(d)} (severity {(int?)d["severity"]}): {(string?)d["message"]}");
    }
}
