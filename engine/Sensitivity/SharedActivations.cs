using System.Diagnostics;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Models;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// The unpruned model's activations that the variants of a fast analysis take instead of computing, per batch of the
/// validation set: what <see cref="SharedForward"/> says the variants still to run read.
/// <para>
/// Batches whose activations fit the byte budget (planned up front from a one-image probe of every row's size) are
/// <em>resident</em>: computed once, on first use, for all remaining variants, and kept on the model's device, so the
/// unpruned forward runs once per batch for the whole analysis. The other batches are computed again for every group
/// of variants evaluated together, only as far as that group reads. When a variant finishes, what no remaining variant
/// reads is released; the needs of the remaining variants only shrink, so a resident batch holds them. A group that
/// reads something a resident batch does not hold (variants added after the batch was filled, or evaluated again after
/// their rows were released) gets it computed for that call, like a batch that is not kept.
/// </para>
/// </summary>
internal sealed class SharedActivations : IDisposable
{
    private readonly YoloModel fused;
    private readonly List<SensitivityVariant> remaining;
    private readonly bool[] resident;
    private readonly CachedBatch?[] cached;
    private readonly int headRow;
    private readonly IReadOnlyList<int> headInputs;
    private SharedForward union;

    private sealed record CachedBatch(Tensor?[] Rows, Tensor?[] Levels, long Ticks, int Consumers);

    /// <summary>What the variants of a group take for one batch: the unpruned rows (each variant fills its own copy of
    /// the array) and decoded detection levels they read, and the unpruned forward's time charged to each of them.</summary>
    public readonly record struct Lease(Tensor?[] Rows, Tensor?[] Levels, long TicksPerVariant);

    public SharedActivations(YoloModel fused, IReadOnlyList<ValidationBatch> batches, IEnumerable<SensitivityVariant> variants, long budgetBytes, int gridSize)
    {
        this.fused = fused;
        remaining = variants.ToList();
        headRow = fused.Cfg.Layers.Count - 1;
        headInputs = fused.Cfg.Layers[headRow].ResolvedFrom;
        union = SharedForward.For(fused.Cfg, fused.Head.Levels, remaining);
        cached = new CachedBatch?[batches.Count];
        resident = new bool[batches.Count];
        var (rowBytes, levelBytes) = BytesPerPixel(gridSize);
        var perPixel = union.Keep.Select((keep, r) => keep ? rowBytes[r] : 0).Sum() +
                       union.LevelShared.Select((shared, i) => shared ? levelBytes[i] : 0).Sum();
        var planned = 0L;
        foreach (var batch in batches)
        {
            var bytes = (long)Math.Ceiling(perPixel * batch.Count * batch.Height * batch.Width);
            NeededBytes += bytes;
            if (planned + bytes > budgetBytes)
                continue;
            resident[batch.Index] = true;
            planned += bytes;
        }
    }

    /// <summary>Whether every batch is resident: then variants need not be grouped.</summary>
    public bool AllResident => resident.All(r => r);

    /// <summary>Batches kept for the whole analysis.</summary>
    public int ResidentBatches => resident.Count(r => r);

    /// <summary>What keeping every batch would take at most.</summary>
    public long NeededBytes { get; }

    /// <summary>Bytes of activations held now, and the most held at any time.</summary>
    public long Bytes { get; private set; }

    public long PeakBytes { get; private set; }

    /// <summary>Time spent computing resident batches: a one-off cost the time estimate leaves out.</summary>
    public long FillTicks { get; private set; }

    /// <summary>
    /// The unpruned rows and levels the variants of <paramref name="group"/> read for <paramref name="batch"/>.
    /// Tensors computed for this call belong to the caller's dispose scope; resident ones belong to this object, and
    /// the caller must not release them (RunLayers's <c>keep</c> for each variant's unaffected rows).
    /// </summary>
    public Lease For(ValidationBatch batch, Func<Tensor> images, IReadOnlyList<SensitivityVariant> group)
    {
        var needs = SharedForward.For(fused.Cfg, fused.Head.Levels, group);
        if (resident[batch.Index])
        {
            if (cached[batch.Index] is not { } entry)
            {
                var fill = Stopwatch.StartNew();
                var (kept, keptLevels) = Compute(union, images);
                foreach (var t in kept.Concat(keptLevels))
                    t?.DetachFromDisposeScope();
                entry = cached[batch.Index] = new CachedBatch(kept, keptLevels, fill.Elapsed.Ticks, Math.Max(1, remaining.Count));
                FillTicks += entry.Ticks;
                Bytes += kept.Concat(keptLevels).Sum(SizeOf);
                PeakBytes = Math.Max(PeakBytes, Bytes);
            }
            if (Holds(entry, needs))
                return new Lease(entry.Rows, entry.Levels, entry.Ticks / entry.Consumers);
        }
        // Not kept, or the kept rows lack what this group reads (a variant never announced, or asked for again after
        // its rows were released): compute what the group reads, for this call only.
        var clock = Stopwatch.StartNew();
        var (rows, levels) = Compute(needs, images);
        return new Lease(rows, levels, clock.Elapsed.Ticks / group.Count);
    }

    /// <summary>Adds variants still to come: what they read is kept from now on (batches filled before are not refilled).</summary>
    public void Expect(IEnumerable<SensitivityVariant> variants)
    {
        remaining.AddRange(variants.Where(v => !remaining.Contains(v)));
        union = SharedForward.For(fused.Cfg, fused.Head.Levels, remaining);
    }

    private static bool Holds(CachedBatch entry, SharedForward needs) =>
        needs.Keep.Select((keep, r) => !keep || entry.Rows[r] is not null).All(held => held)
        && needs.LevelShared.Select((shared, i) => !shared || entry.Levels[i] is not null).All(held => held);

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

    private (Tensor?[] Rows, Tensor?[] Levels) Compute(SharedForward forward, Func<Tensor> images)
    {
        var rows = new Tensor?[fused.Cfg.Layers.Count];
        if (forward.Any)
            fused.RunLayers(images(), 0, rows, _ => { }, keep: r => forward.Keep[r], stopBefore: headRow, run: r => forward.Run[r]);
        var levels = forward.LevelShared.Select((shared, i) => shared ? fused.Head.InferenceLevel(i, rows[headInputs[i]]!) : null).ToArray();
        return (rows, levels);
    }

    // Every row's and level's bytes per input pixel, from one image whose sides are a multiple of every stride (as the
    // set's rect batch shapes are), so that sizes scale exactly with the batch's pixels.
    private (double[] Rows, double[] Levels) BytesPerPixel(int gridSize)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var side = 2 * gridSize;
        var device = fused.parameters().First().device;
        var rows = new Tensor?[fused.Cfg.Layers.Count];
        double[] levels = [];
        fused.RunLayers(zeros(1, fused.Cfg.InputChannels, side, side, device: device), 0, rows,
            heads => levels = Enumerable.Range(0, fused.Head.Levels).Select(i => (double)SizeOf(fused.Head.InferenceLevel(i, heads[i]!))).ToArray(),
            keep: _ => true, run: r => fused.InferenceRows[r]);
        double pixels = side * side;
        return (rows.Select(t => SizeOf(t) / pixels).ToArray(), levels.Select(b => b / pixels).ToArray());
    }

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
