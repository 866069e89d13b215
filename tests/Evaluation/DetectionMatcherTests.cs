using PruneCluster.Engine.Evaluation;
using Xunit;

namespace PruneCluster.Tests.Evaluation;

/// <summary>test.py's per-image matching on boxes whose IoUs are known by construction.</summary>
public sealed class DetectionMatcherTests
{
    private static readonly double[] Label100 = [0, 0, 0, 100, 100];

    [Fact]
    public void ImageWithoutLabelsMarksEveryPredictionFalse()
    {
        var correct = DetectionMatcher.Match(Rows([0, 0, 100, 100, 0.9, 0]), new double[0, 5]);

        Assert.Equal(10, correct.GetLength(1));
        Assert.DoesNotContain(true, correct.Cast<bool>());
    }

    [Fact]
    public void ImageWithoutPredictionsGivesAnEmptyMatrix()
    {
        var correct = DetectionMatcher.Match(new double[0, 6], Rows(Label100));

        Assert.Equal(0, correct.GetLength(0));
    }

    [Fact]
    public void ThresholdRowFollowsTheBestIou()
    {
        // [0,0,100,72] inside [0,0,100,100]: IoU 0.72 passes 0.50..0.70 and fails 0.75..0.95.
        var correct = DetectionMatcher.Match(Rows([0, 0, 100, 72, 0.9, 0]), Rows(Label100));

        Assert.Equal([true, true, true, true, true, false, false, false, false, false], Row(correct, 0));
    }

    [Fact]
    public void IouEqualToAThresholdDoesNotPassIt()
    {
        // IoU exactly 0.5 (half the label): test.py requires iou > 0.5.
        var correct = DetectionMatcher.Match(Rows([0, 0, 100, 50, 0.9, 0]), Rows(Label100));

        Assert.DoesNotContain(true, Row(correct, 0));
    }

    [Fact]
    public void PredictionOfAnotherClassNeverMatches()
    {
        var correct = DetectionMatcher.Match(Rows([0, 0, 100, 100, 0.9, 1]), Rows(Label100));

        Assert.DoesNotContain(true, Row(correct, 0));
    }

    [Fact]
    public void LabelIsClaimedOnlyByTheFirstPredictionInConfidenceOrder()
    {
        var correct = DetectionMatcher.Match(
            Rows([0, 0, 100, 100, 0.9, 0], [0, 0, 100, 99, 0.8, 0]),
            Rows(Label100));

        Assert.True(correct[0, 9]);
        Assert.DoesNotContain(true, Row(correct, 1));
    }

    [Fact]
    public void PredictionWhoseBestLabelIsTakenStaysFalseEvenIfAnotherLabelFits()
    {
        // Label B = [0,10,100,100]. The second prediction overlaps A by 0.98 and B by 0.88; test.py only looks at
        // its best label (A, already claimed), so B stays unmatched: the reference's algorithm, kept on purpose.
        var correct = DetectionMatcher.Match(
            Rows([0, 0, 100, 100, 0.9, 0], [0, 0, 100, 98, 0.8, 0]),
            Rows(Label100, [0, 0, 10, 100, 100]));

        Assert.True(correct[0, 0]);
        Assert.DoesNotContain(true, Row(correct, 1));
    }

    [Fact]
    public void LabelsOfDifferentClassesAreMatchedIndependently()
    {
        var correct = DetectionMatcher.Match(
            Rows([0, 0, 100, 100, 0.9, 1], [0, 0, 100, 100, 0.8, 0]),
            Rows(Label100, [1, 0, 0, 100, 100]));

        Assert.True(correct[0, 9]);
        Assert.True(correct[1, 9]);
    }

    private static double[,] Rows(params double[][] rows)
    {
        var result = new double[rows.Length, rows[0].Length];
        for (var r = 0; r < rows.Length; r++)
            for (var c = 0; c < rows[r].Length; c++)
                result[r, c] = rows[r][c];
        return result;
    }

    private static bool[] Row(bool[,] matrix, int row) =>
        Enumerable.Range(0, matrix.GetLength(1)).Select(c => matrix[row, c]).ToArray();
}
