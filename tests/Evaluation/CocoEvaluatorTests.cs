using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;

namespace PruneCluster.Tests.Evaluation;

/// <summary>
/// Hand-built cases whose pycocotools result follows from its source (cocoeval.py evaluateImg / accumulate /
/// summarize, maskApi.c bbIou); each test states the derivation. Two facts recur:
/// precision is <c>tp / (fp + tp + np.spacing(1))</c>, which is exactly 1 once tp ≥ 2 (n + 2⁻⁵² rounds to n for
/// n ≥ 2) but 1 − 2⁻⁵² for a lone first TP — so the cases give each category at least two TPs, and the precision
/// envelope (max from the right) lifts that first value to 1; and a mean of values that are all multiples of 0.5
/// (or powers of two) sums exactly, so the expected means below are exact doubles.
/// </summary>
public sealed class CocoEvaluatorTests
{
    [Fact]
    public void Perfect_detections_score_1_everywhere_and_minus_1_for_area_ranges_without_objects()
    {
        // Four medium objects (40x40 = 1600 px²) on two images, detected exactly (IoU 1 >= every threshold):
        // tp = 1,2,3,4, fp = 0 → precision 1 after the envelope at every recall point → AP, AP50, AP75, AP_medium = 1.
        // No small or large ground truth: npig = 0 → -1 for those cells → nothing > -1 to average → -1.
        // maxDets 1: each image contributes its top detection, 2 of 4 objects → recall 0.5 at every IoU → AR1 = 0.5.
        var metrics = Evaluate(
            Image(1, [Gt(1, 0, 0, 40, 40), Gt(2, 100, 0, 40, 40)], [Dt(0, 0, 40, 40, 0.9), Dt(100, 0, 40, 40, 0.8)]),
            Image(2, [Gt(3, 0, 0, 40, 40), Gt(4, 0, 100, 40, 40)], [Dt(0, 0, 40, 40, 0.7), Dt(0, 100, 40, 40, 0.6)]));

        Assert.Equal([1.0, 1.0, 1.0, -1, 1.0, -1, 0.5, 1.0, 1.0, -1, 1.0, -1], metrics.Stats);
    }

    [Fact]
    public void A_true_positive_ranked_below_a_false_positive_gives_the_101_point_interpolated_ap()
    {
        // One image, two objects A and B; detections: a false positive (no overlap, score 0.9), then A exactly (0.8).
        // At every threshold: tp = [0, 1], fp = [1, 1] → recall = [0, 0.5], precision = [0, 1/2] → envelope [0.5, 0.5].
        // searchsorted(recall, r, 'left') is 0 or 1 (precision 0.5) for the 51 points r = 0.00 .. 0.50 and 2 = nd
        // (precision 0) for the 50 points above. So each IoU's row averages 51·0.5/101, and the mean over 10 × 101
        // cells is 10·51·0.5 / 1010 = 255 / 1010. The final recall is 0.5 at every IoU → AR100 = 0.5.
        var metrics = Evaluate(Image(1, [Gt(1, 0, 0, 40, 40), Gt(2, 200, 0, 40, 40)],
            [Dt(400, 400, 40, 40, 0.9), Dt(0, 0, 40, 40, 0.8)]));

        Assert.Equal(255.0 / 1010, metrics.Ap);
        Assert.Equal(25.5 / 101, metrics.Ap50);
        Assert.Equal(0.5, metrics.Ar100);
        Assert.Equal(0.0, metrics.Ar1); // the top detection is the false positive
    }

    [Fact]
    public void Iou_exactly_at_a_threshold_is_a_match()
    {
        // Ground truth 100x100, detection 75x100 at the same corner: intersection 7500, union 10000 → IoU 0.75 exactly,
        // and iouThrs[5] is exactly 0.75; the loop skips a ground truth only when iou < threshold, so it matches at
        // 0.50 .. 0.75 (6 thresholds) and not above. Two such images give tp = 1, 2 → precision 1 on 6 thresholds and
        // 0 on 4: AP = 6·101/1010 = 0.6, AP75 = 1, recall 1 on 6 of 10 → AR100 = 0.6.
        var at075 = Evaluate(
            Image(1, [Gt(1, 0, 0, 100, 100), Gt(2, 200, 0, 100, 100)], [Dt(0, 0, 75, 100, 0.9), Dt(200, 0, 75, 100, 0.8)]));
        Assert.Equal((0.6, 1.0, 1.0, 0.6), (at075.Ap, at075.Ap50, at075.Ap75, at075.Ar100));

        // 50x100: IoU 0.5 exactly → only the first threshold: AP = 101/1010 = 0.1, AP50 = 1, AP75 = 0.
        var at050 = Evaluate(
            Image(1, [Gt(1, 0, 0, 100, 100), Gt(2, 200, 0, 100, 100)], [Dt(0, 0, 50, 100, 0.9), Dt(200, 0, 50, 100, 0.8)]));
        Assert.Equal((0.1, 1.0, 0.0, 0.1), (at050.Ap, at050.Ap50, at050.Ap75, at050.Ar100));
    }

