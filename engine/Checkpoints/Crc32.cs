using System.Buffers.Binary;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// The zip CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320). The BCL only ships it in a separate package, so it
/// is computed here with the slicing-by-8 tables: eight bytes per step, which keeps checksumming a 150 MB checkpoint
/// well below the time it takes to write it.
/// </summary>
internal static class Crc32
{
    // Eight 256-entry tables back to back: entry [k * 256 + n] is the CRC of byte n followed by k zero bytes.
    private static readonly uint[] Tables = BuildTables();

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables;
        crc = ~crc;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[7 * 256 + (low & 0xFF)] ^ t[6 * 256 + ((low >> 8) & 0xFF)] ^ t[5 * 256 + ((low >> 16) & 0xFF)] ^ t[4 * 256 + (low >> 24)]
                ^ t[3 * 256 + (high & 0xFF)] ^ t[2 * 256 + ((high >> 8) & 0xFF)] ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            data = data[8..];
        }
        foreach (var b in data)
            crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            tables[n] = c;
        }
        for (var i = 256; i < tables.Length; i++)
            tables[i] = (tables[i - 256] >> 8) ^ tables[tables[i - 256] & 0xFF];
        return tables;
    }
}
