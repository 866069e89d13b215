using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>Tensor box helpers with YOLOv7's operation order (<c>xywh2xyxy</c>, <c>box_iou</c>, <c>bbox_iou(CIoU=True)</c>).</summary>
internal static class BoxGeometry
{
    /// <summary>[n, 4] centre-size boxes to corners.</summary>
    public static Tensor Corners(Tensor xywh)
    {
        var (xy, wh) = (xywh[TensorIndex.Colon, TensorIndex.Slice(0, 2)], xywh[TensorIndex.Colon, TensorIndex.Slice(2, 4)]);
        return cat([xy - wh / 2, xy + wh / 2], 1);
    }

    /// <summary>IoU of every corner box in <paramref name="a"/> [n, 4] with every one in <paramref name="b"/> [m, 4]: [n, m].</summary>
    public static Tensor PairwiseIou(Tensor a, Tensor b)
    {
        static Tensor Area(Tensor box) => (box[TensorIndex.Colon, 2] - box[TensorIndex.Colon, 0]) * (box[TensorIndex.Colon, 3] - box[TensorIndex.Colon, 1]);
        var low = maximum(a[TensorIndex.Colon, TensorIndex.None, TensorIndex.Slice(null, 2)], b[TensorIndex.Colon, TensorIndex.Slice(null, 2)]);
        var high = minimum(a[TensorIndex.Colon, TensorIndex.None, TensorIndex.Slice(2, null)], b[TensorIndex.Colon, TensorIndex.Slice(2, null)]);
        var inter = (high - low).clamp(0).prod(2);
        return inter / (Area(a).unsqueeze(1) + Area(b) - inter);
    }

    /// <summary>
    /// Complete IoU of centre-size boxes, pairwise by row ([n, 4] each, same n): IoU minus the normalised centre distance
    /// and the aspect-ratio term, whose weight alpha is a constant for the gradient (as YOLOv7 computes it under no_grad).
    /// </summary>
    public static Tensor CompleteIou(Tensor box1, Tensor box2)
    {
        const double eps = 1e-7;
        var (b1x1, b1x2) = (box1[TensorIndex.Colon, 0] - box1[TensorIndex.Colon, 2] / 2, box1[TensorIndex.Colon, 0] + box1[TensorIndex.Colon, 2] / 2);
        var (b1y1, b1y2) = (box1[TensorIndex.Colon, 1] - box1[TensorIndex.Colon, 3] / 2, box1[TensorIndex.Colon, 1] + box1[TensorIndex.Colon, 3] / 2);
        var (b2x1, b2x2) = (box2[TensorIndex.Colon, 0] - box2[TensorIndex.Colon, 2] / 2, box2[TensorIndex.Colon, 0] + box2[TensorIndex.Colon, 2] / 2);
        var (b2y1, b2y2) = (box2[TensorIndex.Colon, 1] - box2[TensorIndex.Colon, 3] / 2, box2[TensorIndex.Colon, 1] + box2[TensorIndex.Colon, 3] / 2);

        var inter = (minimum(b1x2, b2x2) - maximum(b1x1, b2x1)).clamp(0) * (minimum(b1y2, b2y2) - maximum(b1y1, b2y1)).clamp(0);
        var (w1, h1) = (b1x2 - b1x1, b1y2 - b1y1 + eps);
        var (w2, h2) = (b2x2 - b2x1, b2y2 - b2y1 + eps);
        var union = w1 * h1 + w2 * h2 - inter + eps;
        var iou = inter / union;

        var cw = maximum(b1x2, b2x2) - minimum(b1x1, b2x1);
        var ch = maximum(b1y2, b2y2) - minimum(b1y1, b2y1);
        var c2 = cw.pow(2) + ch.pow(2) + eps;
        var rho2 = ((b2x1 + b2x2 - b1x1 - b1x2).pow(2) + (b2y1 + b2y2 - b1y1 - b1y2).pow(2)) / 4;
        var v = 4 / (Math.PI * Math.PI) * (atan(w2 / (h2 + eps)) - atan(w1 / (h1 + eps))).pow(2);
        Tensor alpha;
        using (no_grad())
            alpha = v / (v - iou + (1 + eps));
        return iou - (rho2 / c2 + v * alpha);
    }
}
