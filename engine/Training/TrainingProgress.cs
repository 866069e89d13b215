namespace PruneCluster.Engine.Training;

/// <summary>Where a run is: reported after every batch and after each validation.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Box">Running mean box loss of the epoch.</param>
/// <param name="Obj">Running mean objectness loss.</param>
/// <param name="Cls">Running mean class loss.</param>
/// <param name="ImagesPerSecond">Training throughput of this epoch so far.</param>
/// <param name="Remaining">Estimated time left for the run (training and validation), null before the first batch.</param>
/// <param name="Validated">Set once an epoch's validation finished: that epoch's row.</param>
public sealed record TrainingProgress(
    int Epoch,
    int Epochs,
    int Batch,
    int Batches,
    double Box,
    double Obj,
    double Cls,
    double ImagesPerSecond,
    TimeSpan? Remaining,
    EpochResult? Validated = null);
