using System;
using System.IO;
using System.Linq;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

/// <summary>No made-up addresses: the project has no published location, so diagnostics carry no help link (their
/// description names the page's path in the repository, which exists) and the package names no project URL.</summary>
public class AddressTests
{
    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ArchDsl.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Descriptors_have_no_help_link_and_name_an_existing_page()
    {
        foreach (var d in ArchDsl.Generators.Descriptors.All())
        {
            Assert.Equal("", d.HelpLinkUri);
            var page = "docs/diagnostics/" + d.Id + ".md";
            Assert.Contains(page, d.Description.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(File.Exists(Path.Combine(Root(), page)), page);
        }
    }

    [Fact]
    public void Package_metadata_names_no_address()
    {
        var project = File.ReadAllText(Path.Combine(Root(), "src", "ArchDsl.Package", "ArchDsl.Package.csproj"));
        Assert.DoesNotContain("<PackageProjectUrl>", project);
        Assert.DoesNotContain("<RepositoryUrl>", project);
        foreach (var f in new[] { "Directory.Build.props", "build/Versions.props" }.Select(p => Path.Combine(Root(), p)).Where(File.Exists))
            Assert.DoesNotContain("Url>", File.ReadAllText(f));
    }
}
