using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

public class AcceptTests
{
    [Fact]
    public Task Justified_accept_silences_the_rule() =>
        Verify.Analyzer(Sources.VitL("\n[Accept(\"ADSL1001\", Justification = \"pre-trained backbone, fine-tuned only\")]"));

    [Fact]
    public Task Accept_without_justification_is_reported_and_ignored() =>
        Verify.Analyzer(Sources.VitL("\n[{|#1:Accept(\"ADSL1001\")|}]"),
            Verify.Diagnostic("ADSL1009").WithLocation(1).WithArguments("ADSL1001", "VitL16"),
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("VitL16", "304,326,632", "100 M", "4.535 GiB", ""));

    [Fact]
    public Task Accept_with_blank_justification_is_reported() =>
        Verify.Analyzer(Sources.VitL("\n[{|#1:Accept(\"ADSL1001\", Justification = \"  \")|}]"),
            Verify.Diagnostic("ADSL1009").WithLocation(1).WithArguments("ADSL1001", "VitL16"),
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("VitL16", "304,326,632", "100 M", "4.535 GiB", ""));

    [Fact]
    public Task Accept_of_another_rule_does_not_silence() =>
        Verify.Analyzer(Sources.VitL("\n[Accept(\"ADSL1002\", Justification = \"reviewed\")]"),
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("VitL16", "304,326,632", "100 M", "4.535 GiB", ""));

    /// <summary>A mistyped id used to be ignored without a word, leaving the finding in place (found by a user test).</summary>
    [Fact]
    public Task Accept_of_an_id_that_is_no_judgement_rule_is_reported() =>
        Verify.Analyzer(Sources.VitL("\n[Accept({|#1:\"ADSL101\"|}, Justification = \"reviewed\")]"),
            Verify.Diagnostic("ADSL1016").WithLocation(1).WithArguments("ADSL101", "VitL16", "no judgement rule (ADSL1xxx) has that id; check it"),
            Verify.Diagnostic("ADSL1001").WithLocation(0).WithArguments("VitL16", "304,326,632", "100 M", "4.535 GiB", ""));

    /// <summary>An opt-out on a block was read by nothing, silently (found by a user test).</summary>
    [Fact]
    public Task Accept_on_a_block_is_reported() =>
        Verify.Analyzer(Sources.Usings + """
            [Block(Layout.Vector), {|#1:Accept("ADSL1017", Justification = "per-row on purpose")|}]
            public partial class Body { [Linear("width")] Linear fc; }

            [Model, Input(8)]
            public partial class Net { [Use(typeof(Body), "width = 4")] Body body; }
            """,
            Verify.Diagnostic("ADSL1016").WithLocation(1).WithArguments("ADSL1017", "Body", "opt-outs apply to models; put it on the model that uses this block"));
}
