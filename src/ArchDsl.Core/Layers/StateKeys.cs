using System.Globalization;

namespace ArchDsl.Core.Layers;

/// <summary>
/// A name with an index placeholder: "{i}" or "{i+K}" ("encoder_layer_{i}", "denselayer{i+1}", "features.{i+2}"). The
/// text around it is kept as written.
/// </summary>
public sealed record IndexPattern(string Prefix, long Offset, string Suffix)
{
    /// <summary>Parses a pattern with exactly one placeholder; null when there is none, or it is malformed.</summary>
    public static IndexPattern? Parse(string text)
    {
        int open = text.IndexOf("{i", System.StringComparison.Ordinal);
        if (open < 0) return null;
        int close = text.IndexOf('}', open);
        if (close < 0 || text.IndexOf("{i", close, System.StringComparison.Ordinal) >= 0) return null;
        string inner = text.Substring(open + 2, close - open - 2);
        long offset = 0;
        if (inner.Length > 0 && (inner[0] != '+' || !long.TryParse(inner.Substring(1), NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
            return null;
        var prefix = text.Substring(0, open);
        var suffix = text.Substring(close + 1);
        if (prefix.IndexOfAny(new[] { '{', '}' }) >= 0 || suffix.IndexOfAny(new[] { '{', '}' }) >= 0) return null;
        return new IndexPattern(prefix, offset, suffix);
    }

    public string Format(long index) => Prefix + (index + Offset).ToString(CultureInfo.InvariantCulture) + Suffix;
}

/// <summary>State-dict paths ("features.1.conv.0"): what names PyTorch allows in them.</summary>
public static class StateKeys
{
    /// <summary>Each dot-separated part is non-empty and made of letters, digits, '_' and '-'.</summary>
    public static bool IsValidPath(string path)
    {
        if (path.Length == 0) return false;
        foreach (var part in path.Split('.'))
        {
            if (part.Length == 0) return false;
            foreach (var c in part)
                if (!(char.IsLetterOrDigit(c) && c < 128 || c == '_' || c == '-')) return false;
        }
        return true;
    }
}
