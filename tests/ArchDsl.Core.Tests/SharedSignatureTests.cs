using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using ArchDsl.Core.Declarations;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Reporting;
using ArchDsl.Core.Shapes;
using Xunit;
using Xunit.Abstractions;
using static ArchDsl.Core.Tests.Decl;

namespace ArchDsl.Core.Tests;

/// <summary>
/// Block signatures are shared between evaluations of the same block declaration. Differential check: every
/// evaluation of a random world gives the same plan (layers, shapes, dimensions and their expressions, counts, block
/// calls and their signatures, findings, errors, JSON) as the same evaluation on fresh copies of every declaration,
/// where nothing can be shared; and the same when evaluations run on several threads at once. Seeds:
/// ARCHDSL_SIGNATURE_SEEDS (a review ran 40,000 and 3,000 concurrent with no difference).
/// </summary>
public class SharedSignatureTests
{
    private readonly ITestOutputHelper _out;
    public SharedSignatureTests(ITestOutputHelper output) => _out = output;

    private static int Seeds(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("ARCHDSL_SIGNATURE_SEEDS"), out var n) && n > 0 ? n : fallback;

    static void DumpNodes(StringBuilder sb, List<LayerNode> nodes, string ind)
    {
        foreach (var n in nodes)
        {
            sb.Append(ind).Append(n.Path).Append(' ').Append(n.Kind).Append(" in=").Append(n.Input).Append(" out=").Append(n.Output)
              .Append(" outE=").Append(string.Join(",", n.Output.Dims.Select(d => d.Expr.ToString())))
              .Append(" cnt=").Append(n.Count.Value).Append('/').Append(n.Count.Expr)
              .Append(" p=").Append(n.OwnParameters).Append(" m=").Append(n.OwnMacs);
            foreach (var kv in n.Recipe?.Dims() ?? Enumerable.Empty<Dim>()) sb.Append(" d=").Append(kv.Value).Append('/').Append(kv.Expr);
            if (n.Call != null)
            {
                sb.Append(" call[");
                foreach (var a in n.Call.Args) sb.Append(a.Key).Append('=').Append(a.Value.Value).Append('/').Append(a.Value.Expr).Append(';');
                sb.Append("] flags[");
                foreach (var f in n.Call.Flags) sb.Append(f.Key).Append('=').Append(f.Value).Append(';');
                sb.Append("] sig[").Append(Sig(n.Call.Signature)).Append(']');
            }
            if (n.Residual is { } r) sb.Append(" res=").Append(r.Mode).Append('/').Append(r.Condition).Append('/').Append(r.Projects);
            sb.Append('\n');
            DumpNodes(sb, n.Children, ind + "  ");
        }
    }
    static string Sig(BlockSignature s) => s.BlockName + ":" + s.Layout + ":in(" + string.Join(",", s.Inputs) + "):p(" +
        string.Join(",", s.Parameters.Select(p => p.Key + "=" + p.Value)) + "):f(" + string.Join(",", s.Flags) + ")";
    static string F(IEnumerable<ArchDsl.Core.Diagnostics.Finding> fs) => string.Join("\n", fs.Select(f => f.Id + "@" + f.Span.Start + ":" + string.Join("|", f.Args)));

    private static string DumpModel(ModelPlan p)
    {
        var sb = new StringBuilder();
        sb.Append("MODEL ").Append(p.Name).Append(" err=").Append(p.HasErrors).Append('\n');
        DumpNodes(sb, p.Layers, "  ");
        sb.Append(F(p.Findings)).Append('\n');
        try { sb.Append(Report.Json(p)).Append('\n'); } catch (Exception e) { sb.Append("JSONEX " + e.GetType().Name + "\n"); }
        return sb.ToString();
    }
    private static string DumpBlock(BlockPlan p)
    {
        var sb = new StringBuilder();
        sb.Append("BLOCK ").Append(p.Declaration.Name).Append(" err=").Append(p.HasErrors).Append(" sig=").Append(Sig(p.Signature)).Append('\n');
        DumpNodes(sb, p.Layers, "  ");
        sb.Append(F(p.Findings)).Append('\n');
        return sb.ToString();
    }

