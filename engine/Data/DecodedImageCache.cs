using System.Collections.Concurrent;

namespace PruneCluster.Engine.Data;

/// <summary>
/// Decoded stores that live sets share, so a split is decoded once per owner of this cache (a CLI process, a silo)
/// instead of once per <see cref="ValidationSet"/>: held by weak references, so a disposed and forgotten set frees its
/// pixels. Injected through <see cref="ValidationSetOptions.SharedImages"/> (the engine keeps no process-wide cache);
/// safe to share between threads, since a store is only read once built.
/// </summary>
public sealed class DecodedImageCache
{
    private readonly ConcurrentDictionary<string, WeakReference<LetterboxedImageStore>> live = new();

    internal LetterboxedImageStore? Find(string key)
    {
        if (live.TryGetValue(key, out var weak) && weak.TryGetTarget(out var store))
            return store;
        live.TryRemove(key, out _);
        return null;
    }

    internal void Remember(LetterboxedImageStore store)
    {
        foreach (var (key, weak) in live)
        {
            if (!weak.TryGetTarget(out _))
                live.TryRemove(key, out _);
        }
        live[store.Key] = new WeakReference<LetterboxedImageStore>(store);
    }
}
