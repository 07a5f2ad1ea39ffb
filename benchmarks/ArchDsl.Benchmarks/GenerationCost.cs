using System;
using System.Diagnostics;
using System.Globalization;
using ArchDsl.Layers;
using ArchDsl.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Benchmarks;

/// <summary>
/// Issue 15: greedy generation of N tokens from the GPT-2-small-shaped sample on CPU, with the KV cache and by
/// recomputing the whole sequence every step; rounds alternate the two, and the tokens of both are checked equal.
/// </summary>
public static class GenerationCost
{
    public static int Run(int rounds, int tokens)
    {
        torch.manual_seed(0);
        using var model = new Gpt2Small();
        model.eval();
        var prompt = torch.randint(0, 50257, new long[] { 1, 8 }, ScalarType.Int64);
        Console.WriteLine($"GPT-2 small ({Gpt2Small.ParameterCount:N0} parameters), prompt 8 tokens, {tokens} generated, greedy, batch 1, " +
                          $"{torch.get_num_threads()} threads");
        Generation.Generate(model, prompt, 4, useCache: true).Dispose();   // warm-up
        var cached = new double[rounds];
        var recomputed = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            using var a = Generation.Generate(model, prompt, tokens, useCache: true);
            cached[r] = clock.Elapsed.TotalSeconds;
            clock.Restart();
            using var b = Generation.Generate(model, prompt, tokens, useCache: false);
            recomputed[r] = clock.Elapsed.TotalSeconds;
            bool same = a.eq(b).all().item<bool>();
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "round {0}: cache {1:F2} s, recompute {2:F2} s, ratio {3:F1}, same tokens: {4}",
                r + 1, cached[r], recomputed[r], recomputed[r] / cached[r], same));
            if (!same) return 1;
        }
        Array.Sort(cached);
        Array.Sort(recomputed);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "median: cache {0:F2} s ({1:F1} ms/token), recompute {2:F2} s, ratio {3:F1}",
            cached[rounds / 2], 1000 * cached[rounds / 2] / tokens, recomputed[rounds / 2], recomputed[rounds / 2] / cached[rounds / 2]));
        return 0;
    }
}
