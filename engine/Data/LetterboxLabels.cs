namespace PruneCluster.Engine.Data;

/// <summary>
/// Moves normalised labels into letterboxed pixels along YOLOv7's own float32 path, so the boxes equal test.py's to
/// the bit: xywhn2xyxy with the letterbox scale and padding (__getitem__), back to xywh normalised by the letterboxed
/// size (what collate hands over as targets), then test.py's "targets *= [W, H, W, H]" and xywh2xyxy.
/// </summary>
internal static class LetterboxLabels
{
    /// <summary>The targets row collate_fn produces: centre and size as fractions of the letterboxed image.</summary>
    public static NormalizedLabel ToTarget(NormalizedLabel label, int resizedHeight, int resizedWidth, LetterboxGeometry plan)
    {
        // numpy casts the Python scalars (ratio * w, padding) to float32 before the float32 array arithmetic.
        var scaleX = (float)(plan.Ratio * resizedWidth);
        var scaleY = (float)(plan.Ratio * resizedHeight);
        var (padX, padY) = ((float)plan.PadWidth, (float)plan.PadHeight);
        var x1 = scaleX * (label.CenterX - label.Width / 2f) + padX;
        var y1 = scaleY * (label.CenterY - label.Height / 2f) + padY;
        var x2 = scaleX * (label.CenterX + label.Width / 2f) + padX;
        var y2 = scaleY * (label.CenterY + label.Height / 2f) + padY;
        var (width, height) = ((float)plan.Width, (float)plan.Height);
        return new NormalizedLabel(label.Class, (x1 + x2) / 2f / width, (y1 + y2) / 2f / height, (x2 - x1) / width, (y2 - y1) / height);
    }

    /// <summary>test.py: targets[:, 2:] *= [W, H, W, H]; tbox = xywh2xyxy(...).</summary>
    public static PixelLabel ToPixels(NormalizedLabel target, LetterboxGeometry plan)
    {
        var (width, height) = ((float)plan.Width, (float)plan.Height);
        var (centerX, centerY) = (target.CenterX * width, target.CenterY * height);
        var (boxWidth, boxHeight) = (target.Width * width, target.Height * height);
        return new PixelLabel(target.Class, centerX - boxWidth / 2f, centerY - boxHeight / 2f, centerX + boxWidth / 2f, centerY + boxHeight / 2f);
    }
}
