using PruneCluster.Engine.Evaluation;
using PruneCluster.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Evaluation;

/// <summary>YOLOv7 non_max_suppression on hand-made head outputs whose overlaps are known by construction.</summary>
public sealed class NonMaxSuppressionTests
{
    // Two 20x20 boxes 2 px apart overlap with IoU 360/440 ≈ 0.82; a box at x = 200 overlaps neither.
    private static readonly float[] BoxA = [50, 50, 20, 20];
    private static readonly float[] BoxB = [52, 50, 20, 20];
    private static readonly float[] FarBox = [200, 50, 20, 20];

    [Fact]
    public void OverlappingBoxOfTheSameClassIsSuppressedAndTheBetterOneKept()
    {
        using var prediction = Prediction(3, Row(BoxA, 0.9f, 0, 1f), Row(BoxB, 0.8f, 0, 1f), Row(FarBox, 0.7f, 0, 1f));

        var kept = Rows(NonMaxSuppression.Apply(prediction)[0]);

        Assert.Equal(2, kept.Length);
        Assert.Equal([40f, 40f, 60f, 60f, 0.9f, 0f], kept[0]);
        Assert.Equal(0.7f, kept[1][4]);
    }

    [Fact]
    public void ClassOffsetKeepsOverlappingBoxesOfDifferentClasses()
    {
        using var prediction = Prediction(3, Row(BoxA, 0.9f, 0, 1f), Row(BoxB, 0.8f, 1, 1f));

        var kept = Rows(NonMaxSuppression.Apply(prediction)[0]);
        var agnostic = Rows(NonMaxSuppression.Apply(prediction, new NmsOptions(Agnostic: true))[0]);

        Assert.Equal([0f, 1f], kept.Select(r => r[5]));
        Assert.Single(agnostic);
    }

    [Fact]
    public void ConfidenceThresholdAppliesToObjectnessAndToObjectnessTimesClassScore()
    {
        using var prediction = Prediction(2,
            Row(BoxA, 0.2f, 0, 1f),       // objectness below 0.25
            Row(FarBox, 0.5f, 1, 0.4f),   // 0.5 · 0.4 = 0.2 below 0.25
            Row([400, 50, 20, 20], 0.5f, 1, 0.6f));

        var kept = Rows(NonMaxSuppression.Apply(prediction)[0]);

        var only = Assert.Single(kept);
        Assert.Equal(0.5f * 0.6f, only[4]);
        Assert.Equal(1f, only[5]);
    }

    [Fact]
    public void MaxDetectionsKeepsTheBestScoringBoxes()
    {
        var rows = Enumerable.Range(0, 5).Select(i => Row([50 + 100 * i, 50, 20, 20], 0.5f + 0.1f * i, 0, 1f)).ToArray();
        using var prediction = Prediction(2, rows);

        var kept = Rows(NonMaxSuppression.Apply(prediction, new NmsOptions(MaxDetections: 3))[0]);

        Assert.Equal(3, kept.Length);
        Assert.Equal([0.9f, 0.8f, 0.7f], kept.Select(r => r[4]));
    }

    [Fact]
    public void MultiLabelEmitsOneDetectionPerClassAboveThresholdWhileSingleLabelKeepsTheBest()
    {
        using var prediction = Prediction(3, Row(BoxA, 1f, 0, 0.6f, 1, 0.9f));

        var multi = Rows(NonMaxSuppression.Apply(prediction, NmsOptions.ForTest)[0]);
        var single = Rows(NonMaxSuppression.Apply(prediction)[0]);

        Assert.Equal([1f, 0f], multi.Select(r => r[5]));
        Assert.Equal(1f, Assert.Single(single)[5]);
    }

    [Fact]
    public void SingleClassModelScoresByObjectnessAlone()
    {
        using var prediction = Prediction(1, Row(BoxA, 0.7f, 0, 0.01f));

        var kept = Rows(NonMaxSuppression.Apply(prediction)[0]);

        Assert.Equal(0.7f, Assert.Single(kept)[4]);
    }

    [Fact]
    public void BoxesOverlappingExactlyAtTheThresholdAreNotSuppressed()
    {
        // [0,0,10,10] inside [0,0,10,20]: IoU = 100 / 200 = 0.5 exactly; torchvision suppresses only IoU > threshold.
        using var boxes = torch.tensor(new float[] { 0, 0, 10, 10, 0, 0, 10, 20 }, [2, 4]);
        using var scores = torch.tensor(new float[] { 0.5f, 0.9f });

        using var keep = NonMaxSuppression.Nms(boxes, scores, 0.5);
        using var stricter = NonMaxSuppression.Nms(boxes, scores, 0.49);

        Assert.Equal([1L, 0L], keep.data<long>().ToArray());
        Assert.Equal([1L], stricter.data<long>().ToArray());
    }

