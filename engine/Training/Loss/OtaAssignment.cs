using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>
/// ComputeLossOTA's <c>build_targets</c>: per image, the anchor candidates of all levels compete for its targets. Each
/// target takes its k cheapest candidates (cost = class BCE of √(cls·obj) + 3·(−log IoU), k = the truncated sum of its
/// best IoUs — ten in ComputeLossOTA, twenty in ComputeLossAuxOTA —, at least 1); a candidate claimed by several
/// targets stays with the cheapest.
/// </summary>
internal static class OtaAssignment
{
    /// <summary>ComputeLossOTA's number of best IoUs summed into dynamic k.</summary>
    public const int OtaTopIous = 10;

    /// <summary>ComputeLossAuxOTA's (both its build_targets and build_targets2).</summary>
    public const int AuxOtaTopIous = 20;

    private const double IouCostWeight = 3.0;

    /// <param name="imageSize">YOLOv7 scales the normalised targets by <c>imgs[i].shape[1]</c>, the input height, on both axes.</param>
    /// <param name="topIous">How many best IoUs per target are summed into its k.</param>
    public static LevelTargets[] Assign(IReadOnlyList<Tensor> predictions, Tensor targets, AnchorCandidates[] candidates,
        IReadOnlyList<double> strides, int classes, long imageSize, int topIous)
    {
        var device = targets.device;
        var levels = predictions.Count;
        var perLevel = Enumerable.Range(0, levels).Select(_ => new List<LevelTargets>()).ToArray();
        using (no_grad())
        {
            for (var image = 0L; image < predictions[0].shape[0]; image++)
            {
                using var scope = NewDisposeScope();
                var matched = AssignImage(predictions, targets, candidates, strides, classes, imageSize, image, topIous);
                for (var i = 0; i < levels; i++)
                    if (matched != null)
                        perLevel[i].Add(MoveOut(matched[i]));
            }
        }
        return perLevel.Select(parts => parts.Count == 0 ? LevelTargets.Empty(device) : Concat(parts)).ToArray();
    }

    private static LevelTargets[]? AssignImage(IReadOnlyList<Tensor> predictions, Tensor targets, AnchorCandidates[] candidates,
        IReadOnlyList<double> strides, int classes, long imageSize, long image, int topIous)
    {
        var own = targets[targets[TensorIndex.Colon, 0].eq(image)];
        if (own.shape[0] == 0)
            return null;
        var targetCorners = BoxGeometry.Corners(own[TensorIndex.Colon, TensorIndex.Slice(2, 6)] * imageSize);

        var (images, anchors, gridYs, gridXs, anchorSizes, layer) = (new List<Tensor>(), new List<Tensor>(), new List<Tensor>(), new List<Tensor>(), new List<Tensor>(), new List<Tensor>());
        var boxes = new List<Tensor>();
        var objectness = new List<Tensor>();
        var scores = new List<Tensor>();
        for (var i = 0; i < predictions.Count; i++)
        {
            var c = candidates[i];
            var mine = c.Image.eq(image);
            var (b, a, gj, gi, anchorSize) = (c.Image[mine], c.Anchor[mine], c.GridY[mine], c.GridX[mine], c.AnchorSize[mine]);
            images.Add(b);
            anchors.Add(a);
            gridYs.Add(gj);
            gridXs.Add(gi);
            anchorSizes.Add(anchorSize);
            layer.Add(full(b.shape[0], i, ScalarType.Int64, device: targets.device));
            var prediction = predictions[i][b, a, gj, gi];
            objectness.Add(prediction[TensorIndex.Colon, TensorIndex.Slice(4, 5)]);
            scores.Add(prediction[TensorIndex.Colon, TensorIndex.Slice(5, null)]);
            var grid = stack([gi, gj], 1);
            var xy = (prediction[TensorIndex.Colon, TensorIndex.Slice(0, 2)].sigmoid() * 2.0 - 0.5 + grid) * strides[i];
            var wh = (prediction[TensorIndex.Colon, TensorIndex.Slice(2, 4)].sigmoid() * 2).pow(2) * anchorSize * strides[i];
            boxes.Add(BoxGeometry.Corners(cat([xy, wh], -1)));
        }
        var predictedCorners = cat(boxes, 0);
        var n = predictedCorners.shape[0];
        if (n == 0)
            return null;

        var iou = BoxGeometry.PairwiseIou(targetCorners, predictedCorners);
        var dynamicK = iou.topk((int)Math.Min(topIous, n), dim: 1).values.sum(1).to(ScalarType.Int32).clamp_min(1);
        var cost = Cost(own, iou, cat(scores, 0), cat(objectness, 0), classes);
        var (foreground, matchedIndex) = Match(cost, dynamicK);
        Tensor Matched(List<Tensor> parts) => cat(parts, 0)[foreground];
        var (allImages, allAnchors, allGridY, allGridX, allSizes, fromLayer) =
            (Matched(images), Matched(anchors), Matched(gridYs), Matched(gridXs), Matched(anchorSizes), Matched(layer));
        var matchedTarget = own[matchedIndex];

        var result = new LevelTargets[predictions.Count];
        for (var i = 0; i < predictions.Count; i++)
        {
            var here = fromLayer.eq(i);
            var (ny, nx) = (predictions[i].shape[2], predictions[i].shape[3]);
            var (b, a, gj, gi) = (allImages[here], allAnchors[here], allGridY[here], allGridX[here]);
            var rows = matchedTarget[here];
            // ComputeLossOTA's selected_tbox: the matched target in grid units, its centre relative to the cell.
            var box = rows[TensorIndex.Colon, TensorIndex.Slice(2, 6)] * tensor(new long[] { nx, ny, nx, ny }, device: targets.device);
            box = cat([box[TensorIndex.Colon, TensorIndex.Slice(0, 2)] - stack([gi, gj], 1), box[TensorIndex.Colon, TensorIndex.Slice(2, 4)]], 1);
            result[i] = new LevelTargets(b, a, gj, gi, box, rows[TensorIndex.Colon, 1].to(ScalarType.Int64), allSizes[here]);
        }
        return result;
    }