    // Random worlds: up to seven blocks, each in two versions, that use one another (cycles included), and models
    // that use them; then a sequence of model and block evaluations, each with a random version of every block.
    private sealed class World
    {
        public ModuleDecl[][] Versions = null!;   // per block name, 2 versions
        public ModuleDecl[] Models = null!;
        public List<(bool model, int index, int[] choice)> Ops = new();
        public string Describe = "";
    }

    static string BName(int i) => "B" + i;

    static MemberDecl RandomMember(Random r, int k, int idx, StringBuilder d)
    {
        switch (r.Next(11))
        {
            case 0: case 1:
            {
                int kern = new[] { 1, 3, 100 }[r.Next(3)];
                object outc = r.Next(2) == 0 ? (object)"width" : 8;
                d.Append($"conv{idx}(out={outc},k={kern}) ");
                return M("conv" + idx, A("Conv2d", outc, N("Kernel", kern), N("Padding", kern == 3 ? 1 : 0)));
            }
            case 2:
                d.Append($"pool{idx}(inHeight) ");
                return M("pool" + idx, A("AdaptiveAvgPool2d", "inHeight"));
            case 3: case 4: case 5:
            {
                int j = r.Next(k);
                string? bind = new[] { null, "width = width", "width = 4", "width = 300" }[r.Next(4)];
                d.Append($"use{idx}({BName(j)},{bind}) ");
                return bind == null ? M("use" + idx, A("Use", T("Tests." + BName(j))))
                    : M("use" + idx, A("Use", T("Tests." + BName(j)), bind));
            }
            case 6: case 7:
            {
                int j = r.Next(k);
                int cnt = 1 + r.Next(2);
                string? bind = new[] { null, "width = width", "width = 4" }[r.Next(3)];
                d.Append($"stage{idx}({BName(j)}x{cnt},{bind}) ");
                return bind == null ? M("stage" + idx, A("Stage", T("Tests." + BName(j)), cnt))
                    : M("stage" + idx, A("Stage", T("Tests." + BName(j)), cnt, bind));
            }
            case 9:
                d.Append($"pad{idx} ");
                return M("pad" + idx, A("Conv2d", 8, N("Kernel", 1), N("Padding", 50)));
            case 10:
                d.Append($"kconv{idx}(k=width) ");
                return M("kconv" + idx, A("Conv2d", 8, N("Kernel", "width")));
            default:
                d.Append($"res{idx} ");
                return M("res" + idx, A("Conv2d", "width", N("Kernel", 3), N("Padding", 1), N("Stride", 2)), A("Residual", N("From", "res" + idx)));
        }
    }

    private static World Make(int seed)
    {
        var r = new Random(seed);
        var w = new World();
        var d = new StringBuilder();
        int k = 2 + r.Next(6);
        w.Versions = new ModuleDecl[k][];
        for (int i = 0; i < k; i++)
        {
            w.Versions[i] = new ModuleDecl[2];
            for (int v = 0; v < 2; v++)
            {
                d.Append($"{BName(i)}v{v}: ");
                var defaults = r.Next(2) == 0 ? new[] { ("width", 8L) } : new (string, long)[0];
                if (defaults.Length > 0) d.Append("[width=8] ");
                int n = 1 + r.Next(4);
                var ms = new MemberDecl[n];
                for (int m = 0; m < n; m++) ms[m] = RandomMember(r, k, m, d);
                w.Versions[i][v] = Block(BName(i), "Image", defaults, ms);
                d.Append('\n');
            }
        }
        int nm = 1 + r.Next(3);
        w.Models = new ModuleDecl[nm];
        for (int i = 0; i < nm; i++)
        {
            long[] input = new[] { new long[] { 3, 224, 224 }, new long[] { 3, 8, 8 }, new long[] { 3, 64, 64 } }[r.Next(3)];
            int n = 1 + r.Next(3);
            d.Append($"M{i} in={string.Join("x", input)}: ");
            var ms = new MemberDecl[n];
            for (int m = 0; m < n; m++)
            {
                int j = r.Next(k);
                string bind = new[] { "width = 4", "width = 300" }[r.Next(2)];
                if (r.Next(2) == 0) { d.Append($"use{m}({BName(j)},{bind}) "); ms[m] = M("use" + m, A("Use", T("Tests." + BName(j)), bind)); }
                else { d.Append($"stage{m}({BName(j)},{bind}) "); ms[m] = M("stage" + m, A("Stage", T("Tests." + BName(j)), 1 + r.Next(2), bind)); }
            }
            w.Models[i] = Model("M" + i, input, ms);
            d.Append('\n');
        }
        int ops = 2 + r.Next(14);
        for (int o = 0; o < ops; o++)
        {
            var choice = new int[k];
            for (int i = 0; i < k; i++) choice[i] = r.Next(4) == 0 ? 1 : 0;   // mostly version 0
            bool model = r.Next(3) != 0;
            w.Ops.Add((model, model ? r.Next(nm) : r.Next(k), choice));
        }
        w.Describe = d.ToString();
        return w;
    }

