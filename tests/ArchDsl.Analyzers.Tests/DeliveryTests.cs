using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

/// <summary>
/// How judgement findings reach the user now that the generator reports them: the compiler's own
/// controls (#pragma, severity in .editorconfig) apply, options follow the model's file, and a finding
/// in another file of a partial model is located in that file.
/// </summary>
public class DeliveryTests
{
    // Sources.Linear: 1000·1000 + 1000 = 1,001,000 parameters; 16 bytes each = 15.274 MiB.
    private const string OneMillion = "archdsl.ADSL1001.max_parameters = 1M";

    [Fact]
    public Task Pragma_disables_a_judgement_warning() =>
        Verify.Analyzer("#pragma warning disable ADSL1001\n" + Sources.Linear(), new Verify.Options { EditorConfig = OneMillion });

    [Fact]
    public Task Pragma_for_another_rule_leaves_it() =>
        Verify.Analyzer("#pragma warning disable ADSL1002\n" + Sources.Linear(), new Verify.Options { EditorConfig = OneMillion },
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("Small", "1,001,000", "1 M", "15.274 MiB", ""));

    [Fact]
    public Task Editorconfig_severity_raises_a_warning_to_an_error() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { EditorConfig = OneMillion + "\ndotnet_diagnostic.ADSL1001.severity = error" },
            Verify.Diagnostic("ADSL1001").WithSeverity(DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("Small", "1,001,000", "1 M", "15.274 MiB", ""));

    [Fact]
    public Task Editorconfig_severity_none_silences_it() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { EditorConfig = OneMillion + "\ndotnet_diagnostic.ADSL1001.severity = none" });

    [Fact]
    public Task Category_severity_applies() =>
        // ADSL1001 is in category Design.
        Verify.Analyzer(Sources.Linear(), new Verify.Options { EditorConfig = OneMillion + "\ndotnet_analyzer_diagnostic.category-Design.severity = error" },
            Verify.Diagnostic("ADSL1001").WithSeverity(DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("Small", "1,001,000", "1 M", "15.274 MiB", ""));

    [Fact]
    public Task Category_severity_none_silences_the_category() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options { EditorConfig = OneMillion + "\ndotnet_analyzer_diagnostic.category-Design.severity = none" });

    [Fact]
    public Task Rule_severity_wins_over_category_severity() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options
            {
                EditorConfig = OneMillion + "\ndotnet_analyzer_diagnostic.category-Design.severity = none\ndotnet_diagnostic.ADSL1001.severity = warning",
            },
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("Small", "1,001,000", "1 M", "15.274 MiB", ""));

    [Fact]
    public Task Category_severity_does_not_hide_a_declaration_error() =>
        // ADSL0010 (no [Input]) is in category Usage: the model cannot be built, whatever the category setting.
        Verify.Analyzer(Sources.Usings + "[Model]\npublic partial class {|#0:Broken|} { [Linear(10)] Linear fc; }\n",
            new Verify.Options { EditorConfig = "dotnet_analyzer_diagnostic.category-Usage.severity = none\ndotnet_analyzer_diagnostic.severity = none" },
            Verify.Diagnostic("ADSL0010").WithLocation(0).WithArguments("Broken", "add [Input(...)] with the input shape without the batch dimension, e.g. [Input(3, 224, 224)]"));

    [Fact]
    public Task Unknown_category_value_falls_through_to_the_setting_for_all_rules() =>
        Verify.Analyzer(Sources.Linear(), new Verify.Options
            {
                EditorConfig = OneMillion + "\ndotnet_analyzer_diagnostic.category-Design.severity = bogus\ndotnet_analyzer_diagnostic.severity = error",
            },
            Verify.Diagnostic("ADSL1001").WithSeverity(DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("Small", "1,001,000", "1 M", "15.274 MiB", ""));

    /// <summary>[Model] on a later part of a partial class: options are those of the file its diagnostics point at
    /// (the first part), and global options apply whatever the file.</summary>
    [Theory]
    [InlineData("editorconfig")]
    [InlineData("globalconfig")]
    public Task Options_reach_a_model_marked_on_its_second_part(string where) =>
        Verify.Analyzer(Sources.Usings + "public partial class {|#0:Small|} { }\n", new Verify.Options
            {
                EditorConfig = where == "editorconfig" ? OneMillion : null,
                GlobalConfig = where == "globalconfig" ? "build_property.ArchDslMaxParameters = 1M" : null,
                MoreSources = new[] { ("/0/Test1.cs", Sources.Usings + "[Model, Input(1000)]\npublic partial class Small { [Linear(1000)] Linear fc; }\n") },
            },
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("Small", "1,001,000", "1 M", "15.274 MiB", ""));

    [Fact]
    public Task Thresholds_follow_the_models_own_file() =>
        // The section matches only the second file: its model is judged against 1 M, the first against the default 100 M.
        Verify.Analyzer(Sources.Linear(), new Verify.Options
            {
                EditorConfig = OneMillion,
                EditorConfigSection = "[Test1.cs]",
                MoreSources = new[] { ("/0/Test1.cs", Sources.Linear("", "Other").Replace("{|#0:", "{|#1:")) },
            },
            Verify.Diagnostic("ADSL1001").WithLocation(1).WithArguments("Other", "1,001,000", "1 M", "15.274 MiB", ""));

    [Fact]
    public Task Finding_on_a_member_in_another_file_of_a_partial_model_is_located_there() =>
        Verify.Analyzer(Sources.Usings + """
            [Model, Input(3, 32, 32)]
            public partial class Net
            {
                [Conv2d(16, Kernel = 3, Padding = 1)] Conv2d conv;
            }
            """,
            new Verify.Options
            {
                MoreSources = new[]
                {
                    ("/0/Test1.cs", Sources.Usings + """
                        public partial class Net
                        {
                            [Linear(10), Head(TaskKind.Classification)] Linear {|#1:fc|};
                        }
                        """),
                },
            },
            // Layers in two parts are themselves an error now (C# orders parts by file), located on the other file's layer.
            Verify.Diagnostic("ADSL0021").WithLocation(1).WithArguments("fc",
                "the layers of Net are written in more than one part of the partial class ('conv' is in another), and C# orders the parts by file; write them in one part"));
}