    // [targets, candidates]: class BCE of the geometric mean of class and objectness scores, plus 3 · (−log IoU).
    private static Tensor Cost(Tensor own, Tensor iou, Tensor scores, Tensor objectness, int classes)
    {
        var (gtCount, n) = (own.shape[0], iou.shape[1]);
        var oneHot = one_hot(own[TensorIndex.Colon, 1].to(ScalarType.Int64), classes).to(ScalarType.Float32).unsqueeze(1).repeat(1, n, 1);
        var joint = scores.unsqueeze(0).repeat(gtCount, 1, 1).sigmoid_() * objectness.unsqueeze(0).repeat(gtCount, 1, 1).sigmoid_();
        var y = joint.sqrt_();
        var classCost = binary_cross_entropy_with_logits(log(y / (1 - y)), oneHot, reduction: TorchSharp.torch.nn.Reduction.None).sum(-1);
        return classCost + IouCostWeight * -log(iou + 1e-8);
    }

    // Each target claims its k cheapest candidates; a candidate claimed twice goes to the cheaper target.
    // Returns the candidates that are matched and, for each of them, the index of its target.
    private static (Tensor Foreground, Tensor Target) Match(Tensor cost, Tensor dynamicK)
    {
        var matching = zeros_like(cost);
        var ks = dynamicK.cpu().data<int>().ToArray();
        for (var g = 0; g < ks.Length; g++)
            matching[g].index_put_(1.0, cost[g].topk(ks[g], largest: false).indexes);
        // sum(0L): a literal 0 would bind to sum(ScalarType) and total the whole matrix.
        var contested = matching.sum(0L) > 1;
        if (contested.any().item<bool>())
        {
            var cheapest = cost[TensorIndex.Colon, TensorIndex.Tensor(contested)].min(0).indexes;
            matching.index_put_(0.0, TensorIndex.Colon, TensorIndex.Tensor(contested));
            matching.index_put_(1.0, TensorIndex.Tensor(cheapest), TensorIndex.Tensor(contested));
        }
        var foreground = matching.sum(0L) > 0.0;
        return (foreground, matching[TensorIndex.Colon, TensorIndex.Tensor(foreground)].argmax(0));
    }

    private static LevelTargets MoveOut(LevelTargets t)
    {
        foreach (var tensor in new[] { t.Image, t.Anchor, t.GridY, t.GridX, t.Box, t.Class, t.AnchorSize })
            tensor.MoveToOuterDisposeScope();
        return t;
    }

    private static LevelTargets Concat(List<LevelTargets> parts) => new(
        cat(parts.Select(p => p.Image).ToList(), 0), cat(parts.Select(p => p.Anchor).ToList(), 0),
        cat(parts.Select(p => p.GridY).ToList(), 0), cat(parts.Select(p => p.GridX).ToList(), 0),
        cat(parts.Select(p => p.Box).ToList(), 0), cat(parts.Select(p => p.Class).ToList(), 0),
        cat(parts.Select(p => p.AnchorSize).ToList(), 0));
}
