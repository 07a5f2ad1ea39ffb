using System;
using System.IO;

namespace ArchDsl.Tools.Tests.Editor;

/// <summary>A new console project that references ArchDsl packed from this repository into a folder feed, as a user's
/// project would; its packages go to a folder of the test's own (outside the project, so no package file is compiled).</summary>
internal static class Consumer
{
    /// <summary>Tests that pack the package run one after another (two `dotnet pack` runs of one project at once write
    /// the same obj and bin folders), and after the other tests, not beside them: a pack and a language server loading
    /// a project beside the quickstart's training run pushed it past its time limit.</summary>
    public const string PackCollection = "packs the package";

    public static string Create(string work, string program, string packages)
    {
        string feed = Path.Combine(work, "feed");
        string version = "0.0.0-editor" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var pack = Tooling.Run(Tooling.Root, TimeSpan.FromMinutes(4),
            new[] { "pack", Path.Combine(Tooling.Root, "src/ArchDsl.Package/ArchDsl.Package.csproj"), "-c", "Release", "-o", feed, "-nologo", $"-p:Version={version}" });
        if (pack.ExitCode != 0) throw new InvalidOperationException("dotnet pack failed:\n" + pack.All);

        string dir = Path.Combine(work, "consumer");
        WriteProject(dir, feed, version, packages);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
        return dir;
    }

    /// <summary>Writes a console project in <paramref name="dir"/> that restores ArchDsl <paramref name="version"/> from
    /// the folder <paramref name="feed"/> (then this machine's cache, then nuget.org) into <paramref name="packages"/>;
    /// <paramref name="targets"/> are extra MSBuild elements for the project.</summary>
    public static void WriteProject(string dir, string feed, string version, string packages, string targets = "")
    {
        Directory.CreateDirectory(dir);
        string machineCache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="archdsl-test-feed" value="{feed}" />
                {(Directory.Exists(machineCache) ? $"<add key=\"machine-cache\" value=\"{machineCache}\" />" : "")}
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>disable</Nullable>
                <RestorePackagesPath>{packages}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ArchDsl" Version="{version}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
              </ItemGroup>
            {targets}
            </Project>
            """);
    }
}

[Xunit.CollectionDefinition(Consumer.PackCollection, DisableParallelization = true)]
public sealed class PackCollectionDefinition;
