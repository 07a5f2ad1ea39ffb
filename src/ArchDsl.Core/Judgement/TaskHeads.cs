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
}
