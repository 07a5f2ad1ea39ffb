using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace ArchDsl.Generators;

/// <summary>
/// Produces (evaluates, writes and judges) every model and block declaration that is new in a run together, on all
/// cores, before the per-declaration steps ask for them. A compiler runs a generator's steps one item at a time on one
/// thread, and producing is most of the generator's work on a full build. It is a pure function of each cached input,
/// so producing ahead of the step that reports it changes when the work is done, not what it gives.
/// </summary>
/// <remarks>
/// The per-declaration steps keep their caching: an unchanged input is neither produced here nor asked for there.
/// Results are looked up by reference, since the batch and the steps read the same entries of the same nodes in one
/// run; a miss only means that the step produces the input itself. Only the current inputs' results are kept.
/// </remarks>
internal sealed class BatchProducer
{
    private readonly object _gate = new();
    private readonly Func<Declaration?, CancellationToken, Generated?> _model;
    private readonly Func<Declaration?, CancellationToken, Generated?> _block;
    private Dictionary<Declaration, Generated?> _models = new(ByReference.Instance);
    private Dictionary<Declaration, Generated?> _blocks = new(ByReference.Instance);
    private int _producedInBatch;
    private int _producedAlone;

    public BatchProducer(Func<Declaration?, CancellationToken, Generated?> model, Func<Declaration?, CancellationToken, Generated?> block)
    {
        _model = model;
        _block = block;
    }

    /// <summary>Declarations produced together by the latest batch.</summary>
    public int ProducedInBatch { get { lock (_gate) return _producedInBatch; } }

    /// <summary>Declarations that a per-declaration step produced itself, since this producer was made.</summary>
    public int ProducedAlone { get { lock (_gate) return _producedAlone; } }

    /// <summary>
    /// Produces the inputs that no earlier run has produced. With fewer than two of them (a single edit) it leaves
    /// the work to the step, as if this class did not exist. Returns the number of inputs, which nothing reads: the
    /// value feeds an output that does nothing, which makes the compiler run this before the per-declaration steps.
    /// </summary>
    public int Fill(ImmutableArray<Declaration?> models, ImmutableArray<Declaration?> blocks, CancellationToken ct)
    {
        var todo = new List<(Declaration Input, bool IsModel)>();
        Dictionary<Declaration, Generated?> nextModels, nextBlocks;
        lock (_gate)
        {
            nextModels = Carry(models, _models, true, todo);
            nextBlocks = Carry(blocks, _blocks, false, todo);
        }
        if (todo.Count >= 2)
        {
            var results = new Generated?[todo.Count];
            Parallel.For(0, todo.Count, new ParallelOptions { CancellationToken = ct },
                i => results[i] = (todo[i].IsModel ? _model : _block)(todo[i].Input, ct));
            for (int i = 0; i < todo.Count; i++) (todo[i].IsModel ? nextModels : nextBlocks)[todo[i].Input] = results[i];
        }
        lock (_gate)
        {
            _models = nextModels;
            _blocks = nextBlocks;
            _producedInBatch = todo.Count >= 2 ? todo.Count : 0;
        }
        return models.Length + blocks.Length;
    }

    public Generated? TakeModel(Declaration? d, CancellationToken ct) => Take(d, true, ct);

    public Generated? TakeBlock(Declaration? d, CancellationToken ct) => Take(d, false, ct);

    /// <summary>The batch's result for <paramref name="d"/>, or one produced now and kept for the next batch.</summary>
    private Generated? Take(Declaration? d, bool isModel, CancellationToken ct)
    {
        if (d is null) return null;
        lock (_gate)
        {
            if ((isModel ? _models : _blocks).TryGetValue(d, out var done)) return done;
        }
        var g = (isModel ? _model : _block)(d, ct);
        lock (_gate)
        {
            (isModel ? _models : _blocks)[d] = g;
            _producedAlone++;
        }
        return g;
    }

    /// <summary>The current inputs' results already at hand; the others go to <paramref name="todo"/>.</summary>
    private static Dictionary<Declaration, Generated?> Carry(ImmutableArray<Declaration?> inputs, Dictionary<Declaration, Generated?> previous,
        bool isModel, List<(Declaration, bool)> todo)
    {
        var next = new Dictionary<Declaration, Generated?>(inputs.Length, ByReference.Instance);
        foreach (var d in inputs)
        {
            if (d is null || next.ContainsKey(d)) continue;
            if (previous.TryGetValue(d, out var done)) next.Add(d, done);
            else todo.Add((d, isModel));
        }
        return next;
    }

    private sealed class ByReference : IEqualityComparer<Declaration>
    {
        public static readonly ByReference Instance = new();
        public bool Equals(Declaration? x, Declaration? y) => ReferenceEquals(x, y);
        public int GetHashCode(Declaration obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
