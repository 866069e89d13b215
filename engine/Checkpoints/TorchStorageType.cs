using TorchSharp;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// The legacy typed-storage classes (<c>torch.FloatStorage</c> …) that torch.save names in a storage's persistent id:
/// they are how the pickle says which dtype the raw bytes of <c>data/&lt;key&gt;</c> hold.
/// </summary>
internal sealed record TorchStorageType(string ClassName, torch.ScalarType DType, int ElementSize)
{
    private static readonly TorchStorageType[] Known =
    [
        new("HalfStorage", torch.ScalarType.Float16, 2),
        new("FloatStorage", torch.ScalarType.Float32, 4),
        new("DoubleStorage", torch.ScalarType.Float64, 8),
        new("BFloat16Storage", torch.ScalarType.BFloat16, 2),
        new("LongStorage", torch.ScalarType.Int64, 8),
        new("IntStorage", torch.ScalarType.Int32, 4),
        new("ShortStorage", torch.ScalarType.Int16, 2),
        new("CharStorage", torch.ScalarType.Int8, 1),
        new("ByteStorage", torch.ScalarType.Byte, 1),
        new("BoolStorage", torch.ScalarType.Bool, 1),
    ];

    public const string Module = "torch";

    public static TorchStorageType? FromPickleName(string module, string name) =>
        module == Module ? Known.FirstOrDefault(t => t.ClassName == name) : null;

    public static TorchStorageType? FromDType(torch.ScalarType dtype) => Known.FirstOrDefault(t => t.DType == dtype);

    public static string SupportedNames => string.Join(", ", Known.Select(t => $"{Module}.{t.ClassName}"));

    public bool IsFloatingPoint => DType is torch.ScalarType.Float16 or torch.ScalarType.Float32
        or torch.ScalarType.Float64 or torch.ScalarType.BFloat16;
}
