using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace ArchDsl.Tools.Tests.Editor;

/// <summary>
/// A small Language Server Protocol client over a server's stdin and stdout: Content-Length framing, JSON-RPC ids,
/// a timeout on every request (the failure names the method and the server's last words), answers to the server's
/// own requests (workspace/configuration from <see cref="Settings"/>), and the server killed on dispose.
/// </summary>
internal sealed class LspClient : IDisposable
{
    private readonly Process _process;
    private readonly Stream _in;
    private readonly Stream _out;
    private readonly object _writeLock = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly Queue<string> _log = new();
    private int _nextId;
    private volatile string? _closed;

    /// <summary>The answer to workspace/configuration, by section ("csharp").</summary>
    public Dictionary<string, JsonNode> Settings { get; } = new();

    /// <summary>publishDiagnostics as last pushed, by document URI (a server that pushes).</summary>
    public ConcurrentDictionary<string, JsonArray> Pushed { get; } = new();

    /// <summary>Methods of the requests the server sent us, in order (client/registerCapability, ...).</summary>
    public ConcurrentQueue<string> ServerRequests { get; } = new();

    private LspClient(Process process)
    {
        _process = process;
        _in = process.StandardInput.BaseStream;
        _out = process.StandardOutput.BaseStream;
        new Thread(ReadLoop) { IsBackground = true, Name = "lsp-read" }.Start();
        new Thread(() =>
        {
            // Ends when the server does; after a kill the stream may throw instead of ending.
            try
            {
                string? line;
                while ((line = process.StandardError.ReadLine()) != null) Log("stderr: " + line);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { }
        }) { IsBackground = true, Name = "lsp-stderr" }.Start();
    }

    /// <summary>Starts <c>dotnet &lt;args&gt;</c> in a folder, with the test host's MSBuild variables removed so the server
    /// finds the SDK on its own.</summary>
    public static LspClient Start(string workingDir, IEnumerable<string> dotnetArgs, params (string Key, string Value)[] env)
    {
        var psi = new ProcessStartInfo(Tooling.Dotnet)
        {
            WorkingDirectory = workingDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in dotnetArgs) psi.ArgumentList.Add(a);
        foreach (var k in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            psi.Environment.Remove(k);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        return new LspClient(Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet " + string.Join(' ', dotnetArgs)));
    }

    /// <summary>The server's last lines (stderr and window/logMessage), for failure messages.</summary>
    public string RecentLog
    {
        get { lock (_log) return string.Join("\n", _log); }
    }

    private void Log(string line)
    {
        lock (_log)
        {
            _log.Enqueue(line);
            while (_log.Count > 60) _log.Dequeue();
        }
    }

    public async Task<JsonNode?> Request(string method, JsonNode? parameters, TimeSpan timeout)
    {
        int id = Interlocked.Increment(ref _nextId);
        var done = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = done;
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        var first = await Task.WhenAny(done.Task, Task.Delay(timeout));
        _pending.TryRemove(id, out _);
        if (first != done.Task)
            throw new TimeoutException($"LSP request {method} (id {id}) got no answer in {timeout.TotalSeconds:0} s" +
                (_closed is { } c ? "; the server closed its output: " + c : "") + "\nServer log:\n" + RecentLog);
        return await done.Task;
    }

    public void Notify(string method, JsonNode? parameters) =>
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    private void Send(JsonNode message)
    {
        if (_closed is { } c) throw new InvalidOperationException("the language server has gone: " + c + "\nServer log:\n" + RecentLog);
        byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
        byte[] header = Encoding.ASCII.GetBytes("Content-Length: " + body.Length + "\r\n\r\n");
        lock (_writeLock)
        {
            _in.Write(header);
            _in.Write(body);
            _in.Flush();
        }
    }

    private void ReadLoop()
    {
        try
        {
            while (ReadMessage() is { } message) Dispatch(message);
            _closed = "end of stream";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            _closed = e.GetType().Name + ": " + e.Message;
        }
        foreach (var p in _pending.Values)
            p.TrySetException(new InvalidOperationException("the language server has gone: " + _closed + "\nServer log:\n" + RecentLog));
    }

    /// <summary>One framed message: headers up to an empty line, then Content-Length bytes of UTF-8 JSON.</summary>
    private JsonNode? ReadMessage()
    {
        int length = -1;
        while (true)
        {
            string? line = ReadHeaderLine();
            if (line is null) return null;
            if (line.Length == 0) break;
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                length = int.Parse(line[(colon + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        if (length < 0) throw new FormatException("a message without Content-Length");
        var body = new byte[length];
        _out.ReadExactly(body);
        return JsonNode.Parse(body);
    }

    private string? ReadHeaderLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = _out.ReadByte();
            if (b < 0) return bytes.Count == 0 ? null : throw new IOException("stream ended inside a header");
            if (b == '\n')
            {
                if (bytes.Count > 0 && bytes[^1] == '\r') bytes.RemoveAt(bytes.Count - 1);
                return Encoding.ASCII.GetString(bytes.ToArray());
            }
            bytes.Add((byte)b);
        }
    }

    private void Dispatch(JsonNode message)
    {
        var method = (string?)message["method"];
        var id = message["id"];
        if (method != null && id != null)
        {
            // A request from the server: answer it, or the server waits.
            ServerRequests.Enqueue(method);
            JsonNode? result = null;
            if (method == "workspace/configuration")
            {
                var answers = new JsonArray();
                foreach (var item in message["params"]?["items"]?.AsArray() ?? new JsonArray())
                {
                    var section = (string?)item?["section"] ?? "";
                    answers.Add(Settings.TryGetValue(section, out var s) ? s.DeepClone() : null);
                }
                result = answers;
            }
            Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = result });
        }
        else if (method != null)
        {
            if (method == "textDocument/publishDiagnostics" && message["params"] is { } p)
                Pushed[(string)p["uri"]!] = p["diagnostics"]!.AsArray();
            else if (method is "window/logMessage" or "window/showMessage")
                Log("log: " + (string?)message["params"]?["message"]);
        }
        else if (id != null && _pending.TryGetValue((int)id, out var waiting))
        {
            if (message["error"] is { } error)
                waiting.TrySetException(new InvalidOperationException("LSP error " + error.ToJsonString()));
            else
                waiting.TrySetResult(message["result"]);
        }
    }

    /// <summary>Ends the server and everything it started (`dotnet tool run` starts the tool as a child, which may
    /// start build hosts): the whole tree, at once, so that nothing outlives the test.</summary>
    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
