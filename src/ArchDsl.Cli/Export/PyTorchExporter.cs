using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ArchDsl.Core.Evaluation;
using ArchDsl.Core.Layers;
using ArchDsl.Core.Reporting;
using ArchDsl.Core.Shapes;

namespace ArchDsl.Cli.Export;

/// <summary>
/// Writes a model as a PyTorch module: the model and each block it uses as an <c>nn.Module</c> class, registered in the
/// generated TorchSharp module's order under the same state_dict paths, with the same forward. Everything is rendered
/// from the core's plan (recipes, residuals, joins, activations, keys); nothing about a layer is worked out here.
/// </summary>
internal static partial class PyTorchExporter
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The module with the runtime layers' Python twins, copied beside every exported model.</summary>
    public const string LayersModule = "archdsl_layers";

    public static string Export(ExportedModel model)
    {
        var plan = model.Plan;
        var ctx = new Context(plan.Name);
        var classes = new List<string>();
        // Blocks first, in the order a reader meets them (a block before the blocks that use it is not needed in Python,
        // but reads better): sorted by name, as the generator reads them.
        foreach (var block in model.Blocks) classes.Add(Block(block, ctx));
        classes.Add(Model(plan, ctx));

        var sb = new StringBuilder();
        var input = plan.Input.Values().ToList();
        sb.Append("\"\"\"").Append(plan.Name).Append(": exported by ArchDsl (archdsl export pytorch) from its declaration.\n\n")
          .Append("Trainable parameters: ").Append(Report.Number(plan.Parameters)).Append('\n')
          .Append("Buffer elements: ").Append(Report.Number(plan.Buffers)).Append('\n')
          .Append("Multiply-accumulates per sample: ").Append(Report.Number(plan.Macs)).Append(" at ").Append(plan.Input.ToString()).Append('\n')
          .Append("Output: ").Append(plan.Output.ToString()).Append('\n')
          .Append(FormSummary(plan)).Append('\n')
          .Append("The state_dict keys, shapes and order are those of the generated TorchSharp module, so checkpoints move\n")
          .Append("between the two. Edit the declaration and export again rather than editing this file.\n")
          .Append("\"\"\"\n");
        if (ctx.UsesOrderedDict) sb.Append("from collections import OrderedDict\n");
        if (ctx.UsesEnum) sb.Append("import enum\n");
        if (ctx.UsesOrderedDict || ctx.UsesEnum) sb.Append('\n');
        sb.Append("import torch\nfrom torch import nn\n");
        if (ctx.UsesFunctional) sb.Append("import torch.nn.functional as F\n");
        if (ctx.UsesRuntime) sb.Append('\n').Append("import ").Append(LayersModule).Append('\n');
        if (ctx.UsesActivate) sb.Append("\n\n").Append(ActivateFunction());
        foreach (var c in classes) sb.Append("\n\n").Append(c);
        return sb.ToString();
    }

    sealed class Context(string model)
    {
        public string ModelName { get; } = model;
        public bool UsesOrderedDict, UsesFunctional, UsesRuntime, UsesActivate, UsesEnum;
    }

    /// <summary>A Python writer with four-space indentation.</summary>
    sealed class Py
    {
        readonly StringBuilder _sb = new();
        int _indent;
        public Py Line(string text = "")
        {
            if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
            _sb.Append('\n');
            return this;
        }
        public Py In() { _indent++; return this; }
        public Py Out() { _indent--; return this; }
        public override string ToString() => _sb.ToString();
    }

    /// <summary>One recipe as the export writes it, for a layer of <paramref name="kind"/> in <paramref name="model"/>
    /// (tests hold unknown factories and symbols to one-line errors naming both).</summary>
    internal static string RenderRecipe(ModuleRecipe recipe, string kind, string model)
    {
        var node = new LayerNode();
        typeof(LayerNode).GetProperty(nameof(LayerNode.Kind))!.SetValue(node, kind);
        typeof(LayerNode).GetProperty(nameof(LayerNode.Name))!.SetValue(node, "layer");
        return Render(recipe, node, new List<LayerNode> { node }, keyed: false, new Context(model), new bool[1]);
    }

    // ---- classes ----

    static string Model(ModelPlan plan, Context ctx)
    {
        var w = new Py();
        string name = ClassName(plan.Name);
        var first = plan.Layers.Count > 0 ? plan.Layers[0] : null;
        bool tokenIds = first?.KindInfo is { ReadsTokenIds: true };
        string vocab = tokenIds && first!.Recipe is { } emb && emb.Args.Count > 0 && emb.Args[0].Kind == RecipeValueKind.Dim
            ? emb.Args[0].Dim.Value.ToString(Inv) : "None";
        w.Line($"class {name}(nn.Module):").In()
         .Line("\"\"\"" + $"{plan.Name}: {Report.Number(plan.Parameters)} trainable parameters, {Report.Number(plan.Buffers)} buffer elements,")
         .Line($"{Report.Number(plan.Macs)} multiply-accumulates per sample at {plan.Input}; output {plan.Output}.")
         .Line("\"\"\"")
         .Line()
         .Line($"PARAMETER_COUNT = {plan.Parameters.ToString(Inv)}")
         .Line($"BUFFER_COUNT = {plan.Buffers.ToString(Inv)}")
         .Line($"MACS = {plan.Macs.ToString(Inv)}")
         .Line($"INPUT_SHAPE = {Tuple(plan.Input.Values())}")
         .Line($"INPUT_DTYPE = \"{(tokenIds ? "int64" : "float32")}\"")
         .Line($"OUTPUT_SHAPE = {Tuple(plan.Output.Values())}")
         .Line($"VOCAB_SIZE = {vocab}");
        FormConstants(w, plan, ctx);
        w.Line()
         .Line("def __init__(self, device=None, dtype=None):").In();
        CurrentReserved.Clear();
        w
         .Line("super().__init__()");
        var body = new Py();
        bool factory = Construction(body, plan.Layers, concrete: true, ctx);
        if (factory) w.Line("factory_kwargs = {\"device\": device, \"dtype\": dtype}");
        Append(w, body);
        if (plan.DepthRamp is { } ramp)
        {
            // As the generated module's StochasticDepth.Ramp: the drop probability grows linearly over the layers in order.
            ctx.UsesRuntime = true;
            w.Line($"{LayersModule}.StochasticDepth.ramp(self, {Real(ramp.Max)}{(ramp.EndsAtMax ? "" : ", ends_at_max=False")})");
        }
        FormConstruction(w, plan, ctx);
        w.Out().Line();
        FormForwards(w, plan, ctx);
        return w.ToString();
    }

    static string Block(BlockPlan plan, Context ctx)
    {
        var sig = plan.Signature;
        var w = new Py();
        string name = ClassName(plan.Declaration.Name);
        var ps = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        void Param(string csharp)
        {
            string py = PyName(csharp);
            if (seen.TryGetValue(py, out var other) && other != csharp)
                throw new CliException($"block {plan.Declaration.Name} of {ctx.ModelName}: parameters '{other}' and '{csharp}' have the same Python name '{py}'");
            seen[py] = csharp;
            ps.Add(py);
        }
        foreach (var i in sig.Inputs) Param(i);
        foreach (var p in sig.Parameters) Param(p.Key);
        foreach (var f in sig.Flags) Param(f);
        foreach (var a in sig.Activations) Param(a.Key);
        CurrentReserved.Clear();
        foreach (var p in seen.Keys) CurrentReserved.Add(p);
        ps.Add("device=None");
        ps.Add("dtype=None");
        w.Line($"class {name}(nn.Module):").In()
         .Line($"\"\"\"Block {plan.Declaration.Name} ({sig.Layout} input); its parent passes the input sizes and parameters.\"\"\"")
         .Line()
         .Line($"def __init__(self, {string.Join(", ", ps)}):").In()
         .Line("super().__init__()");
        foreach (var a in sig.Activations) w.Line($"self.{PyName(a.Key)} = {PyName(a.Key)}");
        var body = new Py();
        bool factory = Construction(body, plan.Layers, concrete: false, ctx);
        if (factory) w.Line("factory_kwargs = {\"device\": device, \"dtype\": dtype}");
        Append(w, body);
        w.Out().Line();
        Forward(w, plan.Layers, concrete: false, ctx, sig.Skip);
        return w.ToString();
    }

    static void Append(Py w, Py body)
    {
        foreach (var line in body.ToString().Split('\n'))
            if (line.Length > 0) w.Line(line);
    }

    // ---- construction and registration ----

    static bool Keyed(List<LayerNode> layers) =>
        layers.Any(n => n.Key != null || n.KeyPattern != null || n.Residual is { ShortcutFirst: true, Optional: false });

    static bool HasProjection(LayerNode n, bool concrete) =>
        n.Residual is { Optional: false } r && (concrete ? r.Projects : r.Mode != ShortcutMode.Identity);

    /// <summary>
    /// Creates the layers. Unkeyed, each is assigned to <c>self</c> in declaration order and the shortcut projections
    /// after them (the generated module registers its fields in that order). Keyed, each layer is made into a local and
    /// registered under its state_dict path, in the generated module's order, in <c>nn.ModuleDict</c> containers.
    /// Returns whether a factory needs <c>factory_kwargs</c>.
    /// </summary>
    static bool Construction(Py w, List<LayerNode> layers, bool concrete, Context ctx)
    {
        bool keyed = Keyed(layers);
        var uses = new bool[1];
        string Target(LayerNode n) => keyed ? Local(n.Name) : "self." + Attr(n.Name, ctx);
        foreach (var n in layers)
        {
            string target = Target(n);
            switch (n.Kind)
            {
                case LayerCatalog.Stage when concrete:
                    ctx.UsesOrderedDict = true;
                    w.Line($"{target} = nn.Sequential(OrderedDict([").In();
                    foreach (var child in n.Children)
                        w.Line($"({Str(child.Name)}, {NewBlock(child, ctx)}),");
                    w.Out().Line("]))");
                    break;
                case LayerCatalog.Stage:
                {
                    var pattern = n.NamePattern;
                    ctx.UsesOrderedDict = true;
                    w.Line($"{target} = nn.Sequential(OrderedDict([({Str(pattern.Format(0))}, {NewBlock(n.Children[0], ctx)})]))");
                    if (n.Children.Count > 1)
                        w.Line($"for i in range(1, {E(n.Count)}):").In()
                         .Line($"{target}.add_module({IndexName(pattern, "i")}, {NewBlock(n.Children[1], ctx)})").Out();
                    if (keyed && n.KeyPattern != null) w.Line($"self.{CountField(n)} = {E(n.Count)}");
                    break;
                }
                case LayerCatalog.Use:
                    w.Line($"{target} = {NewBlock(n, ctx)}");
                    break;
                default:
                {
                    var recipe = n.Recipe ?? throw new CliException($"layer kind '{n.Kind}' ({n.Name} in {ctx.ModelName}) made no module to export");
                    w.Line($"{target} = {Render(recipe, n, layers, keyed, ctx, uses)}");
                    break;
                }
            }
            if (!concrete && n.Residual is { Optional: true, Mode: ShortcutMode.ByArgument } opt)
                w.Line($"self.{PyName(opt.FlagName)} = {PyName(opt.FlagName)}");
            if (keyed && n.Residual is { } r && HasProjection(n, concrete))
                w.Line($"{Local(r.ShortcutName)} = {ProjectionOrNone(n, r, concrete, layers, keyed, ctx, uses)}");
        }
        if (!keyed)
        {
            foreach (var n in layers)
                if (n.Residual is { } r && HasProjection(n, concrete))
                    w.Line($"self.{Attr(r.ShortcutName, ctx)} = {ProjectionOrNone(n, r, concrete, layers, keyed, ctx, uses)}");
            return uses[0];
        }
        Registration(w, layers, concrete);
        return uses[0];
    }

    static string ProjectionOrNone(LayerNode n, ResidualNode r, bool concrete, List<LayerNode> layers, bool keyed, Context ctx, bool[] uses)
    {
        uses[0] = true;
        // A slimmable model's projection runs every width: its recipe is the core's (a slimmable 1×1 convolution and a
        // switchable batch norm).
        string create = r.SlimProjection is { } slim ? Render(slim, n, layers, keyed, ctx, uses) : Projection(r);
        return !concrete && r.Mode == ShortcutMode.ByArgument ? $"{create} if {PyName(r.FlagName)} else None" : create;
    }

    /// <summary>The generated module's explicit registration, step for step (ModuleEmitter.WriteRegistration).</summary>
    static void Registration(Py w, List<LayerNode> layers, bool concrete)
    {
        var containers = new Dictionary<string, string>(StringComparer.Ordinal);
        string Parent(string path)
        {
            int dot = path.LastIndexOf('.');
            if (dot < 0) return "self";
            var parentPath = path.Substring(0, dot);
            if (containers.TryGetValue(parentPath, out var local)) return local;
            var grand = Parent(parentPath);
            local = "keys_" + new string(parentPath.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
            containers[parentPath] = local;
            w.Line($"{local} = nn.ModuleDict()")
             .Line($"{grand}.add_module({Str(parentPath.Substring(parentPath.LastIndexOf('.') + 1))}, {local})");
            return local;
        }
        void RegisterShortcut(LayerNode n)
        {
            var r = n.Residual!;
            // A None shortcut is kept as a plain attribute, as the generated module leaves it unregistered.
            w.Line(!concrete && r.Mode == ShortcutMode.ByArgument
                ? $"self.{r.ShortcutName} = {Local(r.ShortcutName)}"
                : $"self.add_module({Str(r.ShortcutName)}, {Local(r.ShortcutName)})");
        }
        foreach (var n in layers)
        {
            foreach (var later in layers)
                if (later.Residual is { ShortcutFirst: true } first && first.From == n.Name && HasProjection(later, concrete)) RegisterShortcut(later);
            if (n.KeyPattern is { } p)
            {
                string parent = Parent(p.Format(0));
                int lastDot = p.Prefix.LastIndexOf('.');
                var leaf = new IndexPattern(p.Prefix.Substring(lastDot + 1), p.Offset, p.Suffix);
                w.Line($"for i, block in enumerate({Local(n.Name)}):").In()
                 .Line($"{parent}.add_module({IndexName(leaf, "i")}, block)").Out();
            }
            else
            {
                string path = n.Key ?? n.Name;
                string verb = n.Recipe?.Form == RecipeForm.Parameter ? "register_parameter" : "add_module";
                w.Line($"{Parent(path)}.{verb}({Str(path.Substring(path.LastIndexOf('.') + 1))}, {Local(n.Name)})");
            }
            if (n.Residual is { ShortcutFirst: false } && HasProjection(n, concrete)) RegisterShortcut(n);
        }
    }

    static string CountField(LayerNode n) => PyName(n.Name) + "_count";

    /// <summary>A keyed module's layers are made into locals first; a local never shadows a constructor argument.</summary>
    static string Local(string member) =>
        CurrentReserved.Contains(member) || PythonKeywords.Contains(member) || Taken.Contains(member) || member.StartsWith("keys_", StringComparison.Ordinal) || member.StartsWith("identity", StringComparison.Ordinal) ? member + "_layer" : member;

    [ThreadStatic] static HashSet<string>? _reserved;
    static HashSet<string> CurrentReserved => _reserved ??= new HashSet<string>(StringComparer.Ordinal);

    /// <summary>A member's attribute: its name is its state_dict name, so it is kept exactly, and must be a Python name.</summary>
    static string Attr(string member, Context ctx) => IsIdentifier(member) ? member
        : throw new CliException($"the layer '{member}' of {ctx.ModelName} is not a Python attribute name (a Python keyword?), so the PyTorch module cannot name it");

    /// <summary>torchvision's downsample (1×1 convolution and batch norm) for maps, else a Linear, as ResidualNode says.</summary>
    static string Projection(ResidualNode r)
    {
        if (r.ProjectionKind == "Sequential")
        {
            string stride = r.Stride.Expr.IsConst && r.Stride.Value == 1 ? "" : $", stride={E(r.Stride)}";
            return $"nn.Sequential(nn.Conv2d({E(r.FromShape[0])}, {E(r.ToShape[0])}, 1{stride}, bias=False, **factory_kwargs), nn.BatchNorm2d({E(r.ToShape[0])}, **factory_kwargs))";
        }
        return $"nn.Linear({E(r.FromShape.Last)}, {E(r.ToShape.Last)}, **factory_kwargs)";
    }

    static string NewBlock(LayerNode n, Context ctx)
    {
        var call = n.Call!;
        var args = new List<string>();
        foreach (var kv in call.Args) args.Add($"{PyName(kv.Key)}={E(kv.Value)}");
        foreach (var kv in call.Flags) args.Add($"{PyName(kv.Key)}={Condition(kv.Value)}");
        foreach (var kv in call.Activations)
            args.Add($"{PyName(kv.Key)}=" + (kv.Value.Parameter is { } outer ? PyName(outer) : Str(kv.Value.Name ?? "None")));
        args.Add("device=device");
        args.Add("dtype=dtype");
        return $"{ClassName(call.Block.Name)}({string.Join(", ", args)})";
    }

    static string Condition(ShapeTest t) =>
        t.Differences.Count == 0 ? (t.Constant ? "True" : "False")
        : string.Join(" or ", t.Differences.Select(d => Expr(d.Key) + " != " + Expr(d.Value)));

    /// <summary>The expression that makes a layer's module or parameter from its recipe.</summary>
    static string Render(ModuleRecipe r, LayerNode n, List<LayerNode> layers, bool keyed, Context ctx, bool[] uses)
    {
        if (r.Form == RecipeForm.Parameter)
        {
            uses[0] = true;
            string shape = string.Join(", ", r.Shape.Select(E));
            return r.Init switch
            {
                ParameterInit.Zeros => $"nn.Parameter(torch.zeros({shape}, **factory_kwargs))",
                ParameterInit.Normal => $"nn.Parameter(torch.empty({shape}, **factory_kwargs).normal_(0.0, {Real(r.InitValue)}))",
                _ => $"nn.Parameter(torch.full(({shape}{(r.Shape.Count == 1 ? "," : "")}), {Real(r.InitValue)}, **factory_kwargs))",
            };
        }
        var args = new List<string>();
        if (r.Form == RecipeForm.Runtime)
        {
            ctx.UsesRuntime = true;
            uses[0] = true;
            foreach (var a in r.Args) args.Add(RenderArg(a, a.Name is null ? null : PyName(a.Name), n, layers, keyed, ctx, uses));
            args.Add("**factory_kwargs");
            return $"{LayersModule}.{r.Factory}({string.Join(", ", args)})";
        }
        if (!TorchNn.Factories.TryGetValue(r.Factory, out var f))
            throw new CliException($"layer kind '{n.Kind}' ({n.Name} in {ctx.ModelName}) creates TorchSharp's nn.{r.Factory}, which the PyTorch export has no mapping for");
        for (int i = 0; i < r.Args.Count; i++)
        {
            var a = r.Args[i];
            string? name = a.Name is null ? (f.Renamed.TryGetValue("#" + i.ToString(Inv), out var kw) ? kw : null)
                : f.Renamed.TryGetValue(a.Name, out var renamed) ? renamed : a.Name;
            args.Add(RenderArg(a, name, n, layers, keyed, ctx, uses));
        }
        if (f.MakesTensors) { args.Add("**factory_kwargs"); uses[0] = true; }
        return $"nn.{f.Name}({string.Join(", ", args)})";
    }

    static string RenderArg(RecipeArg a, string? name, LayerNode n, List<LayerNode> layers, bool keyed, Context ctx, bool[] uses)
    {
        string value = a.Kind switch
        {
            RecipeValueKind.Dim => E(a.Dim),
            RecipeValueKind.Real => Real(a.Real),
            RecipeValueKind.Bool => a.Bool ? "True" : "False",
            RecipeValueKind.Text => Str(a.Text),
            RecipeValueKind.Pair => $"({E(a.Dim)}, {E(a.Second)})",
            RecipeValueKind.Symbol => TorchNn.Symbol(a.Text)
                ?? throw new CliException($"layer kind '{n.Kind}' ({n.Name} in {ctx.ModelName}) passes TorchSharp's {a.Text}, which the PyTorch export has no mapping for"),
            RecipeValueKind.Sizes => $"({string.Join(", ", a.Items.Select(E))}{(a.Items.Count == 1 ? "," : "")})",
            RecipeValueKind.Reals => $"({string.Join(", ", a.RealItems.Select(Real))}{(a.RealItems.Count == 1 ? "," : "")})",
            RecipeValueKind.Member => MemberRef(a.Text, layers, keyed),
            RecipeValueKind.Module => Render(a.Module!, n, layers, keyed, ctx, uses),
            _ => throw new CliException($"layer kind '{n.Kind}' ({n.Name} in {ctx.ModelName}) has a recipe argument of kind {a.Kind}, which the PyTorch export cannot write"),
        };
        return name is null ? value : name + "=" + value;
    }

    /// <summary>Another layer of the module, while it is being built (a tied head's embedding).</summary>
    static string MemberRef(string member, List<LayerNode> layers, bool keyed) =>
        keyed ? Local(member) : "self." + member;

    // ---- forward ----

    /// <param name="skip">A block's skip input ([Block(Skip = ...)]): forward's second argument, which joins read by
    /// this name (as in the generated module).</param>
    static void Forward(Py w, List<LayerNode> layers, bool concrete, Context ctx, string? skip = null)
    {
        w.Line(skip is null ? "def forward(self, x):" : "def forward(self, x, skip):").In();
        Statements(w, layers, Keyed(layers), concrete, ctx, skip);
        w.Line("return x").Out();
    }

    /// <summary>The statements that run <paramref name="layers"/> on <c>x</c> (a forward's body, or a part of one: a
    /// task's head, an exit segment); <paramref name="keyed"/> says how the whole module registered them.</summary>
    static void Statements(Py w, List<LayerNode> layers, bool keyed, bool concrete, Context ctx, string? skip = null)
    {
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);
        if (skip != null) identities[skip] = "skip";
        int captured = 0;
        foreach (var n in layers)
            foreach (var from in new[] { n.InputFrom, n.Residual?.From ?? n.Join?.From, n.SkipFrom })
                if (from != null && !identities.ContainsKey(from))
                    identities[from] = captured++ == 0 ? "identity" : "identity" + captured.ToString(Inv);

        void Activation(LayerNode n, bool fresh)
        {
            if (n.Activation is { } act) { w.Line(ActivationCall(act, fresh, ctx)); }
            else if (n.ActivationParameter is { } p) { ctx.UsesActivate = true; w.Line($"x = _activate(self.{PyName(p)}, x)"); }
        }

        foreach (var n in layers)
        {
            if (identities.TryGetValue(n.Name, out var id)) w.Line($"{id} = x");
            string m = Access(n, keyed, ctx);
            // A branch (Input = nameof(member)) reads that member's input instead of the running value.
            string input = n.InputFrom is { } inputFrom ? identities[inputFrom] : "x";
            if (n.Residual is { Optional: true } branch && n.KindInfo is { DropsResidualBranch: true })
            {
                string add = $"x = {m}({input}) + {identities[branch.From]}";
                if (concrete ? !branch.Differs : branch.Mode == ShortcutMode.Identity) w.Line(add);
                else if (!concrete && branch.Mode == ShortcutMode.ByArgument) w.Line($"if not self.{PyName(branch.FlagName)}:").In().Line(add).Out();
                if (n.Activation is { } branchAct) w.Line(ActivationCall(branchAct, false, ctx));
                continue;
            }
            switch (n.KindInfo?.Forward ?? ForwardForm.Call)
            {
                case ForwardForm.PrependToken:
                    w.Line($"x = torch.cat([{m}.expand(x.shape[0], -1, -1), x], dim=1)");
                    break;
                case ForwardForm.AddParameter:
                    w.Line($"x = x + {m}");
                    break;
                case ForwardForm.MulParameter:
                    w.Line($"x = {m} * x");
                    break;
                case ForwardForm.Call when n.KeyPattern != null:
                    w.Line($"for i in range({(concrete ? n.Children.Count.ToString(Inv) : "self." + CountField(n))}):").In()
                     .Line($"x = {StageAccess(n)}(x)").Out();
                    break;
                case ForwardForm.Call:
                    w.Line(n.SkipFrom is { } skipFrom ? $"x = {m}({input}, {identities[skipFrom]})" : $"x = {m}({input})");
                    break;
                default:
                    throw new CliException($"layer kind '{n.Kind}' ({n.Name} in {ctx.ModelName}) has the forward form {n.KindInfo?.Forward}, which the PyTorch export cannot write");
            }
            bool freshOutput = n.KindInfo is { FreshOutput: true };
            bool fresh = freshOutput;
            if (n.Residual is { Optional: true } opt)
            {
                string add = freshOutput ? $"x = x.add_({identities[opt.From]})" : $"x = x + {identities[opt.From]}";
                if (concrete ? !opt.Differs : opt.Mode == ShortcutMode.Identity) w.Line(add);
                else if (!concrete && opt.Mode == ShortcutMode.ByArgument) w.Line($"if not self.{PyName(opt.FlagName)}:").In().Line(add).Out();
            }
            else if (n.Residual is { } r)
            {
                fresh = true;
                string idName = identities[r.From];
                string sc = "self." + r.ShortcutName;
                string shortcut = !HasProjection(n, concrete) ? idName
                    : !concrete && r.Mode == ShortcutMode.ByArgument ? $"{idName} if {sc} is None else {sc}({idName})"
                    : $"{sc}({idName})";
                bool conditional = shortcut.Contains(" if ");
                w.Line(freshOutput ? $"x = x.add_({shortcut})" : conditional ? $"x = x + ({shortcut})" : $"x = x + {shortcut}");
            }
            bool gate = n.Join is { Op: JoinOp.Multiply };
            if (gate) Activation(n, fresh);
            if (n.Join is { } j)
            {
                fresh = true;
                string other = identities[j.From];
                w.Line(j.Op switch
                {
                    JoinOp.Concat => $"x = torch.cat([{other}, x], dim={(j.Axis == j.FromShape.Rank - 1 ? -1 : j.Axis + 1).ToString(Inv)})",
                    JoinOp.Sum => $"x = x + {other}",
                    JoinOp.Multiply => $"x = x * {other}",
                    _ => throw new CliException($"the join {j.Op} of '{n.Path}' has no PyTorch form in the exporter"),
                });
            }
            if (!gate) Activation(n, fresh);
        }
    }

    /// <summary>How forward reaches a layer: its attribute, or in a keyed module its registered path.</summary>
    static string Access(LayerNode n, bool keyed, Context ctx)
    {
        if (!keyed || n.KeyPattern != null) return "self." + Attr(n.Name, ctx);
        string path = n.Key ?? n.Name;
        if (n.Recipe?.Form == RecipeForm.Parameter) return path.Contains('.') ? $"self.get_parameter({Str(path)})" : "self." + path;
        return PathAccess(path.Split('.'));
    }

    static string PathAccess(IEnumerable<string> segments)
    {
        var parts = segments.ToList();
        var sb = new StringBuilder(IsIdentifier(parts[0]) ? "self." + parts[0] : $"getattr(self, {Str(parts[0])})");
        // Containers are nn.ModuleDict: a child by attribute where its name is one, else by key.
        foreach (var s in parts.Skip(1))
            if (IsIdentifier(s) && !ModuleDictMembers.Contains(s) && !LayerCatalog.ModuleMembers.Contains(s)) sb.Append('.').Append(s);
            else sb.Append('[').Append(Str(s)).Append(']');
        return sb.ToString();
    }

    static readonly HashSet<string> ModuleDictMembers = new(StringComparer.Ordinal) { "keys", "items", "values", "update", "pop", "clear" };

    /// <summary>One block of a stage registered at an index pattern, by its path at <c>i</c>.</summary>
    static string StageAccess(LayerNode n)
    {
        var p = n.KeyPattern!;
        var parts = p.Format(0).Split('.').ToList();
        var sb = new StringBuilder(PathAccess(parts.Take(parts.Count - 1)));
        int lastDot = p.Prefix.LastIndexOf('.');
        sb.Append('[').Append(IndexName(new IndexPattern(p.Prefix.Substring(lastDot + 1), p.Offset, p.Suffix), "i")).Append(']');
        return sb.ToString();
    }

    static string ActivationCall(string name, bool fresh, Context ctx)
    {
        if (!Activations.ByName.TryGetValue(name, out var a))
            throw new CliException($"the activation '{name}' in {ctx.ModelName} has no PyTorch call in the export");
        ctx.UsesFunctional |= a.Home == FunctionalHome.Functional;
        string home = a.Home == FunctionalHome.Torch ? "torch." : "F.";
        string extra = a.Approximate != null ? ", approximate=" + (TorchNn.Symbol(a.Approximate) ?? throw new CliException($"the activation '{name}' in {ctx.ModelName} has no PyTorch call in the export"))
            : fresh && a.InPlace ? ", inplace=True" : "";
        return $"x = {home}{a.Function}(x{extra})";
    }

    /// <summary>Applies an activation a block was given by name (an activation parameter), as the declared ones are applied.</summary>
    static string ActivateFunction()
    {
        var sb = new StringBuilder();
        sb.Append("def _activate(act, x):\n")
          .Append("    \"\"\"Applies the activation a block parameter named (\"None\" passes x through).\"\"\"\n")
          .Append("    if act == \"None\":\n        return x\n");
        foreach (var a in Activations.ByName.Values)
        {
            string home = a.Home == FunctionalHome.Torch ? "torch." : "F.";
            string extra = a.Approximate != null ? ", approximate=" + TorchNn.Symbol(a.Approximate) : "";
            sb.Append("    if act == \"").Append(a.Name).Append("\":\n        return ").Append(home).Append(a.Function).Append("(x").Append(extra).Append(")\n");
        }
        sb.Append("    raise ValueError(f\"unknown activation {act!r}\")\n");
        return sb.ToString();
    }

    // ---- names and values ----

    static readonly HashSet<string> PythonKeywords = new(StringComparer.Ordinal)
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
        "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
        "pass", "raise", "return", "try", "while", "with", "yield",
    };

    /// <summary>Names the exported code uses itself: no argument or local takes them.</summary>
    static readonly HashSet<string> Taken = new(StringComparer.Ordinal)
    {
        "self", "device", "dtype", "factory_kwargs", "torch", "nn", "F", "OrderedDict", "i", "x", "block", "identity", "skip",
    };

    /// <summary>A C# name in Python's snake_case ("inChannels" → "in_channels"); PyTorch names ("conv_proj") stay.</summary>
    internal static string PyName(string csharp)
    {
        var sb = new StringBuilder(csharp.Length + 4);
        for (int i = 0; i < csharp.Length; i++)
        {
            char c = csharp[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(csharp[i - 1]) || char.IsDigit(csharp[i - 1]))) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        string s = sb.ToString();
        return PythonKeywords.Contains(s) || Taken.Contains(s) ? s + "_" : s;
    }

    /// <summary>Model and block classes keep their C# names (a class is named like the model).</summary>
    static string ClassName(string name) => PythonKeywords.Contains(name) ? name + "_" : name;

    static bool IsIdentifier(string s) =>
        s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_') && !PythonKeywords.Contains(s);

    /// <summary>A size as Python: the core's expressions use floor division, which is Python's <c>//</c>.</summary>
    static string E(Dim d) => Expr(d.Expr);

    static string Expr(Expr e) => e.ToCSharp(PyName).Replace("/", "//");

    static string IndexName(IndexPattern p, string index) =>
        "f\"" + p.Prefix + "{" + index + (p.Offset == 0 ? "" : " + " + p.Offset.ToString(Inv)) + "}" + p.Suffix + "\"";

    static string Tuple(IEnumerable<long> values)
    {
        var v = values.Select(x => x.ToString(Inv)).ToList();
        return v.Count == 1 ? $"({v[0]},)" : "(" + string.Join(", ", v) + ")";
    }

    static string Real(double v)
    {
        if (double.IsPositiveInfinity(v)) return "float(\"inf\")";
        if (double.IsNegativeInfinity(v)) return "float(\"-inf\")";
        string s = v.ToString("R", Inv);
        return s.Contains('.') || s.Contains('E') ? s.Replace("E", "e") : s + ".0";
    }

    static string Str(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
            sb.Append(c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => c.ToString() });
        return sb.Append('"').ToString();
    }
}
