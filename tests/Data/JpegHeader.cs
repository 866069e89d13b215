using System.Buffers.Binary;

namespace PruneCluster.Tests.Data;

/// <summary>Reads a JPEG's size from its SOF marker, independently of OpenCV (what PIL's Image.size gives YOLOv7).</summary>
internal static class JpegHeader
{
    public static (int Height, int Width) Size(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var at = 2; // after SOI
        while (at + 9 < bytes.Length)
        {
            if (bytes[at] != 0xFF)
                throw new InvalidDataException($"{path}: bad JPEG marker at {at}");
            var marker = bytes[at + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2));
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry precision, height, width.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return (BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 5)), BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 7)));
            at += 2 + length;
        }
        throw new InvalidDataException($"{path}: no SOF marker");
    }
}
