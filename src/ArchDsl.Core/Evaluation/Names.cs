using System;
using System.Collections.Generic;

namespace ArchDsl.Core.Evaluation;

/// <summary>Names a user probably meant: for "did you mean" in findings.</summary>
internal static class Names
{
    /// <summary>The candidate one or two edits away from <paramref name="name"/> (one for short names), nearest first
    /// then in ordinal order; null when none is that close, or the name is itself a candidate.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        int limit = name.Length <= 4 ? 1 : 2;
        foreach (var c in candidates)
        {
            if (c == name) return null;
            int d = Distance(name, c);
            if (d <= limit && (d < bestDistance || d == bestDistance && string.CompareOrdinal(c, best) < 0))
            {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
