using System.Threading.Tasks;
using Xunit;

namespace ArchDsl.Analyzers.Tests;

/// <summary>Odd but compilable inputs: the judgement reports what it should and throws nothing (an AD0001
/// would fail these tests as an unexpected diagnostic).</summary>
public class RobustnessTests
{
    [Fact]
    public Task Odd_attributes_do_not_throw() =>
        Verify.Analyzer(Sources.Linear("[Accept({|#1:null|}), Teacher(typeof(string)), MemoryBudget({|#2:null|}), {|#3:TrainingPlan(Tokens = -1, BatchSize = 0)|}]"),
            Verify.Diagnostic("ADSL1016").WithLocation(1).WithArguments("", "Small", "no judgement rule (ADSL1xxx) has that id; check it"),
            Verify.Diagnostic("ADSL1010").WithLocation(3).WithArguments("Small", "[TrainingPlan] Tokens must be positive"),
            Verify.Diagnostic("ADSL1010").WithLocation(2).WithArguments("Small", "[MemoryBudget] null is not a size in bytes; write it as \"80GiB\", \"40GB\" or \"24GiB\""));

    [Fact]
    public Task Self_teacher_and_broken_teacher_are_ignored() =>
        Verify.Analyzer(Sources.Usings + """
            [Model]
            public partial class {|#0:Broken|} { [Linear(10)] Linear fc; }

            [Model, Input(1000), Teacher(typeof(Broken))]
            public partial class A { [Linear(10)] Linear fc; }

            [Model, Input(1000), Teacher(typeof(B))]
            public partial class B { [Linear(10)] Linear fc; }
            """,
            Verify.Diagnostic("ADSL0010").WithLocation(0).WithArguments("Broken", "add [Input(...)] with the input shape without the batch dimension, e.g. [Input(3, 224, 224)]"));

    [Fact]
    public Task Mixed_plan_forms_are_reported() =>
        Verify.Analyzer(Sources.Linear("[{|#1:TrainingPlan(Tokens = 1e9, Samples = 10, Epochs = 1)|}]"),
            Verify.Diagnostic("ADSL1010").WithLocation(1).WithArguments("Small", "[TrainingPlan] give either Tokens, or Samples and Epochs, not both"));
}