    [Fact]
    public void The_09_threshold_is_numpys_linspace_value_0_8999999999999999()
    {
        // np.linspace(.5, .95, 10)[8] is 0.8999999999999999 (i·step + start), not 0.9. A crowd box [0, 0, I, 1] and a
        // detection [0, 0, W, 1] with W = 9 450 000 000 and I = 0.9·W − 2⁻²⁰ (both exact doubles) have crowd IoU
        // I / W = 0.9 − 1.0e-16, which rounds to 0.8999999999999999: it reaches threshold 8 but not a true 0.9.
        // Two such detections score above two exact detections of real objects. Where they reach the crowd box they
        // are ignored: tp = 0,0,1,2, fp = 0 → precision 1 after the envelope. At 0.95 they are false positives:
        // tp = 0,0,1,2, fp = 1,2,2,2 → precision 0,0,1/3,1/2 → envelope 0.5 everywhere. With 9 thresholds at 1 and
        // one at 0.5, AP = (9·101 + 101·0.5) / 1010 = 0.95; a threshold of exactly 0.9 would give 0.9.
        const double w = 9_450_000_000;
        const double i = 8_505_000_000 - 1.0 / (1 << 20);
        var crowd = new CocoAnnotation(3, 1, 0, 0, i, 1, i, IsCrowd: true);
        var metrics = Evaluate(Image(1, [Gt(1, 0, 100, 40, 40), Gt(2, 100, 100, 40, 40), crowd],
            [Dt(0, 0, w, 1, 0.99), Dt(0, 0, w, 1, 0.98), Dt(0, 100, 40, 40, 0.5), Dt(100, 100, 40, 40, 0.4)]));

        Assert.Equal(0.95, metrics.Ap);
        Assert.Equal(1.0, metrics.Ar100);
    }

    [Fact]
    public void Crowd_regions_are_never_missed_and_absorb_any_number_of_detections()
    {
        // Two real objects and a 200x200 crowd box; three small detections inside the crowd box score highest.
        // Crowd IoU = intersection / detection area = 1 → each matches the crowd box (a crowd box may be matched
        // again) → ignored, neither TP nor FP: tp = 0,0,0,1,2, fp = 0 → precision 1 after the envelope → AP = 1.
        // The crowd box itself is ignored ground truth (npig = 2), so finding both real objects is recall 1.
        // The top detection (per image, maxDets 1) is an ignored one → AR1 = 0.
        CocoImage Scene(bool crowd) => Image(1,
            [Gt(1, 0, 0, 50, 50), Gt(2, 100, 0, 50, 50), new CocoAnnotation(3, 1, 200, 0, 200, 200, 40000, crowd)],
            [Dt(210, 10, 20, 20, 0.99), Dt(250, 50, 30, 30, 0.98), Dt(300, 100, 10, 10, 0.97), Dt(0, 0, 50, 50, 0.5), Dt(100, 0, 50, 50, 0.4)]);

        var metrics = Evaluate(Scene(crowd: true));
        Assert.Equal((1.0, 1.0, 0.0), (metrics.Ap, metrics.Ar100, metrics.Ar1));

        // The same box as an ordinary object: the three detections are false positives ranked first and the big
        // object is missed (recall 2/3 at every threshold).
        var plain = Evaluate(Scene(crowd: false));
        Assert.True(plain.Ap < 0.5, $"AP {plain.Ap}");
        Assert.Equal(2.0 / 3, plain.Ar100, 15);
    }

