using System;
using static TorchSharp.torch;

namespace ArchDsl.Quickstart;

/// <summary>
/// A generated data set: 1×32×32 images of four pattern classes (horizontal stripes, vertical stripes,
/// diagonal stripes, a filled disc) with random frequency, phase, position and strong Gaussian noise.
/// Deterministic for a given seed; nothing is downloaded.
/// </summary>
public static class Shapes
{
    public const int Classes = 4;
    public const int Size = 32;
    public static readonly string[] Names = { "horizontal", "vertical", "diagonal", "disc" };

    public static (Tensor Images, Tensor Labels) Generate(int count, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[count * Size * Size];
        var labels = new long[count];
        for (int n = 0; n < count; n++)
        {
            int label = n % Classes;
            labels[n] = label;
            double frequency = 0.35 + rng.NextDouble() * 0.5;
            double phase = rng.NextDouble() * Math.PI * 2;
            double cx = 8 + rng.NextDouble() * 16, cy = 8 + rng.NextDouble() * 16, radius = 5 + rng.NextDouble() * 6;
            for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                double v = label switch
                {
                    0 => Math.Sin(y * frequency + phase),
                    1 => Math.Sin(x * frequency + phase),
                    2 => Math.Sin((x + y) * frequency * 0.7071 + phase),
                    _ => (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius ? 1.0 : -1.0,
                };
                pixels[(n * Size + y) * Size + x] = (float)(v + Gaussian(rng) * 0.8);
            }
        }
        return (tensor(pixels, new long[] { count, 1, Size, Size }), tensor(labels));
    }

    static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
