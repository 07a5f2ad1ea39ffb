using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;

namespace ArchDsl.Cli.Export;

/// <summary><c>archdsl export pytorch</c>: one Python module per model, with the runtime twins and train.py beside them.</summary>
internal static class PyTorchCommand
{
    const string ResourcePrefix = "ArchDsl.Cli.Python.";

    public static int Run(string assembly, string outDir)
    {
        List<ExportedModel> models;
        try
        {
            models = PlanReader.Read(assembly);
        }
        catch (BadImageFormatException)
        {
            throw new CliException($"'{assembly}' is not a valid .NET assembly (corrupt or not a PE file)");
        }
        if (models.Count == 0)
            throw new CliException($"'{assembly}' contains no ArchDsl models (no [Model] classes in the sources its PDB names)");

        // Everything is rendered before anything is written. A model that cannot be exported is one error line each;
        // the others are written, and the exit code says that not all were.
        var files = new List<(string Name, string Text, ExportedModel? Model)>();
        var failures = new List<string>();
        foreach (var m in models)
        {
            try { files.Add((m.Plan.Name + ".py", PyTorchExporter.Export(m), m)); }
            catch (CliException e) when (models.Count > 1) { failures.Add(e.Message); }
        }
        if (files.Count == 0) throw new CliException(failures[0]);
        foreach (var (name, text) in Resources()) files.Add((name, text, null));

        try
        {
            Directory.CreateDirectory(outDir);
            var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
            foreach (var (name, text, _) in files) File.WriteAllText(Path.Combine(outDir, name), text.Replace("\r\n", "\n"), utf8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write to '{outDir}': {e.Message.Split('\n')[0].Trim()}");
        }
        foreach (var (name, _, m) in files)
            if (m != null)
                Console.WriteLine($"{m.Plan.Declaration.FullName}: {Core.Reporting.Report.Number(m.Plan.Parameters)} parameters -> {Path.Combine(outDir, name)}");
        foreach (var f in failures) Console.Error.WriteLine("archdsl: error: " + f);
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>The Python files embedded in this tool (archdsl_layers.py, train.py), by file name.</summary>
    internal static IEnumerable<(string Name, string Text)> Resources()
    {
        var asm = typeof(PyTorchCommand).Assembly;
        foreach (var res in asm.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)).OrderBy(r => r, StringComparer.Ordinal))
        {
            using var s = asm.GetManifestResourceStream(res)!;
            using var reader = new StreamReader(s, Encoding.UTF8);
            yield return (res.Substring(ResourcePrefix.Length), reader.ReadToEnd());
        }
    }
}
