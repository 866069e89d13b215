using System.Diagnostics;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Models;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// The unpruned model's activations that the variants of a fast analysis take instead of computing, per batch of the
/// validation set: what <see cref="SharedForward"/> says the variants still to run read. A batch stays in memory (on
/// the model's device) while the total fits the byte budget, so the unpruned forward runs once per batch for the whole
/// analysis rather than once per variant. A batch that does not fit is computed again for every variant, only as far
/// as that variant reads. When a variant finishes, what no remaining variant reads is released.
/// </summary>
internal sealed class SharedActivations : IDisposable
{
    private readonly YoloModel fused;
    private readonly long budgetBytes;
    private readonly List<SensitivityVariant> remaining;
    private readonly CachedBatch?[] cached;
    private readonly int headRow;
    private readonly IReadOnlyList<int> headInputs;
    private SharedForward union;
    // Bytes per input pixel of every row and level, learnt from the first forward: whether a batch would fit is
    // then known before computing it for all remaining variants (a batch that will not be kept is computed only as
    // far as the asking variant reads).
    private double[]? rowBytesPerPixel;
    private double[]? levelBytesPerPixel;

    private sealed record CachedBatch(Tensor?[] Rows, Tensor?[] Levels, long Ticks, int Consumers);

    /// <summary>What a variant takes for one batch: the unpruned rows and raw detection levels it reads, and the
    /// share of the unpruned forward's time charged to it.</summary>
    public readonly record struct Lease(Tensor?[] Rows, Tensor?[] Levels, long Ticks);

    public SharedActivations(YoloModel fused, int batches, IEnumerable<SensitivityVariant> variants, long budgetBytes)
    {
        this.fused = fused;
        this.budgetBytes = budgetBytes;
        remaining = variants.ToList();
        cached = new CachedBatch?[batches];
        headRow = fused.Cfg.Layers.Count - 1;
        headInputs = fused.Cfg.Layers[headRow].ResolvedFrom;
        union = SharedForward.For(fused.Cfg, fused.Head.Levels, remaining);
    }

    /// <summary>Bytes of activations held now.</summary>
    public long Bytes { get; private set; }

    /// <summary>Most bytes held at any time.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Whether some batch was computed per variant because keeping it would have exceeded the budget.</summary>
    public bool OverBudget { get; private set; }

    /// <summary>Batches computed once and reused by every variant so far.</summary>
    public int CachedBatches => cached.Count(b => b != null);

    /// <summary>
    /// The unpruned rows and levels <paramref name="variant"/> reads for <paramref name="batch"/>. Tensors computed for
    /// this call belong to the caller's dispose scope; cached ones belong to this object, and the caller must not
    /// release them (RunLayers's <c>keep</c> for the variant's unaffected rows). The returned row array is the caller's
    /// to fill with the variant's own rows.
    /// </summary>
    public Lease For(ValidationBatch batch, Func<Tensor> images, SensitivityVariant variant)
    {
        if (cached[batch.Index] is { } hit)
            return new Lease((Tensor?[])hit.Rows.Clone(), hit.Levels, hit.Ticks / hit.Consumers);

        var clock = Stopwatch.StartNew();
        var pixels = (double)batch.Count * batch.Height * batch.Width;
        var mayKeep = rowBytesPerPixel == null || Bytes + Estimate(pixels) <= budgetBytes;
        var forward = mayKeep ? union : SharedForward.For(fused.Cfg, fused.Head.Levels, [variant]);
        var rows = new Tensor?[fused.Cfg.Layers.Count];
        if (forward.Any)
            fused.RunLayers(images(), 0, rows, _ => { }, keep: r => forward.Keep[r], stopBefore: headRow, run: r => forward.Run[r]);
        var levels = forward.LevelShared.Select((shared, i) => shared ? fused.Head.RawLevel(i, rows[headInputs[i]]!) : null).ToArray();
        var ticks = clock.Elapsed.Ticks;
        if (!mayKeep)
        {
            OverBudget = true;
            return new Lease(rows, levels, ticks);
        }

        rowBytesPerPixel ??= rows.Select(t => SizeOf(t) / pixels).ToArray();
        levelBytesPerPixel ??= levels.Select(t => SizeOf(t) / pixels).ToArray();
        var bytes = rows.Concat(levels).Sum(SizeOf);
        if (bytes == 0)
            return new Lease(rows, levels, ticks); // nothing to share (only variants of the first layers remain)
        if (Bytes + bytes > budgetBytes)
        {
            OverBudget = true;
            return new Lease(rows, levels, ticks);
        }

        foreach (var t in rows.Concat(levels))
            t?.DetachFromDisposeScope();
        cached[batch.Index] = new CachedBatch(rows, levels, ticks, remaining.Count);
        Bytes += bytes;
        PeakBytes = Math.Max(PeakBytes, Bytes);
        return new Lease((Tensor?[])rows.Clone(), levels, ticks / remaining.Count);
    }

    /// <summary>Releases what only <paramref name="variant"/> and variants finished before it read.</summary>
    public void Finished(SensitivityVariant variant)
    {
        remaining.Remove(variant);
        union = SharedForward.For(fused.Cfg, fused.Head.Levels, remaining);
        foreach (var batch in cached.OfType<CachedBatch>())
        {
            Release(batch.Rows, r => !union.Keep[r]);
            Release(batch.Levels, i => !union.LevelShared[i]);
        }
    }

    public void Dispose()
    {
        foreach (var batch in cached.OfType<CachedBatch>())
        {
            Release(batch.Rows, _ => true);
            Release(batch.Levels, _ => true);
        }
    }

    private double Estimate(double pixels) =>
        pixels * (union.Keep.Select((keep, r) => keep ? rowBytesPerPixel![r] : 0).Sum() +
                  union.LevelShared.Select((shared, i) => shared ? levelBytesPerPixel![i] : 0).Sum());

    private void Release(Tensor?[] tensors, Func<int, bool> unneeded)
    {
        for (var i = 0; i < tensors.Length; i++)
            if (tensors[i] is { } t && unneeded(i))
            {
                Bytes -= SizeOf(t);
                t.Dispose();
                tensors[i] = null;
            }
    }

    private static long SizeOf(Tensor? t) => t is null ? 0 : t.NumberOfElements * t.ElementSize;
}