    [Fact]
    public void FloatIouJustAboveADoubleThresholdIsSuppressedAsTorchvisionDoes()
    {
        // 30 / 100 in float32 is 0.30000001 > 0.3: torchvision's kernel compares the float IoU with the double
        // threshold and suppresses; a float32 comparison (0.3 rounded to 0.30000001) would keep the box.
        using var boxes = torch.tensor(new float[] { 0, 0, 10, 10, 0, 0, 10, 3 }, [2, 4]);
        using var scores = torch.tensor(new float[] { 0.9f, 0.5f });

        using var keep = NonMaxSuppression.Nms(boxes, scores, 0.3);

        Assert.Equal([0L], keep.data<long>().ToArray());
    }

    [Fact]
    public void SingleLabelDropsAnAnchorWithANaNClassScoreAsTorchMaxDoes()
    {
        using var prediction = Prediction(3, Row(BoxA, 0.9f, 0, 0.8f, 1, float.NaN), Row(FarBox, 0.9f, 0, 0.8f));

        var kept = Rows(NonMaxSuppression.Apply(prediction)[0]);

        Assert.Equal(0.9f * 0.8f, Assert.Single(kept)[4]);
        Assert.Equal(200f - 10f, kept[0][0]);
    }

    [Fact]
    public void NegativeIouThresholdSuppressesAcrossClassesLikeTheReference()
    {
        // Different classes never overlap after the class offset: IoU 0, which exceeds -0.1, so the reference keeps
        // only the best box; grouping by class (valid for thresholds >= 0) would keep both.
        using var prediction = Prediction(3, Row(BoxA, 0.9f, 0, 1f), Row(FarBox, 0.8f, 1, 1f));

        var kept = Rows(NonMaxSuppression.Apply(prediction, new NmsOptions(IouThreshold: -0.1))[0]);

        Assert.Equal(0f, Assert.Single(kept)[5]);
    }

    [Fact]
    public void ScoresAreOrderedLikeTorchsStableDescendingSort()
    {
        // Far-apart boxes, so nothing is suppressed and the result is the score order: torch puts NaN first, treats
        // -0 and +0 as equal and keeps equal scores in input order.
        var boxes = Enumerable.Range(0, 6).SelectMany(i => new float[] { 100 * i, 0, 100 * i + 10, 10 }).ToArray();
        using var boxTensor = torch.tensor(boxes, [6, 4]);
        using var scores = torch.tensor(new[] { 0f, -0f, float.NaN, 1f, -2f, 1f });

        using var keep = NonMaxSuppression.Nms(boxTensor, scores, 0.5);
        using var torchOrder = scores.sort(descending: true, stable: true).Indices;

        Assert.Equal([2L, 3L, 5L, 0L, 1L, 4L], keep.data<long>().ToArray());
        Assert.Equal(torchOrder.data<long>().ToArray(), keep.data<long>().ToArray());
    }

    [Fact]
    public void EveryImageOfTheBatchGetsItsOwnResultAndEmptyImagesGiveZeroRows()
    {
        using var first = Prediction(2, Row(BoxA, 0.9f, 1, 1f));
        using var empty = Prediction(2, Row(BoxA, 0.01f, 1, 1f));
        using var batch = torch.cat([first, empty], 0);

        var outputs = NonMaxSuppression.Apply(batch);

        Assert.Equal(2, outputs.Length);
        Assert.Equal([1L, 6L], outputs[0].shape);
        Assert.Equal([0L, 6L], outputs[1].shape);
        foreach (var output in outputs)
            output.Dispose();
    }

    [Fact]
    public void GoldenModelOutputGivesTheSameDetectionsAsTheReferenceWrittenWithTorchOps()
    {
        using var prediction = LoadNpyFloat32(SharedData.Golden("yolov7-tiny_output.npy"));
        var options = NmsOptions.ForTest;

        var outputs = NonMaxSuppression.Apply(prediction, options);

        Assert.Equal(2, outputs.Length);
        for (var image = 0; image < outputs.Length; image++)
        {
            using var output = outputs[image];
            using var expected = ReferenceWithTensorOps(prediction[image], options);
            Assert.True(output.shape[0] > 0, "the golden output should give detections at conf 0.001");
            Assert.Equal(expected.shape, output.shape);
            Assert.Equal(expected.data<float>().ToArray(), output.data<float>().ToArray());
        }
    }

