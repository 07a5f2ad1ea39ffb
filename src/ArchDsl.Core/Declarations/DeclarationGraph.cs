using System;
using System.Collections.Generic;

namespace ArchDsl.Core.Declarations;

/// <summary>Which block declarations a model or block reaches through typeof(...) arguments (Stage, Use).</summary>
public static class DeclarationGraph
{
    public static EquatableArray<ModuleDecl> Reachable(ModuleDecl root, IReadOnlyList<ModuleDecl> blocks)
    {
        var byName = new Dictionary<string, ModuleDecl>(StringComparer.Ordinal);
        foreach (var b in blocks)
            if (!byName.ContainsKey(b.FullName)) byName.Add(b.FullName, b);
        var result = new List<ModuleDecl>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { root.FullName };
        var queue = new Queue<ModuleDecl>();
        queue.Enqueue(root);
        while (queue.Count > 0)
        {
            foreach (var member in queue.Dequeue().Members)
                foreach (var attr in member.Attributes)
                    foreach (var arg in attr.Positional)
                        if (arg is { Kind: ArgKind.Type, Text: { } name } && seen.Add(name) && byName.TryGetValue(name, out var block))
                        {
                            result.Add(block);
                            queue.Enqueue(block);
                        }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
        return new EquatableArray<ModuleDecl>(result.ToArray());
    }
}
