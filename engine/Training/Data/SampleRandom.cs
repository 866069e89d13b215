namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// The random stream of one training sample: xoshiro256** seeded from (seed, epoch, index) through SplitMix64, so a
/// sample's augmentation depends on nothing else — not the worker that builds it, nor the order samples are built in.
/// Not Python's Mersenne Twister: the draws are equal to YOLOv7's in distribution, not value by value.
/// </summary>
internal sealed class SampleRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SampleRandom(long seed, long epoch, long index)
    {
        var x = Mix((ulong)seed);
        x = Mix(x ^ (ulong)epoch);
        x = Mix(x ^ (ulong)index);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The stream an epoch's shuffle draws from (index -1 is no sample's).</summary>
    public static SampleRandom ForShuffle(long seed, long epoch) => new(seed, epoch, -1);

    /// <summary>Python's random.random(): uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Python's random.uniform(a, b) = a + (b - a) * random().</summary>
    public double Uniform(double a, double b) => a + (b - a) * NextDouble();

    /// <summary>Unbiased integer in [0, n) (random.choice / randint's job).</summary>
    public int Below(int n)
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "needs at least one choice");
        var limit = ulong.MaxValue - ulong.MaxValue % (ulong)n;
        ulong r;
        do
            r = Next();
        while (r >= limit);
        return (int)(r % (ulong)n);
    }

    /// <summary>
    /// np.random.beta(8, 8), the mixup ratio: the 8th smallest of 15 uniforms has exactly the Beta(8, 15 + 1 - 8)
    /// distribution (order statistics of the uniform), no gamma sampler needed.
    /// </summary>
    public double Beta8x8()
    {
        Span<double> u = stackalloc double[15];
        for (var i = 0; i < u.Length; i++)
            u[i] = NextDouble();
        u.Sort();
        return u[7];
    }

    private ulong Next()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    private static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
