using System;

namespace ArchDsl.Checkpoints;

/// <summary>
/// A checkpoint that cannot be loaded into a module: the file is unreadable or truncated, or its keys or shapes differ
/// from the module's state_dict. The message is one line naming the file, the problem and the keys.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public CheckpointException(string message) : base(message) { }

    /// <summary>Creates the exception with its one-line message and the reader's own error.</summary>
    public CheckpointException(string message, Exception inner) : base(message, inner) { }
}