    // Dense random outputs: clusters of overlapping boxes, tied scores (quantised), and boxes far beyond max_wh,
    // which let boxes of different classes overlap despite the class offset (the suppression then cannot be
    // split by class). The optimised NMS must give exactly the reference's detections in every case.
    [Theory]
    [InlineData(1, 3, 320f, false)]
    [InlineData(2, 3, 320f, true)]
    [InlineData(3, 80, 640f, false)]
    [InlineData(4, 1, 320f, true)]
    [InlineData(5, 3, 12000f, false)]
    [InlineData(6, 80, 12000f, true)]
    // The size of an untrained 80-class yolov7-tiny output at img 320 (~500,000 candidates at conf 0.001): with few
    // clusters most candidates are suppressed, so the best-first search goes through many waves and reaches max_nms.
    [InlineData(7, 80, 320f, false, 6300, 2)]
    [InlineData(8, 80, 640f, true, 6300, 40)]
    public void RandomDenseOutputsGiveTheSameDetectionsAsTheReferenceWrittenWithTorchOps(int seed, int classCount, float extent, bool tiedScores, int anchors = 1500, int clusters = 12)
    {
        var random = new Random(seed);
        var width = 5 + classCount;
        var data = new float[anchors * width];
        var centres = Enumerable.Range(0, clusters).Select(_ => (X: random.NextSingle() * extent, Y: random.NextSingle() * extent)).ToArray();
        // Beyond max_wh, place clusters one class offset apart so that offset boxes of classes k and k+1 overlap.
        for (var c = 1; extent > NmsOptions.MaxBoxSize && c < centres.Length; c += 2)
            centres[c] = (centres[c - 1].X % 4000 + NmsOptions.MaxBoxSize, centres[c - 1].Y % 4000 + NmsOptions.MaxBoxSize);
        for (var a = 0; a < anchors; a++)
        {
            var row = data.AsSpan(a * width, width);
            var (x, y) = centres[random.Next(centres.Length)];
            (row[0], row[1]) = (x + 30 * (random.NextSingle() - 0.5f), y + 30 * (random.NextSingle() - 0.5f));
            (row[2], row[3]) = (5 + 120 * random.NextSingle(), 5 + 120 * random.NextSingle());
            for (var k = 4; k < width; k++)
                row[k] = tiedScores ? MathF.Round(random.NextSingle() * 8) / 8 : random.NextSingle();
        }
        using var prediction = torch.tensor(data, [1, anchors, width]);

        foreach (var options in new[] { NmsOptions.ForTest, new NmsOptions(), new NmsOptions(ConfThreshold: 0.001, IouThreshold: 0.3, MultiLabel: true, MaxDetections: 1000), NmsOptions.ForTest with { MaxNmsBoxes = 700 },
                     NmsOptions.ForTest with { Agnostic = true }, NmsOptions.ForTest with { Classes = [0, 2] } })
        {
            using var output = NonMaxSuppression.Apply(prediction, options)[0];
            using var expected = ReferenceWithTensorOps(prediction[0], options);

            Assert.True(output.shape[0] > 10, "the case should keep many boxes");
            Assert.Equal(expected.shape, output.shape);
            Assert.Equal(expected.data<float>().ToArray(), output.data<float>().ToArray());
        }
    }

    [Theory]
    [InlineData(-1, 30000)]
    [InlineData(300, -5)]
    public void NegativeMaxDetOrMaxNmsIsRejectedInsteadOfSlicingFromTheEnd(int maxDetections, int maxNmsBoxes)
    {
        using var prediction = Prediction(2, Row(BoxA, 0.9f, 1, 1f));

        var error = Assert.Throws<ArgumentException>(() => NonMaxSuppression.Apply(prediction, NmsOptions.ForTest with { MaxDetections = maxDetections, MaxNmsBoxes = maxNmsBoxes }));

        Assert.Contains("at least 0", error.Message);
    }

    [Fact]
    public void LevelsReadInPlaceGiveExactlyTheDetectionsOfTheirConcatenation()
    {
        // What a sensitivity variant hands NMS: the decoded levels as separate tensors (one of them empty here).
        var random = new Random(9);
        const int anchors = 1500, width = 5 + 80;
        var data = new float[2 * anchors * width];
        for (var i = 0; i < data.Length; i++)
            data[i] = i % width < 2 ? 320 * random.NextSingle() : i % width < 4 ? 5 + 120 * random.NextSingle() : random.NextSingle();
        using var prediction = torch.tensor(data, [2, anchors, width]);
        using var levels = NewDisposeScope();
        var parts = new[] { (0, 1000), (1000, 1000), (1000, 1400), (1400, anchors) }
            .Select(r => prediction[.., r.Item1..r.Item2].contiguous()).ToList();

        foreach (var options in new[] { NmsOptions.ForTest, new NmsOptions() })
        {
            var whole = NonMaxSuppression.Apply(prediction, options);
            var split = NonMaxSuppression.Apply(parts, options);
            for (var image = 0; image < 2; image++)
            {
                Assert.True(whole[image].shape[0] > 10, "the case should keep many boxes");
                Assert.Equal(whole[image].data<float>().ToArray(), split[image].data<float>().ToArray());
            }
        }
    }

