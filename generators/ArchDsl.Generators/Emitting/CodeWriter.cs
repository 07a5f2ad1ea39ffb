using System;
using System.Text;

namespace ArchDsl.Generators.Emitting;

/// <summary>
/// A small indented writer: generated code is built line by line, '\n' endings on every platform. Its builder is
/// reused by the next writer on the same thread (a run writes hundreds of files one after another), so writing a
/// file allocates little beyond the finished string.
/// </summary>
internal sealed class CodeWriter
{
    [ThreadStatic] private static StringBuilder? _spare;
    private const int MaxKeptCapacity = 256 * 1024;

    private readonly StringBuilder _sb;
    private int _indent;
    private string? _text;

    public CodeWriter()
    {
        _sb = _spare ?? new StringBuilder(16 * 1024);
        _spare = null;
        _sb.Clear();
    }

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    /// <summary>One line whose middle is written by <paramref name="body"/> straight into the file (a model's JSON literal).</summary>
    public CodeWriter Line(string head, Action<StringBuilder> body, string tail)
    {
        _sb.Append(' ', _indent * 4).Append(head);
        body(_sb);
        _sb.Append(tail).Append('\n');
        return this;
    }

    public CodeWriter Open(string text)
    {
        Line(text);
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public CodeWriter Indent() { _indent++; return this; }
    public CodeWriter Dedent() { _indent--; return this; }

    /// <summary>The finished text. The first call hands the builder on to the next writer on this thread: a writer
    /// is finished once its text is taken, and later calls return the same text.</summary>
    public override string ToString()
    {
        if (_text != null) return _text;
        _text = _sb.ToString();
        if (_sb.Capacity <= MaxKeptCapacity) _spare = _sb;
        return _text;
    }
}
