using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace ArchDsl.Generators.Tests.Infrastructure;

/// <summary>
/// Compares text with a file checked in under Snapshots/. With ARCHDSL_ACCEPT=1 the file is (re)written
/// from the actual text instead, so a reviewed change can be accepted in one run.
/// </summary>
public static class Snapshot
{
    public static string Directory([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(here)!)!, "Snapshots");

    public static bool Accepting => Environment.GetEnvironmentVariable("ARCHDSL_ACCEPT") == "1";

    public static void Match(string name, string actual)
    {
        // CI compares; a snapshot rewritten there would pass whatever the generator wrote.
        if (Accepting && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            Assert.Fail("ARCHDSL_ACCEPT=1 is refused where CI is set: accept snapshots on a developer machine, review them and commit them");
        var path = Path.Combine(Directory(), name + ".g.cs.txt");
        actual = actual.Replace("\r\n", "\n");
        if (Accepting)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"no snapshot {path}; run with ARCHDSL_ACCEPT=1 to write it, then review it");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected != actual)
        {
            // Point at the first differing line: easier to read than two whole files.
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            int i = 0;
            while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
            Assert.Fail($"{name}: generated source differs from {path} at line {i + 1}:\n  expected: {(i < e.Length ? e[i] : "<end>")}\n  actual:   {(i < a.Length ? a[i] : "<end>")}\nRun with ARCHDSL_ACCEPT=1 to accept after review.");
        }
    }
}
