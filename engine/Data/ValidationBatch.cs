using PruneCluster.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Data;

/// <summary>
/// One rect batch, in the order YOLOv7's test loader yields it. Pixels stay uint8 in the shared store; every
/// Create* call makes a NEW tensor that the caller owns (dispose it, or create it inside a dispose scope).
/// </summary>
public sealed class ValidationBatch
{
    private readonly ValidationSet _owner;
    private readonly LetterboxedBatch _batch;

    internal ValidationBatch(ValidationSet owner, int index, LetterboxedBatch batch, IReadOnlyList<ValidationImage> images)
    {
        _owner = owner;
        _batch = batch;
        Index = index;
        Images = images;
    }

    public int Index { get; }

    /// <summary>The batch's network input height and width (the rect shape).</summary>
    public int Height => _batch.Height;

    public int Width => _batch.Width;

    public int Count => Images.Count;

    public IReadOnlyList<ValidationImage> Images { get; }

    /// <summary>Letterboxed pixels: uint8 RGB, [Count, 3, Height, Width] row-major. Throws once the set is disposed.</summary>
    public ReadOnlyMemory<byte> Pixels
    {
        get
        {
            _owner.ThrowIfDisposed();
            return _batch.Pixels;
        }
    }

    /// <summary>The network input: float32 [Count, 3, Height, Width], RGB, values / 255 (test.py's img.float() / 255).</summary>
    public Tensor CreateImages(Device? device = null)
    {
        _owner.ThrowIfDisposed();
        using var scope = NewDisposeScope();
        // frombuffer views the cached array without copying it; to_type then makes the float32 copy, so the
        // shared uint8 pixels are never written.
        var bytes = torch.frombuffer(_batch.Pixels, ScalarType.Byte).view(Count, 3, Height, Width);
        using var n = new KeptScalars();
        var images = bytes.to_type(ScalarType.Float32).div_(n.Of(255.0));
        return (device is null ? images : images.to(device)).MoveToOuterDisposeScope();
    }

    /// <summary>collate_fn's targets: float32 [n, 6] rows (image index in batch, class, xc, yc, w, h normalised to the letterboxed image).</summary>
    public Tensor CreateTargets(Device? device = null)
    {
        var rows = Images.SelectMany((image, i) => image.Targets.SelectMany(t =>
            new[] { i, (float)t.Class, t.CenterX, t.CenterY, t.Width, t.Height })).ToArray();
        var targets = torch.tensor(rows, [rows.Length / 6, 6]);
        return device is null ? targets : targets.to(device);
    }
}
