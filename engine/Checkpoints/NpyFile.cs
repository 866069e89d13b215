using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// NumPy's .npy format (versions 1–3): the magic <c>\x93NUMPY</c>, a version, a header length, a Python-literal
/// header dict (<c>descr</c>, <c>fortran_order</c>, <c>shape</c>) and the raw array bytes. Little-endian
/// float32 / float64 / int64 arrays in C order are supported, which is what the golden data uses.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int HeaderAlignment = 64;

    private static readonly (string Descr, torch.ScalarType DType, int Size)[] Types =
    [
        ("<f4", torch.ScalarType.Float32, 4),
        ("<f8", torch.ScalarType.Float64, 8),
        ("<i8", torch.ScalarType.Int64, 8),
    ];

    private const string Supported = "little-endian float32 (<f4), float64 (<f8) or int64 (<i8) in C order";

    /// <summary>Reads the array as a CPU tensor of the file's dtype.</summary>
    public static torch.Tensor Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new NpyFileException(path, "file not found", "check the path");
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NpyFileException(path, $"cannot be read ({e.Message})", "check that the file is readable", e);
        }
        var (descr, fortranOrder, shape, dataStart) = ParseHeader(path, file);
        var type = Types.FirstOrDefault(t => t.Descr == descr);
        if (type.Descr == null || fortranOrder)
            throw new NpyFileException(path, $"array is {(fortranOrder ? "Fortran-ordered" : $"of dtype '{descr}'")}, not {Supported}",
                "save it with np.save(path, np.ascontiguousarray(a, dtype='<f4'))");
        var count = shape.Aggregate(1L, (product, dim) => product * dim);
        var byteCount = count * type.Size;
        if (file.Length - dataStart < byteCount)
            throw new NpyFileException(path, $"holds {file.Length - dataStart} data bytes but shape ({string.Join(", ", shape)}) needs {byteCount}",
                "the file is truncated; copy or save it again");
        var tensor = torch.empty(shape, type.DType);
        if (byteCount > 0)
            tensor.bytes = file.AsSpan(dataStart, (int)byteCount);
        return tensor;
    }

    /// <summary>Writes a float32, float64 or int64 tensor (any device, any layout) as a version-1 .npy file.</summary>
    public static void Write(string path, torch.Tensor tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensor);
        var type = Types.FirstOrDefault(t => t.DType == tensor.dtype);
        if (type.Descr == null)
            throw new ArgumentException($"tensor dtype {tensor.dtype} cannot be written to {path}; convert it to float32, float64 or int64", nameof(tensor));
        var header = BuildHeader(type.Descr, tensor.shape);
        try
        {
            AtomicFile.Write(path, stream =>
            {
                stream.Write(header);
                using var scope = torch.NewDisposeScope();
                var cpu = tensor.detach().cpu().contiguous();
                if (cpu.numel() > 0)
                    stream.Write(cpu.bytes);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NpyFileException(path, $"cannot be written ({e.Message})", "check that the folder is writable and has free space", e);
        }
    }

    private static (string Descr, bool FortranOrder, long[] Shape, int DataStart) ParseHeader(string path, byte[] file)
    {
        const string fix = "pass a file written by numpy.save";
        if (file.Length < 10 || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new NpyFileException(path, "not a .npy file (no \\x93NUMPY magic)", fix);
        var major = file[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8));
                headerStart = 10;
                break;
            case 2 or 3 when file.Length >= 12:
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8)));
                headerStart = 12;
                break;
            default:
                throw new NpyFileException(path, $"unsupported .npy version {major}", "save it with numpy.save");
        }
        if (file.Length < headerStart + headerLength)
            throw new NpyFileException(path, "the header is truncated", fix);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(file, headerStart, headerLength);
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new NpyFileException(path, $"the header '{header.Trim()}' lacks descr, fortran_order or shape", fix);
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = new long[dims.Length];
        for (var i = 0; i < dims.Length; i++)
        {
            if (!long.TryParse(dims[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]))
                throw new NpyFileException(path, $"the shape '({shape.Groups[1].Value})' is not a tuple of sizes", fix);
        }
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", parsed, headerStart + headerLength);
    }

    /// <summary>numpy's layout: the dict literal padded with spaces and a newline so the data starts on a 64-byte boundary.</summary>
    private static byte[] BuildHeader(string descr, long[] shape)
    {
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        var prefixLength = Magic.Length + 2 + 2;
        var total = prefixLength + dict.Length + 1;
        var padded = dict + new string(' ', (HeaderAlignment - total % HeaderAlignment) % HeaderAlignment) + "\n";
        var header = new byte[prefixLength + padded.Length];
        Magic.CopyTo(header, 0);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), checked((ushort)padded.Length));
        Encoding.ASCII.GetBytes(padded, header.AsSpan(prefixLength));
        return header;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
