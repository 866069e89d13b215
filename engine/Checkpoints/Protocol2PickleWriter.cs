using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Emits protocol-2 pickle opcodes, all of which torch's <c>weights_only</c> unpickler (1.13) accepts except BINFLOAT
/// (<see cref="Float"/>), GLOBALs outside its allow-list and NEWOBJ/BUILD of other classes (no SHORT_BINUNICODE or
/// BINBYTES, which are protocol 3+). Dict and list items go in batches of 1000 like CPython's
/// pickler, which <see cref="PickledOrderedDict"/> relies on to restore order when reading back.
/// </summary>
internal sealed class Protocol2PickleWriter
{
    private const int BatchSize = PickledOrderedDict.PickleBatchSize;
    private readonly MemoryStream _out = new();

    public Protocol2PickleWriter()
    {
        _out.Write([0x80, 2]); // PROTO 2
    }

    public byte[] Finish()
    {
        _out.WriteByte((byte)'.'); // STOP
        return _out.ToArray();
    }

    public void Mark() => _out.WriteByte((byte)'(');

    public void None() => _out.WriteByte((byte)'N');

    public void Bool(bool value) => _out.WriteByte(value ? (byte)0x88 : (byte)0x89); // NEWTRUE / NEWFALSE

    public void Global(string module, string name)
    {
        _out.WriteByte((byte)'c');
        _out.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    /// <summary>Calls the callable below its argument tuple (REDUCE).</summary>
    public void Reduce() => _out.WriteByte((byte)'R');

    /// <summary>Pops a persistent id tuple and resolves it (BINPERSID).</summary>
    public void PersistentId() => _out.WriteByte((byte)'Q');

    public void String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        _out.WriteByte((byte)'X'); // BINUNICODE
        WriteUInt32((uint)bytes.Length);
        _out.Write(bytes);
    }

    public void Int(long value)
    {
        if (value is >= 0 and <= byte.MaxValue)
        {
            _out.WriteByte((byte)'K'); // BININT1
            _out.WriteByte((byte)value);
        }
        else if (value is > byte.MaxValue and <= ushort.MaxValue)
        {
            _out.WriteByte((byte)'M'); // BININT2
            Span<byte> buffer = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)value);
            _out.Write(buffer);
        }
        else if (value is >= int.MinValue and <= int.MaxValue)
        {
            _out.WriteByte((byte)'J'); // BININT
            WriteUInt32((uint)(int)value);
        }
        else
        {
            var bytes = new BigInteger(value).ToByteArray(); // little-endian two's complement, minimal length
            _out.WriteByte(0x8a); // LONG1
            _out.WriteByte((byte)bytes.Length);
            _out.Write(bytes);
        }
    }

    public void Float(double value)
    {
        _out.WriteByte((byte)'G'); // BINFLOAT, big-endian IEEE 754
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(buffer, value);
        _out.Write(buffer);
    }

    /// <summary>A tuple of already-written items: TUPLE1..3 for short ones, MARK … TUPLE otherwise.</summary>
    public void Tuple(int count, Action<Protocol2PickleWriter> writeItems)
    {
        if (count is 0)
        {
            _out.WriteByte((byte)')'); // EMPTY_TUPLE
            return;
        }
        if (count > 3)
            Mark();
        writeItems(this);
        _out.WriteByte(count switch { 1 => 0x85, 2 => 0x86, 3 => 0x87, _ => (byte)'t' });
    }

    public void Ints(IReadOnlyList<long> values) => Tuple(values.Count, w =>
    {
        foreach (var value in values)
            w.Int(value);
    });

    /// <summary>Writes the items of a dict already on the stack (EMPTY_DICT or OrderedDict()), in batches.</summary>
    public void DictItems<T>(IReadOnlyList<KeyValuePair<string, T>> items, Action<Protocol2PickleWriter, string, T> writeValue)
    {
        for (var start = 0; start < items.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, items.Count - start);
            if (count > 1)
                Mark();
            for (var i = start; i < start + count; i++)
            {
                String(items[i].Key);
                writeValue(this, items[i].Key, items[i].Value);
            }
            _out.WriteByte(count > 1 ? (byte)'u' : (byte)'s'); // SETITEMS / SETITEM
        }
    }

    public void EmptyDict() => _out.WriteByte((byte)'}');

    public void OrderedDict<T>(IReadOnlyList<KeyValuePair<string, T>> items, Action<Protocol2PickleWriter, string, T> writeValue)
    {
        Global("collections", "OrderedDict");
        Tuple(0, _ => { });
        Reduce();
        DictItems(items, writeValue);
    }

    /// <summary>Writes a list: EMPTY_LIST, then its items in batches (APPENDS, or APPEND for a batch of one).</summary>
    public void List<T>(IReadOnlyList<T> items, Action<Protocol2PickleWriter, int, T> writeItem)
    {
        _out.WriteByte((byte)']'); // EMPTY_LIST
        for (var start = 0; start < items.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, items.Count - start);
            if (count > 1)
                Mark();
            for (var i = start; i < start + count; i++)
                writeItem(this, i, items[i]);
            _out.WriteByte(count > 1 ? (byte)'e' : (byte)'a'); // APPENDS / APPEND
        }
    }

    /// <summary>Creates an instance of the class below an argument tuple, without calling __init__ (NEWOBJ).</summary>
    public void NewObj() => _out.WriteByte(0x81);

    /// <summary>Applies the state on top of the stack to the instance below it (BUILD).</summary>
    public void Build() => _out.WriteByte((byte)'b');

    /// <summary>Stores the top of the stack in memo slot <paramref name="index"/> (BINPUT / LONG_BINPUT).</summary>
    public void Put(int index)
    {
        if (index <= byte.MaxValue)
        {
            _out.WriteByte((byte)'q');
            _out.WriteByte((byte)index);
            return;
        }
        _out.WriteByte((byte)'r');
        WriteUInt32((uint)index);
    }

    /// <summary>Pushes memo slot <paramref name="index"/> again (BINGET / LONG_BINGET).</summary>
    public void Get(int index)
    {
        if (index <= byte.MaxValue)
        {
            _out.WriteByte((byte)'h');
            _out.WriteByte((byte)index);
            return;
        }
        _out.WriteByte((byte)'j');
        WriteUInt32((uint)index);
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        _out.Write(buffer);
    }
}
