using System.Collections.Generic;

namespace ArchDsl.Core.Judgement;

/// <summary>Task kinds of [Head(...)], by family. Names match the runtime enum ArchDsl.TaskKind.</summary>
public static class TaskHeads
{
    public const string Classification = "Classification";

    /// <summary>Low-level image restoration: the output is an image.</summary>
    public static readonly HashSet<string> Restoration = new()
    {
        "SuperResolution", "Denoising", "Deraining", "Deblurring", "Dehazing", "Inpainting", "LowLightEnhancement",
    };

    /// <summary>High-level recognition: labels, boxes, masks, depth.</summary>
    public static readonly HashSet<string> Recognition = new()
    {
        "Classification", "Detection", "Segmentation", "Depth",
    };

    /// <summary>Tasks that predict per position and so need a spatial map (or tokens) at their input.</summary>
    public static bool IsDense(string task) => task != Classification;

    /// <summary>A head with the input side length its task needs (0: not declared).</summary>
    public readonly struct HeadResolution
    {
        public HeadResolution(string path, string task, long resolution)
        {
            Path = path;
            Task = task;
            Resolution = resolution;
        }

        public string Path { get; }
        public string Task { get; }
        public long Resolution { get; }
    }

    /// <summary>
    /// Heads that declare different resolutions, as "path: Task at R×R, ..." in declaration order, or null
    /// when fewer than two distinct resolutions are declared (undeclared ones are left out).
    /// </summary>
    public static string? ConflictingResolutions(IEnumerable<HeadResolution> heads)
    {
        var distinct = new HashSet<long>();
        var parts = new List<string>();
        foreach (var h in heads)
        {
            if (h.Resolution <= 0) continue;
            distinct.Add(h.Resolution);
            string r = h.Resolution.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parts.Add(h.Path + ": " + h.Task + " at " + r + "×" + r);
        }
        return distinct.Count >= 2 ? string.Join(", ", parts) : null;
    }
}
