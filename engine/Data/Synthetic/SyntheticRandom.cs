namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// SplitMix64: a tiny generator whose sequence is fixed by its definition, unlike System.Random (whose algorithm
/// .NET may change), so a seed gives the same data set with every runtime. One instance per image, seeded from
/// (data-set seed, image index), so images can be made in any order and on any thread.
/// </summary>
internal sealed class SyntheticRandom
{
    private ulong _state;

    private SyntheticRandom(ulong state) => _state = state;

    /// <summary>The generator of image <paramref name="index"/> of the data set with <paramref name="seed"/>.</summary>
    public static SyntheticRandom ForImage(long seed, int index) =>
        new(Mix(Mix((ulong)seed) ^ (ulong)index));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [min, max).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform whole number in [0, count).</summary>
    public int Next(int count) => (int)(NextDouble() * count);

    /// <summary>Uniform whole number in [min, max] (both included).</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    /// <summary>Log-uniform in [min, max): every scale equally likely (as many small objects per octave as large).</summary>
    public double LogUniform(double min, double max) => min * Math.Pow(max / min, NextDouble());

    public bool Chance(double probability) => NextDouble() < probability;

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