    /// <summary>One evaluation, on the world's declarations or on fresh copies of them; counts the block signatures
    /// that an earlier evaluation of the world already produced (the same object, so shared).</summary>
    private static string Run(World w, (bool model, int index, int[] choice) op, bool fresh, HashSet<BlockSignature>? seen, ref int reused)
    {
        var blocks = op.choice.Select((c, i) => fresh ? w.Versions[i][c] with { } : w.Versions[i][c]).ToArray();
        if (!op.model) return DumpBlock(Evaluator.EvaluateBlock(blocks[op.index], blocks));
        var plan = Evaluator.EvaluateModel(fresh ? w.Models[op.index] with { } : w.Models[op.index], blocks);
        if (seen != null)
        {
            var here = new HashSet<BlockSignature>();
            Signatures(plan.Layers, here);
            foreach (var s in here) if (!seen.Add(s)) reused++;
        }
        return DumpModel(plan);
    }

    private static void Signatures(List<LayerNode> nodes, HashSet<BlockSignature> into)
    {
        foreach (var n in nodes)
        {
            if (n.Call != null) into.Add(n.Call.Signature);
            Signatures(n.Children, into);
        }
    }

    private static string OpText((bool model, int index, int[] choice) op) =>
        (op.model ? "model M" : "block B") + op.index + " with versions [" + string.Join(",", op.choice) + "]";

    [Fact]
    public void Shared_signatures_give_the_plans_fresh_declarations_give()
    {
        int seeds = Seeds(2000), reused = 0;
        for (int seed = 0; seed < seeds; seed++)
        {
            var w = Make(seed);
            var seen = new HashSet<BlockSignature>();
            foreach (var op in w.Ops)
            {
                string shared = Run(w, op, fresh: false, seen, ref reused);
                int ignored = 0;
                string fresh = Run(w, op, fresh: true, null, ref ignored);
                if (shared != fresh)
                {
                    _out.WriteLine($"seed {seed}, {OpText(op)}; all: {string.Join("; ", w.Ops.Select(OpText))}\n{w.Describe}\n--- shared\n{shared}\n--- fresh\n{fresh}");
                    Assert.Fail($"seed {seed}: shared and fresh evaluations differ (see output)");
                }
            }
        }
        // Not vacuous: signatures derived in one evaluation were used by later ones.
        Assert.True(reused > seeds / 10, $"only {reused} signatures reused in {seeds} worlds");
    }

    [Fact]
    public void Shared_signatures_are_safe_across_threads()
    {
        int seeds = Seeds(2000) / 4;
        for (int seed = 100_000; seed < 100_000 + seeds; seed++)
        {
            var w = Make(seed);
            int ignored = 0;
            var expected = w.Ops.Select(op => Run(w, op, fresh: true, null, ref ignored)).ToArray();
            var results = new string[w.Ops.Count * 4];
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                int none = 0;
                results[i] = Run(w, w.Ops[i % w.Ops.Count], fresh: false, null, ref none);
            });
            for (int i = 0; i < results.Length; i++)
                Assert.True(results[i] == expected[i % w.Ops.Count], $"seed {seed}, {OpText(w.Ops[i % w.Ops.Count])}: differs on a thread");
        }
    }
}
