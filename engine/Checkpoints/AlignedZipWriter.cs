using System.Buffers.Binary;
using System.Text;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Writes an uncompressed ("stored") zip the way PyTorch's PyTorchStreamWriter does: each record's data starts on a
/// 64-byte boundary, reached by padding the local header with an extra field tagged "FB" filled with 'Z', so the
/// tensors can be memory-mapped (<c>torch.load(mmap=True)</c>). Records are limited to the classic 4 GiB zip
/// format, which covers every YOLOv7 checkpoint.
/// </summary>
internal sealed class AlignedZipWriter
{
    private const int Alignment = 64;
    private const int LocalHeaderSize = 30;
    private const ushort VersionNeeded = 20;
    private const ushort DosDate1980 = 0x0021; // 1980-01-01: fixed so identical content gives identical files

    private readonly Stream _out;
    private readonly string _path;
    private readonly List<(byte[] Name, uint Crc, uint Size, uint Offset)> _written = [];

    public AlignedZipWriter(Stream output, string path)
    {
        _out = output;
        _path = path;
    }

    public void AddRecord(string name, ReadOnlySpan<byte> data)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var offset = _out.Position;
        if (offset > uint.MaxValue || (long)data.Length > uint.MaxValue - offset)
            throw new CheckpointException(_path, "the checkpoint would exceed 4 GiB, which this writer does not support",
                "write a smaller model or split the state_dict");
        var dataStart = offset + LocalHeaderSize + nameBytes.Length + 4;
        var padding = (int)((Alignment - dataStart % Alignment) % Alignment);
        var crc = Crc32.Append(0, data);

        Span<byte> header = stackalloc byte[LocalHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0); // flags
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 0); // method: stored
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 0); // time
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], DosDate1980);
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], (uint)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)(4 + padding));
        _out.Write(header);
        _out.Write(nameBytes);
        Span<byte> extra = stackalloc byte[4 + padding];
        extra.Fill((byte)'Z');
        extra[0] = (byte)'F';
        extra[1] = (byte)'B';
        BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)padding);
        _out.Write(extra);
        _out.Write(data);
        _written.Add((nameBytes, crc, (uint)data.Length, (uint)offset));
    }

    /// <summary>Writes the central directory and end record; the archive is unreadable until this runs.</summary>
    public void Finish()
    {
        var directoryStart = _out.Position;
        Span<byte> entry = stackalloc byte[46];
        foreach (var (name, crc, size, offset) in _written)
        {
            entry.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(entry, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[4..], VersionNeeded); // made by
            BinaryPrimitives.WriteUInt16LittleEndian(entry[6..], VersionNeeded); // needed
            BinaryPrimitives.WriteUInt16LittleEndian(entry[14..], DosDate1980);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[24..], size);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[28..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[42..], offset);
            _out.Write(entry);
            _out.Write(name);
        }
        var directorySize = _out.Position - directoryStart;
        if (_written.Count > ushort.MaxValue || _out.Position > uint.MaxValue)
            throw new CheckpointException(_path, "the checkpoint has too many records or bytes for a classic zip",
                "write a smaller state_dict");
        Span<byte> end = stackalloc byte[22];
        end.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)_written.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)_written.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)directoryStart);
        _out.Write(end);
    }
}
