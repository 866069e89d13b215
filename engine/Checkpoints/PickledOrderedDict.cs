using System.Collections;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// <c>collections.OrderedDict</c> as Razorvine's unpickler sees it. Razorvine's SETITEM(S) opcodes insert into a
/// <see cref="Hashtable"/> (so the type must derive from it) and SETITEMS inserts each batch last-to-first. CPython's
/// pickler writes dict items in batches of <see cref="PickleBatchSize"/> (pickle._BATCHSIZE), so reversing every run
/// of that many recorded insertions restores the original order, which PyTorch relies on for module children and
/// state_dict keys.
/// </summary>
internal sealed class PickledOrderedDict : Hashtable
{
    public const int PickleBatchSize = 1000;

    private readonly List<object> _insertions = [];

    public override object? this[object key]
    {
        get => base[key];
        set
        {
            if (!ContainsKey(key))
                _insertions.Add(key);
            base[key] = value;
        }
    }

    public override void Add(object key, object? value)
    {
        base.Add(key, value);
        _insertions.Add(key);
    }

    public override void Remove(object key)
    {
        base.Remove(key);
        _insertions.Remove(key);
    }

    public override void Clear()
    {
        base.Clear();
        _insertions.Clear();
    }

    /// <summary>
    /// Instance attributes pickled after the items (BUILD), e.g. the <c>_metadata</c> that
    /// <c>Module.state_dict()</c> attaches; kept only so such files load.
    /// </summary>
    public Hashtable? Attributes { get; private set; }

    /// <summary>Called by Razorvine's BUILD opcode.</summary>
    public void __setstate__(Hashtable state) => Attributes = state;

    /// <summary>Entries in the order the Python OrderedDict had them.</summary>
    public IEnumerable<KeyValuePair<object, object?>> OrderedEntries
    {
        get
        {
            for (var start = 0; start < _insertions.Count; start += PickleBatchSize)
            {
                var end = Math.Min(start + PickleBatchSize, _insertions.Count);
                for (var i = end - 1; i >= start; i--)
                    yield return new(_insertions[i], base[_insertions[i]]);
            }
        }
    }

    /// <summary>Entries of any unpickled dict: in Python order for an OrderedDict, hash order for a plain dict.</summary>
    public static IEnumerable<KeyValuePair<object, object?>> EntriesOf(Hashtable dict) =>
        dict is PickledOrderedDict ordered
            ? ordered.OrderedEntries
            : dict.Cast<DictionaryEntry>().Select(e => new KeyValuePair<object, object?>(e.Key, e.Value));
}
