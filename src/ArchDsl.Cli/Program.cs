using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ArchDsl.Cli;

// archdsl report <assembly.dll | project.csproj> [--out DIR]
// archdsl export pytorch <assembly.dll | project.csproj> [--out DIR]
try
{
    return Cli.Run(args);
}
catch (Exception e)
{
    // One line, no stack trace: the message says what was wrong with the input.
    string message = e is CliException ? e.Message : $"{e.GetType().Name}: {e.Message}";
    Console.Error.WriteLine("archdsl: error: " + message.Replace('\n', ' ').Replace('\r', ' ').Trim());
    return 1;
}

namespace ArchDsl.Cli
{
    internal static class Cli
    {
        const string Usage = "usage: archdsl report <assembly.dll | project.csproj> [--out DIR] | archdsl export pytorch <assembly.dll | project.csproj> [--out DIR]";

        public static int Run(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            bool export = args[0] == "export";
            if (export && (args.Length < 2 || args[1] != "pytorch"))
                throw new CliException($"unknown export target '{(args.Length < 2 ? "" : args[1])}' (archdsl export pytorch ...)");
            if (!export && args[0] != "report") throw new CliException($"unknown command '{args[0]}' ({Usage})");
            string? input = null;
            string outDir = export ? "archdsl-pytorch" : "archdsl-report";
            for (int i = export ? 2 : 1; i < args.Length; i++)
            {
                if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
                else if (input is null && !args[i].StartsWith("--", StringComparison.Ordinal)) input = args[i];
                else throw new CliException($"unexpected argument '{args[i]}' ({Usage})");
            }
            if (input is null) throw new CliException($"missing input ({Usage})");
            if (!File.Exists(input)) throw new CliException($"'{input}' does not exist");

            string assembly = input.EndsWith("proj", StringComparison.OrdinalIgnoreCase) ? BuildProject(input) : input;
            if (export) return Export.PyTorchCommand.Run(assembly, outDir);
            System.Collections.Generic.List<Architecture> models;
            try
            {
                models = ModelReader.Read(assembly);
            }
            catch (BadImageFormatException)
            {
                throw new CliException($"'{assembly}' is not a valid .NET assembly (corrupt or not a PE file)");
            }
            if (models.Count == 0)
                throw new CliException($"'{assembly}' contains no ArchDsl models (no ArchitectureJson constants; is the generator referenced?)");

            Directory.CreateDirectory(outDir);
            foreach (var model in models.OrderBy(m => m.FullName, StringComparer.Ordinal))
            {
                string md = Path.Combine(outDir, model.Name + ".md");
                string svg = Path.Combine(outDir, model.Name + ".svg");
                File.WriteAllText(md, MarkdownReport.Write(model));
                File.WriteAllText(svg, SvgDiagram.Write(model));
                Console.WriteLine($"{model.FullName}: {MarkdownReport.N(model.Parameters)} parameters, {MarkdownReport.Human(model.Macs)} MACs -> {md}, {svg}");
            }
            return 0;
        }

        /// <summary>Builds a project with <c>dotnet build</c> and returns its output assembly.</summary>
        internal static string BuildProject(string project)
        {
            var build = Dotnet("build", Quote(project), "-nologo", "-v", "q", "-clp:ErrorsOnly");
            if (build.ExitCode != 0)
            {
                string first = build.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? $"exit code {build.ExitCode}";
                throw new CliException($"building '{project}' failed: {first}");
            }
            var query = Dotnet("msbuild", Quote(project), "-nologo", "-getProperty:TargetPath");
            string path = query.Output.Trim();
            if (query.ExitCode != 0 || path.Length == 0)
                throw new CliException($"could not find the output assembly of '{project}' (multi-targeted? pass the .dll instead)");
            if (!File.Exists(path)) throw new CliException($"the build of '{project}' did not produce '{path}'");
            return path;
        }

        static (int ExitCode, string Output) Dotnet(params string[] args)
        {
            string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
            var psi = new ProcessStartInfo(host, string.Join(' ', args))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi) ?? throw new CliException("could not start 'dotnet'");
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, stdout + stderr.Result);
        }

        static string Quote(string s) => "\"" + s + "\"";
    }
}
