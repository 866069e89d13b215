namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// test.py's speed tuple <c>t</c>: milliseconds per image spent in the model, in NMS, and both, followed by the
/// image size and batch size they were measured at (the seed's sensitivity files store exactly these six values).
/// Image decoding, tensor creation and matching are not part of it, as in test.py.
/// </summary>
public sealed record EvaluationSpeed(double InferenceMs, double NmsMs, double TotalMs, int ImageSize, int BatchSize)
{
    /// <summary>From total times over <paramref name="images"/> images (test.py: <c>x / seen * 1E3</c>).</summary>
    public static EvaluationSpeed PerImage(TimeSpan inference, TimeSpan nms, int images, int imageSize, int batchSize)
    {
        double PerImageMs(TimeSpan total) => images == 0 ? 0 : total.TotalMilliseconds / images;
        return new EvaluationSpeed(PerImageMs(inference), PerImageMs(nms), PerImageMs(inference + nms), imageSize, batchSize);
    }
}
