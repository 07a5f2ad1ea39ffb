using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

/// <summary>Without the generator (as when a model has errors), layer fields draw CS0169 and CS8618;
/// the suppressor removes them on layer fields and only there.</summary>
public class SuppressorTests
{
    private static async Task Run(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<LayerFieldSuppressor, DefaultVerifier>
        {
            CompilerDiagnostics = CompilerDiagnostics.Warnings,
        };
        test.TestState.Sources.Add(source);
        test.TestState.ReferenceAssemblies = Verify.References;
        test.TestState.AdditionalReferences.AddRange(Verify.Libraries);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task Suppresses_unused_and_uninitialised_on_layer_fields_only() =>
        Run("#nullable enable\n" + Sources.Usings + """
            [Model]
            internal partial class Broken
            {
                [Linear(10)] Linear {|#0:fc|};
                Linear {|#1:plain|};
            }
            """,
            DiagnosticResult.CompilerWarning("CS0169").WithLocation(0).WithArguments("Broken.fc").WithIsSuppressed(true),
            DiagnosticResult.CompilerWarning("CS8618").WithLocation(0).WithLocation(0).WithIsSuppressed(true)
                .WithArguments("field", "fc"),
            DiagnosticResult.CompilerWarning("CS0169").WithLocation(1).WithArguments("Broken.plain").WithIsSuppressed(false),
            DiagnosticResult.CompilerWarning("CS8618").WithLocation(1).WithLocation(1).WithIsSuppressed(false)
                .WithArguments("field", "plain"));

    [Fact]
    public Task Does_not_suppress_outside_models_and_blocks() =>
        Run(Sources.Usings + """
            internal class NotAModel
            {
                [Linear(10)] Linear {|#0:fc|};
            }
            """,
            DiagnosticResult.CompilerWarning("CS0169").WithLocation(0).WithArguments("NotAModel.fc").WithIsSuppressed(false));
}
