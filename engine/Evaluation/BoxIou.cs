namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// IoU of two x1y1x2y2 boxes with the operation order of YOLOv7's <c>box_iou</c>
/// (<c>inter / (area1 + area2 - inter)</c>, negative overlaps clamped to 0), in float32 or float64.
/// </summary>
public static class BoxIou
{
    /// <summary>IoU in float64.</summary>
    public static double Float64(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2)
    {
        var area1 = (ax2 - ax1) * (ay2 - ay1);
        var area2 = (bx2 - bx1) * (by2 - by1);
        var w = Math.Max(Math.Min(ax2, bx2) - Math.Max(ax1, bx1), 0.0);
        var h = Math.Max(Math.Min(ay2, by2) - Math.Max(ay1, by1), 0.0);
        var inter = w * h;
        return inter / (area1 + area2 - inter);
    }

    /// <summary>IoU with inputs rounded to float32 and every step rounded to float32, as on float32 tensors.</summary>
    public static double Float32(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2) =>
        Float32((float)ax1, (float)ay1, (float)ax2, (float)ay2, (float)bx1, (float)by1, (float)bx2, (float)by2);

    /// <summary>IoU in float32.</summary>
    public static float Float32(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2)
    {
        var area1 = (ax2 - ax1) * (ay2 - ay1);
        var area2 = (bx2 - bx1) * (by2 - by1);
        var w = MathF.Max(MathF.Min(ax2, bx2) - MathF.Max(ax1, bx1), 0f);
        var h = MathF.Max(MathF.Min(ay2, by2) - MathF.Max(ay1, by1), 0f);
        var inter = w * h;
        return inter / (area1 + area2 - inter);
    }
}