    // non_max_suppression for one image written line by line with tensor ops (float32 throughout, torch's own
    // comparisons and sort), and a greedy NMS loop on tensors; slow but independent of the C# loops under test.
    private static Tensor ReferenceWithTensorOps(Tensor x, NmsOptions options)
    {
        using var scope = NewDisposeScope();
        x = x[x[.., 4] > options.ConfThreshold];
        var scores = x.shape[1] == 6 ? x[.., 4..5] : x[.., 5..] * x[.., 4..5];
        var (cx, cy, w, h) = (x[.., 0], x[.., 1], x[.., 2], x[.., 3]);
        var box = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1);
        Tensor detections;
        if (options.MultiLabel)
        {
            var ij = (scores > options.ConfThreshold).nonzero();
            var (i, j) = (ij[.., 0], ij[.., 1]);
            detections = torch.cat([box[i], scores[i, j].unsqueeze(1), j.unsqueeze(1).to_type(ScalarType.Float32)], 1);
        }
        else
        {
            var (conf, j) = scores.max(1, keepdim: true);
            detections = torch.cat([box, conf, j.to_type(ScalarType.Float32)], 1)[conf.view(-1) > options.ConfThreshold];
        }
        if (options.Classes is { } classes)
            detections = detections[(detections[.., 5..6] == torch.tensor(classes.Select(c => (float)c).ToArray())).any(1)];
        if (detections.shape[0] > options.MaxNmsBoxes)
            detections = detections[detections[.., 4].sort(descending: true, stable: true).Indices[..options.MaxNmsBoxes]];

        var boxes = detections[.., ..4] + detections[.., 5..6] * (options.Agnostic ? 0f : NmsOptions.MaxBoxSize);
        var order = detections[.., 4].sort(descending: true, stable: true).Indices;
        var keep = new List<long>();
        while (order.shape[0] > 0 && keep.Count < options.MaxDetections)
        {
            var best = order[0].item<long>();
            keep.Add(best);
            var rest = order[1..];
            var b = boxes[best];
            var others = boxes[rest];
            var iw = (torch.minimum(others[.., 2], b[2]) - torch.maximum(others[.., 0], b[0])).clamp_min(0);
            var ih = (torch.minimum(others[.., 3], b[3]) - torch.maximum(others[.., 1], b[1])).clamp_min(0);
            var inter = iw * ih;
            var area = (b[2] - b[0]) * (b[3] - b[1]);
            var areas = (others[.., 2] - others[.., 0]) * (others[.., 3] - others[.., 1]);
            var iou = inter / (area + areas - inter);
            order = rest[iou.to_type(ScalarType.Float64) <= options.IouThreshold];
        }
        return detections[torch.tensor(keep.ToArray(), ScalarType.Int64)].MoveToOuterDisposeScope();
    }

    private static Tensor LoadNpyFloat32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToUInt16(bytes, 8);
        var header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Contains("'descr': '<f4'", header);
        var shape = System.Text.RegularExpressions.Regex.Match(header, @"'shape': \(([^)]*)\)").Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        Buffer.BlockCopy(bytes, 10 + headerLength, values, 0, values.Length * sizeof(float));
        return torch.tensor(values, shape);
    }

    // One anchor row: cx, cy, w, h, objectness, class scores (pairs of class index and score; others 0).
    private static (float[] Box, float Objectness, (int Class, float Score)[] Scores) Row(float[] box, float objectness, params object[] classScores)
    {
        var scores = new List<(int, float)>();
        for (var i = 0; i < classScores.Length; i += 2)
            scores.Add(((int)classScores[i], Convert.ToSingle(classScores[i + 1])));
        return (box, objectness, scores.ToArray());
    }

    private static Tensor Prediction(int classCount, params (float[] Box, float Objectness, (int Class, float Score)[] Scores)[] rows)
    {
        var width = 5 + classCount;
        var data = new float[rows.Length * width];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r].Box.CopyTo(data, r * width);
            data[r * width + 4] = rows[r].Objectness;
            foreach (var (c, score) in rows[r].Scores)
                data[r * width + 5 + c] = score;
        }
        return torch.tensor(data, [1, rows.Length, width]);
    }

    private static float[][] Rows(Tensor detections)
    {
        var values = detections.data<float>().ToArray();
        return Enumerable.Range(0, (int)detections.shape[0]).Select(r => values[(r * 6)..(r * 6 + 6)]).ToArray();
    }
}
