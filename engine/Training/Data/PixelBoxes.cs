using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>YOLOv7's label conversions between normalised centre boxes and pixel corner boxes (utils/general.py).</summary>
internal static class PixelBoxes
{
    /// <summary>xywhn2xyxy: a label normalised to an image drawn w x h pixels large at offset (padw, padh).</summary>
    public static PixelLabel FromNormalized(NormalizedLabel l, double w, double h, double padw, double padh) => new(l.Class,
        (float)(w * (l.CenterX - l.Width / 2.0) + padw), (float)(h * (l.CenterY - l.Height / 2.0) + padh),
        (float)(w * (l.CenterX + l.Width / 2.0) + padw), (float)(h * (l.CenterY + l.Height / 2.0) + padh));

    /// <summary>xyxy2xywh then division by the image size: the label format the loss consumes.</summary>
    public static NormalizedLabel ToNormalized(PixelLabel b, int width, int height) => new(b.Class,
        (b.X1 + b.X2) / 2f / width, (b.Y1 + b.Y2) / 2f / height, (b.X2 - b.X1) / width, (b.Y2 - b.Y1) / height);

    /// <summary>np.clip(labels[:, 1:], 0, limit): every corner into [0, limit].</summary>
    public static PixelLabel Clip(PixelLabel b, float limit) => b with
    {
        X1 = Math.Clamp(b.X1, 0, limit), Y1 = Math.Clamp(b.Y1, 0, limit),
        X2 = Math.Clamp(b.X2, 0, limit), Y2 = Math.Clamp(b.Y2, 0, limit),
    };
}
