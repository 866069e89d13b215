namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// YOLOv7 test.py's <c>--save-json</c> entry for one final prediction, as pycocotools then reads it back:
/// <c>xyxy2xywh</c> on the tensor, centre moved to the top-left corner, <c>round(x, 3)</c> for the box and
/// <c>round(conf, 5)</c> for the score (the json round-trips these exactly).
/// </summary>
internal static class CocoResults
{
    /// <param name="dtype">float32 (a model's tensors) does the box arithmetic in single precision, as torch does.</param>
    public static CocoDetection FromPrediction(double x1, double y1, double x2, double y2, double conf, int categoryId, DetectionDType dtype)
    {
        double x, y, w, h;
        if (dtype == DetectionDType.Float32)
        {
            var (fx1, fy1, fx2, fy2) = ((float)x1, (float)y1, (float)x2, (float)y2);
            var (cx, cy, fw, fh) = ((fx1 + fx2) / 2f, (fy1 + fy2) / 2f, fx2 - fx1, fy2 - fy1);
            (x, y, w, h) = (cx - fw / 2f, cy - fh / 2f, fw, fh);
        }
        else
        {
            var (cx, cy) = ((x1 + x2) / 2, (y1 + y2) / 2);
            (w, h) = (x2 - x1, y2 - y1);
            (x, y) = (cx - w / 2, cy - h / 2);
        }
        return new CocoDetection(categoryId, PythonFloat.Round(x, 3), PythonFloat.Round(y, 3), PythonFloat.Round(w, 3),
            PythonFloat.Round(h, 3), PythonFloat.Round(conf, 5));
    }
}