    [Fact]
    public void Area_range_ends_belong_to_both_neighbouring_ranges()
    {
        // Objects of area 100, 1024 (=32²), 9216 (=96²) and 20000; only the 100 and 20000 ones are detected (exactly).
        // small = [0, 1024] holds 100 and 1024 → 1 of 2 found → AR_small 0.5 (it would be 1 if 1024 were not small).
        // medium = [1024, 9216] holds 1024 and 9216 → none found; the two detections match ground truth that is
        // ignored here → ignored → recall 0 (with exclusive ends medium would have no objects: -1).
        // large = [9216, 1e10] holds 9216 and 20000 → 1 of 2 → AR_large 0.5.
        var metrics = Evaluate(Image(1,
            [Gt(1, 0, 0, 10, 10), Gt(2, 100, 0, 32, 32), Gt(3, 200, 0, 96, 96), Gt(4, 400, 0, 100, 200)],
            [Dt(0, 0, 10, 10, 0.9), Dt(400, 0, 100, 200, 0.8)]));

        Assert.Equal((0.5, 0.0, 0.5), (metrics.ArSmall, metrics.ArMedium, metrics.ArLarge));
        Assert.Equal(0.5, metrics.Ar100);
    }

    [Fact]
    public void Annotation_area_not_box_area_decides_the_range_of_ground_truth()
    {
        // A 40x40 box (1600 px², medium) whose annotation says area 900 (e.g. a thin segmentation) is small, and one
        // whose annotation says 10000 is large: AR_small = AR_large = 1, medium has no objects → -1.
        var metrics = Evaluate(Image(1,
            [new CocoAnnotation(1, 1, 0, 0, 40, 40, 900, false), new CocoAnnotation(2, 1, 100, 0, 40, 40, 10000, false)],
            [Dt(0, 0, 40, 40, 0.9), Dt(100, 0, 40, 40, 0.8)]));

        Assert.Equal((1.0, -1.0, 1.0), (metrics.ArSmall, metrics.ArMedium, metrics.ArLarge));
    }

    [Fact]
    public void Max_dets_1_10_100_cut_each_images_detections_by_score()
    {
        // 16 objects in a row, each detected exactly, scores descending. Recall at maxDets m is min(m, 16) / 16 at
        // every IoU: AR1 = 1/16, AR10 = 10/16, AR100 = 1 (exact binary fractions).
        var objects = Enumerable.Range(0, 16).Select(k => Gt(k + 1, 50 * k, 0, 40, 40)).ToArray();
        var detections = Enumerable.Range(0, 16).Select(k => Dt(50 * k, 0, 40, 40, 0.9 - 0.01 * k)).ToArray();
        var metrics = Evaluate(Image(1, objects, detections));
        Assert.Equal((1.0 / 16, 10.0 / 16, 1.0), (metrics.Ar1, metrics.Ar10, metrics.Ar100));

        // Only the 100 best detections of an image and category are matched at all: with 100 false positives scored
        // above them, the 16 exact detections never count → AR100 = 0 and AP = 0.
        var noise = Enumerable.Range(0, 100).Select(k => Dt(50 * k, 500, 40, 40, 0.99)).ToArray();
        var buried = Evaluate(Image(1, objects, [.. noise, .. detections]));
        Assert.Equal((0.0, 0.0), (buried.Ar100, buried.Ap));
    }

    [Fact]
    public void Tied_scores_across_images_are_taken_in_image_id_order_whatever_the_list_order()
    {
        // accumulate() concatenates the images in sorted-id order and sorts by score with a stable mergesort. Image 1
        // holds two objects found exactly, image 2 a false positive, all scored 0.5. In id order: TP, TP, FP →
        // precision 1 up to full recall → AP50 = 1. Image 2 first would give FP, TP, TP → AP50 = 2/3.
        var metrics = Evaluate(
            Image(2, [], [Dt(300, 300, 40, 40, 0.5)]),
            Image(1, [Gt(1, 0, 0, 40, 40), Gt(2, 100, 0, 40, 40)], [Dt(0, 0, 40, 40, 0.5), Dt(100, 0, 40, 40, 0.5)]));

        Assert.Equal(1.0, metrics.Ap50);
    }

