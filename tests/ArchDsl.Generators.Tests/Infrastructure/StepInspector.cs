using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace ArchDsl.Generators.Tests.Infrastructure;

/// <summary>Reads the tracked incremental steps of a run and checks what they keep.</summary>
public static class StepInspector
{
    public static readonly string[] TrackedSteps =
    {
        ArchDslGenerator.ReadModelStep, ArchDslGenerator.ReadBlockStep, ArchDslGenerator.EmitModelStep, ArchDslGenerator.EmitBlockStep,
        ArchDslGenerator.FileOptionsStep, ArchDslGenerator.ModelOptionsStep,
    };

    /// <summary>Every output of every run of the named step: value and reason.</summary>
    public static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult run, string step) =>
        run.TrackedSteps.TryGetValue(step, out var runs) ? runs.SelectMany(r => r.Outputs) : Enumerable.Empty<(object, IncrementalStepRunReason)>();

    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(Location), typeof(SyntaxTree),
    };

    /// <summary>Paths (field chains) to any compiler object reachable from <paramref name="root"/>; empty when none.</summary>
    public static List<string> FindCompilerObjects(object? root)
    {
        var found = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(root, "output", seen, found, 0);
        return found;
    }

    private static void Walk(object? value, string path, HashSet<object> seen, List<string> found, int depth)
    {
        if (value is null || depth > 64) return;
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) return;
        if (!type.IsValueType && !seen.Add(value)) return;
        foreach (var f in Forbidden)
            if (f.IsInstanceOfType(value)) { found.Add($"{path}: {type.FullName}"); return; }
        if (value is IEnumerable items && value is not string)
        {
            int i = 0;
            foreach (var item in items) Walk(item, $"{path}[{i++}]", seen, found, depth + 1);
        }
        for (var t = type; t != null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer) continue;
                Walk(field.GetValue(value), path + "." + field.Name, seen, found, depth + 1);
            }
    }
}
