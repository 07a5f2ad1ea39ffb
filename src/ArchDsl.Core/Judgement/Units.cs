using System;
using System.Globalization;

namespace ArchDsl.Core.Judgement;

/// <summary>
/// Human units for thresholds and budgets: counts and rates ("100M", "1.5G", "1e25", "989T"),
/// sizes in bytes ("80GiB", "40GB", "512MiB") and fractions ("40%", "0.4"). Invariant culture throughout.
/// </summary>
public static class Units
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Splits "1.5 G" into 1.5 and "G". Underscores between digits are allowed ("100_000_000").</summary>
    private static bool Split(string? text, out double number, out string suffix)
    {
        number = 0;
        suffix = "";
        if (text is null) return false;
        var t = text.Trim().Replace("_", "");
        if (t.Length == 0) return false;
        int i = 0;
        while (i < t.Length && (char.IsDigit(t[i]) || t[i] == '.')) i++;
        // An exponent: e or E followed by a digit or a sign and a digit.
        if (i > 0 && i < t.Length && (t[i] == 'e' || t[i] == 'E'))
        {
            int j = i + 1;
            if (j < t.Length && (t[j] == '+' || t[j] == '-')) j++;
            if (j < t.Length && char.IsDigit(t[j]))
            {
                while (j < t.Length && char.IsDigit(t[j])) j++;
                i = j;
            }
        }
        if (i == 0) return false;
        if (!double.TryParse(t.Substring(0, i), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, Inv, out number)) return false;
        suffix = t.Substring(i).Trim();
        return !double.IsNaN(number) && !double.IsInfinity(number);
    }

    /// <summary>A positive count or rate: plain, scientific, or with k/K, M, G, T, P (powers of 1000).</summary>
    public static bool TryParseNumber(string? text, out double value)
    {
        value = 0;
        if (!Split(text, out var n, out var suffix)) return false;
        double scale;
        // Upper-case prefixes only (k for kilo too): "m" could mean milli, and "E" would read as an exponent.
        switch (suffix)
        {
            case "": scale = 1; break;
            case "k": case "K": scale = 1e3; break;
            case "M": scale = 1e6; break;
            case "G": scale = 1e9; break;
            case "T": scale = 1e12; break;
            case "P": scale = 1e15; break;
            default: return false;
        }
        value = n * scale;
        return value > 0 && !double.IsInfinity(value);
    }

    /// <summary>A positive size in bytes: B, KB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024).</summary>
    public static bool TryParseBytes(string? text, out double value)
    {
        value = 0;
        if (!Split(text, out var n, out var suffix)) return false;
        double scale;
        switch (suffix.ToUpperInvariant())
        {
            case "": case "B": scale = 1; break;
            case "KB": scale = 1e3; break;
            case "MB": scale = 1e6; break;
            case "GB": scale = 1e9; break;
            case "TB": scale = 1e12; break;
            case "KIB": scale = 1024.0; break;
            case "MIB": scale = 1024.0 * 1024; break;
            case "GIB": scale = 1024.0 * 1024 * 1024; break;
            case "TIB": scale = 1024.0 * 1024 * 1024 * 1024; break;
            default: return false;
        }
        value = n * scale;
        return value > 0 && !double.IsInfinity(value);
    }

    /// <summary>A fraction in (0, 1]: "0.4" or "40%".</summary>
    public static bool TryParseFraction(string? text, out double value)
    {
        value = 0;
        if (!Split(text, out var n, out var suffix)) return false;
        if (suffix == "%") n /= 100;
        else if (suffix.Length != 0) return false;
        value = n;
        return n > 0 && n <= 1;
    }

    /// <summary>"304.3 M", "61.6 G", "7.83e+20" style: three significant digits with an SI prefix up to P.</summary>
    public static string Count(double v)
    {
        string[] prefixes = { "", " K", " M", " G", " T", " P" };
        double a = Math.Abs(v);
        int p = 0;
        // Compare the value as it will print (999,999 prints as 1 M, not 1000 K).
        while (p < prefixes.Length - 1 && Math.Round(a, a >= 100 ? 2 : 3) >= 1000)
        {
            a /= 1000;
            v /= 1000;
            p++;
        }
        if (a >= 1000) return Scientific(v * Math.Pow(1000, p));
        return Sig3(v) + prefixes[p];
    }

    /// <summary>Scientific notation with three significant digits: "7.83e20".</summary>
    public static string Scientific(double v)
    {
        if (v == 0) return "0";
        int e = (int)Math.Floor(Math.Log10(Math.Abs(v)));
        double m = v / Math.Pow(10, e);
        if (Math.Abs(Math.Round(m, 2)) >= 10) { m /= 10; e++; }
        return m.ToString("0.##", Inv) + "e" + e.ToString(Inv);
    }

    /// <summary>Bytes in binary units: "4.53 GiB".</summary>
    public static string Bytes(double v)
    {
        string[] units = { " B", " KiB", " MiB", " GiB", " TiB", " PiB" };
        int u = 0;
        while (u < units.Length - 1 && Math.Round(Math.Abs(v), 2) >= 1024)
        {
            v /= 1024;
            u++;
        }
        return Sig3(v) + units[u];
    }

    /// <summary>A fraction as a percentage: "40%".</summary>
    public static string Percent(double f) => (f * 100).ToString("0.#", Inv) + "%";

    /// <summary>Days with sensible precision: "12.3", "0.42", "4,567".</summary>
    public static string Days(double d) =>
        d >= 1000 ? d.ToString("N0", Inv) : d >= 10 ? d.ToString("0.#", Inv) : d.ToString("0.##", Inv);

    private static string Sig3(double v)
    {
        double a = Math.Abs(v);
        string format = a >= 100 ? "0.##" : "0.###";
        return v.ToString(format, Inv);
    }
}
