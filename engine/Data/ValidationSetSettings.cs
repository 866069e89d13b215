namespace PruneCluster.Engine.Data;

/// <summary>The preprocessing settings of a <see cref="ValidationSet"/> (test.py: --img, --batch, model stride, pad 0.5).</summary>
public sealed record ValidationSetSettings(string Split, int ImageSize, int BatchSize, int Stride, double Pad)
{
    internal void Validate()
    {
        if (Stride <= 0)
            throw new ArgumentOutOfRangeException(nameof(Stride), Stride, "stride must be positive (the model's largest stride, 32 for YOLOv7)");
        if (ImageSize <= 0 || ImageSize % Stride != 0)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize,
                $"image size must be a positive multiple of stride {Stride}; use {Math.Max(1, (ImageSize + Stride - 1) / Stride) * Stride} (YOLOv7's check_img_size rounds up the same way)");
        if (BatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch size must be at least 1");
        if (Pad < 0 || !double.IsFinite(Pad))
            throw new ArgumentOutOfRangeException(nameof(Pad), Pad, "pad must be a finite number >= 0 (test.py uses 0.5)");
    }
}
