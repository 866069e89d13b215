using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>
/// YOLOv7's <c>build_targets</c> / <c>find_3_positive</c> for one level: every target is tried against each anchor of
/// the level whose width and height ratios stay within <c>anchor_t</c>, in its own cell and in the two neighbouring
/// cells nearest its centre. With <see cref="FivePositive"/> (ComputeLossAuxOTA's <c>find_5_positive</c>, for the
/// auxiliary heads) the neighbours lie a whole cell away and all four are tried wherever the centre is more than one
/// cell from the grid's border. <see cref="Rows"/> holds the matched target rows in grid units
/// [image, class, x, y, w, h, anchor]; the cell indices are clamped to the grid as YOLOv7 does.
/// </summary>
internal sealed record AnchorCandidates(Tensor Image, Tensor Anchor, Tensor GridY, Tensor GridX, Tensor Rows, Tensor AnchorSize)
{
    /// <summary><c>find_3_positive</c>'s bias g: own cell plus the two neighbours within half a cell.</summary>
    public const double ThreePositive = 0.5;

    /// <summary><c>find_5_positive</c>'s bias g: own cell plus the four neighbours a whole cell away.</summary>
    public const double FivePositive = 1.0;

    /// <summary>Candidates of every level. <paramref name="targets"/>: [n, 6] normalised rows on the predictions' device;
    /// <paramref name="cellBias"/>: <see cref="ThreePositive"/> or <see cref="FivePositive"/>.</summary>
    public static AnchorCandidates[] Find(IReadOnlyList<Tensor> predictions, Tensor targets, Tensor anchors, double anchorT, double cellBias = ThreePositive)
    {
        var device = targets.device;
        var (na, nt) = (anchors.shape[1], targets.shape[0]);
        // [na, nt, 7]: every target once per anchor, with the anchor index appended.
        var anchorIndex = arange(na, device: device).to(ScalarType.Float32).view(na, 1).repeat(1, nt);
        var perAnchor = cat([targets.repeat(na, 1, 1), anchorIndex.unsqueeze(2)], 2);
        // Offsets of the own cell and of the right, lower, left and upper neighbours.
        var offsets = tensor(new float[] { 0, 0, 1, 0, 0, 1, -1, 0, 0, -1 }, device: device).view(5, 2) * cellBias;
        var result = new AnchorCandidates[predictions.Count];
        for (var i = 0; i < predictions.Count; i++)
        {
            var (ny, nx) = (predictions[i].shape[2], predictions[i].shape[3]);
            var gain = tensor(new long[] { 1, 1, nx, ny, nx, ny, 1 }, device: device);
            var levelAnchors = anchors[i];
            var t = perAnchor * gain;
            Tensor cellOffsets;
            if (nt > 0)
            {
                var ratio = t[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(4, 6)] / levelAnchors.unsqueeze(1);
                var fits = maximum(ratio, ratio.reciprocal()).max(2).values < anchorT;
                t = t[fits];
                var gxy = t[TensorIndex.Colon, TensorIndex.Slice(2, 4)];
                var inverse = gain[TensorIndex.Slice(2, 4)] - gxy;
                var nearLow = (gxy.remainder(1.0) < cellBias).logical_and(gxy > 1.0).T;
                var nearHigh = (inverse.remainder(1.0) < cellBias).logical_and(inverse > 1.0).T;
                var use = stack([ones_like(nearLow[0]), nearLow[0], nearLow[1], nearHigh[0], nearHigh[1]]);
                t = t.repeat(5, 1, 1)[use];
                cellOffsets = (zeros_like(gxy).unsqueeze(0) + offsets.unsqueeze(1))[use];
            }
            else
            {
                t = perAnchor[0];
                cellOffsets = zeros(1, 2, device: device);
            }
            var cell = (t[TensorIndex.Colon, TensorIndex.Slice(2, 4)] - cellOffsets).to(ScalarType.Int64);
            var anchor = t[TensorIndex.Colon, 6].to(ScalarType.Int64);
            result[i] = new AnchorCandidates(
                t[TensorIndex.Colon, 0].to(ScalarType.Int64), anchor,
                cell[TensorIndex.Colon, 1].clamp(0, ny - 1), cell[TensorIndex.Colon, 0].clamp(0, nx - 1),
                t, levelAnchors[anchor]);
        }
        return result;
    }

    /// <summary>ComputeLoss's targets: every candidate is a positive; the box is relative to its (clamped) cell.</summary>
    public LevelTargets AsTargets()
    {
        var cell = stack([GridX, GridY], 1);
        var box = cat([Rows[TensorIndex.Colon, TensorIndex.Slice(2, 4)] - cell, Rows[TensorIndex.Colon, TensorIndex.Slice(4, 6)]], 1);
        return new LevelTargets(Image, Anchor, GridY, GridX, box, Rows[TensorIndex.Colon, 1].to(ScalarType.Int64), AnchorSize);
    }
}