    [Fact]
    public void Categories_without_ground_truth_are_minus_1_and_left_out_of_the_means()
    {
        // Categories 1, 2, 3. Category 1: two objects found exactly → AP 1. Category 2: only detections, placed
        // exactly on the category-1 objects and scored higher — matching is per category, so they neither steal
        // those objects nor count anywhere: no category-2 ground truth → -1. Category 3: nothing → -1.
        // A detection of category 7 (not in the list) is dropped. Mean over entries > -1 = category 1 alone = 1.
        var metrics = CocoEvaluator.Evaluate(
            [Image(1, [Gt(1, 0, 0, 40, 40), Gt(2, 100, 0, 40, 40)],
                [Dt(0, 0, 40, 40, 0.99, category: 2), Dt(100, 0, 40, 40, 0.98, category: 2), Dt(0, 0, 40, 40, 0.9),
                 Dt(100, 0, 40, 40, 0.8), Dt(300, 0, 40, 40, 0.999, category: 7)])],
            [1, 2, 3]);

        Assert.Equal((1.0, 1.0, 1.0), (metrics.Ap, metrics.Ap50, metrics.Ar100));
        Assert.Equal(4, metrics.Detections);
    }

    [Fact]
    public void Summary_lines_have_pycocotools_layout_and_pythons_half_even_rounding()
    {
        // ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'. Python formats the exact binary value
        // with round-half-even: 0.0625 → 0.062, 0.1875 → 0.188; -1 → -1.000.
        var metrics = new CocoMetrics(0.3837, 0.6958, 0.0625, -1, 0.1875, 1, 0, 0.5, 0.9999999999999998, -1, 0.25, 0.125);

        var lines = CocoSummary.Lines(metrics);

        Assert.Equal(
        [
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.384",
            " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.696",
            " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.062",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.188",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 1.000",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.000",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 0.500",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.250",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.125",
        ], lines);
    }

    [Fact]
    public void Predictions_become_test_pys_json_rounded_boxes_and_scores_before_scoring()
    {
        // Image "1.jpg" has two 100x100 labels; its predictions are 74.9996 px wide. test.py writes the box rounded to
        // 3 decimals (75.0) → IoU 0.75 exactly → matched at 0.50 .. 0.75: AP75 = 1 and, with both unmatched above,
        // AP = 0.6 (as in Iou_exactly_at_a_threshold_is_a_match). Unrounded, IoU 0.749996 fails at 0.75 (AP75 = 0).
        // Image "2.jpg" has no labels and one false positive scored 0.500004. Scores are rounded to 5 decimals, so it
        // ties with the true positives (0.500002, 0.500001), and ties keep image-id order: image 1 first although the
        // file lists image 2 first → TP, TP, FP → precision 1 up to full recall → AP50 = 1. Unrounded (or in file
        // order) the false positive would come first: precision 0, 1/2, 2/3 → AP50 = 2/3.
        var file = new MetricsFile(1,
        [
            new MetricsImage(new double[0, 5], new double[,] { { 300, 300, 340, 340, 0.500004, 0 } }, "/d/images/2.jpg"),
            new MetricsImage(new double[,] { { 0, 0, 0, 100, 100 }, { 0, 200, 0, 300, 100 } },
                new double[,] { { 0, 0, 74.9996, 100, 0.500002, 0 }, { 200, 0, 274.9996, 100, 0.500001, 0 } }, "/d/images/1.jpg"),
        ]);

        var metrics = file.ScoreCoco();

        Assert.Equal((1.0, 1.0, 0.6), (metrics.Ap50, metrics.Ap75, metrics.Ap));
        Assert.Equal((2, 2, 3), (metrics.Images, metrics.Annotations, metrics.Detections));
    }

    [Fact]
    public void Numpy_sum_of_more_than_8192_values_is_pairwise_per_8192_block()
    {
        // np.sum (NumPy 1.24) of the harmonic terms 1/1 .. 1/10000 is 9.787606036044384: pairwise within the ufunc
        // buffer of 8192 values, the two partial sums added after. One pairwise pass over all 10000 gives
        // 9.787606036044382. COCO's summary means reach 80,800 values (10 IoUs × 101 points × 80 categories).
        var harmonic = Enumerable.Range(1, 10000).Select(k => 1.0 / k).ToArray();

        Assert.Equal(9.787606036044384, NumPyCompat.Sum(harmonic));
    }

    private static CocoMetrics Evaluate(params CocoImage[] images) => CocoEvaluator.Evaluate(images, [1]);

    private static CocoImage Image(long id, CocoAnnotation[] groundTruth, CocoDetection[] detections) => new(id, groundTruth, detections);

    // Box-area ground truth of category 1, as YOLO labels give it.
    private static CocoAnnotation Gt(long id, double x, double y, double w, double h) => new(id, 1, x, y, w, h, w * h, IsCrowd: false);

    private static CocoDetection Dt(double x, double y, double w, double h, double score, int category = 1) => new(category, x, y, w, h, score);
}
