using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl
{
    /// <summary>How an early-exit model decides where to stop (<c>forward(x, threshold, mode)</c>).</summary>
    public enum ExitMode
    {
        /// <summary>The whole batch returns at the first exit where every sample is confident enough.</summary>
        PerBatch,
        /// <summary>Each sample returns at its own first confident exit; the rest of the batch runs on without it.</summary>
        PerSample,
    }
}

namespace ArchDsl.Layers
{
    /// <summary>
    /// A classifier exit ([Exit]): global average pooling of a B×C×H×W map (none on a B×C vector) and a linear layer
    /// named <c>fc</c> to the model's classes.
    /// </summary>
    public sealed class ExitHead : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006 // state_dict names
        private readonly Linear fc;
#pragma warning restore IDE1006
        private readonly bool _pool;

        /// <summary>Creates the exit.</summary>
        /// <param name="features">C, the channels (or features) it reads.</param>
        /// <param name="classes">The model's classes.</param>
        /// <param name="pool">Its input is a map, averaged over height and width first.</param>
        public ExitHead(long features, long classes, bool pool) : base(nameof(ExitHead))
        {
            _pool = pool;
            fc = nn.Linear(features, classes);
            RegisterComponents();
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor input)
        {
            if (!_pool) return fc.call(input);
            using var scope = NewDisposeScope();
            return scope.MoveToOuter(fc.call(input.mean(new long[] { 2, 3 })));
        }
    }

    /// <summary>The confidence-thresholded forward of a model with early exits (generated code calls it).</summary>
    public static class EarlyExits
    {
        /// <summary>
        /// Runs <paramref name="segments"/> in turn; after segment k (all but the last) exit k gives logits, and a
        /// sample whose largest softmax probability is at least <paramref name="threshold"/> returns there (per batch:
        /// when every sample of the batch is). The last segment ends in the model's own classifier, the last exit.
        /// </summary>
        /// <returns>The logits (B×classes) and, for each sample, the index of the exit it took (B, int64).</returns>
        /// <remarks>For inference: in per-sample mode batch norm in training mode would see a shrinking batch.</remarks>
        public static (Tensor Logits, Tensor Exit) Run(Tensor x, double threshold, ExitMode mode, Func<Tensor, Tensor>[] segments, Func<Tensor, Tensor>[] exits)
        {
            if (segments is null) throw new ArgumentNullException(nameof(segments));
            if (exits is null) throw new ArgumentNullException(nameof(exits));
            if (segments.Length != exits.Length + 1) throw new ArgumentException("one segment more than exits: the last ends in the model's classifier", nameof(segments));
            using var scope = NewDisposeScope();
            long batch = x.shape[0];
            int last = exits.Length;
            if (mode == ExitMode.PerBatch || batch == 0)
            {
                for (int k = 0; k < last; k++)
                {
                    x = segments[k](x);
                    var logits = exits[k](x);
                    if (Confidence(logits).ge(threshold).all().item<bool>())
                        return scope.MoveToOuter(logits, full(batch, (long)k, ScalarType.Int64, logits.device));
                }
                var final = segments[last](x);
                return scope.MoveToOuter(final, full(batch, (long)last, ScalarType.Int64, final.device));
            }

            Tensor? result = null;
            var taken = full(batch, (long)last, ScalarType.Int64, x.device);
            var remaining = arange(batch, ScalarType.Int64, x.device);   // each row's place in the batch
            for (int k = 0; k < last && remaining.shape[0] > 0; k++)
            {
                x = segments[k](x);
                var logits = exits[k](x);
                result ??= zeros(new[] { batch, logits.shape[1] }, logits.dtype, logits.device);
                var done = Confidence(logits).ge(threshold);
                if (!done.any().item<bool>()) continue;
                var rows = remaining.masked_select(done);
                result.index_copy_(0, rows, logits.index(done));
                taken.index_fill_(0, rows, k);
                var keep = done.logical_not();
                x = x.index(keep);
                remaining = remaining.masked_select(keep);
            }
            if (remaining.shape[0] > 0)
            {
                var final = segments[last](x);
                result ??= zeros(new[] { batch, final.shape[1] }, final.dtype, final.device);
                result.index_copy_(0, remaining, final);
            }
            return scope.MoveToOuter(result!, taken);
        }

        private static Tensor Confidence(Tensor logits) => nn.functional.softmax(logits, -1).max(-1).values;
    }
}
