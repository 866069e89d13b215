namespace PruneCluster.Engine.Training;

/// <summary>One row of <c>results.csv</c>: an epoch's mean training losses, the EMA model's validation and the lrs.</summary>
/// <param name="Epoch">0-based, as train.py counts.</param>
/// <param name="Box">Mean box loss per image over the epoch.</param>
/// <param name="Obj">Mean objectness loss.</param>
/// <param name="Cls">Mean class loss.</param>
/// <param name="Precision">Validation P (null when the epoch was not validated).</param>
/// <param name="Recall">Validation R.</param>
/// <param name="Map50">Validation mAP@.5.</param>
/// <param name="Map">Validation mAP@.5:.95.</param>
/// <param name="LearningRates">The three groups' lr during the epoch's last batch.</param>
/// <param name="Seconds">Wall time of the epoch's training loop.</param>
/// <param name="Images">Training images seen in the epoch.</param>
public sealed record EpochResult(
    int Epoch,
    double Box,
    double Obj,
    double Cls,
    double? Precision,
    double? Recall,
    double? Map50,
    double? Map,
    IReadOnlyList<double> LearningRates,
    double Seconds,
    int Images)
{
    /// <summary>YOLOv7's fitness: 0.1 · mAP@.5 + 0.9 · mAP@.5:.95 (0 when not validated).</summary>
    public double Fitness => 0.1 * (Map50 ?? 0) + 0.9 * (Map ?? 0);

    public double Total => Box + Obj + Cls;
}
