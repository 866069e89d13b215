using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>Choices for <see cref="TrainingSet.Load"/>; the defaults reproduce YOLOv7's train loader.</summary>
public sealed record TrainingSetOptions
{
    /// <summary>What a bad label row costs: the whole image (YOLOv7) or only the row.</summary>
    public LabelPolicy LabelPolicy { get; init; } = LabelPolicy.YoloV7;

    /// <summary>
    /// Refuse the set at the first issue (bad label row, missing image) with one <see cref="DatasetException"/> naming
    /// the file and line, instead of reporting it in <see cref="TrainingSet.Issues"/> and skipping (YOLOv7's warning).
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>YOLOv7's single_cls: every label becomes class 0.</summary>
    public bool SingleClass { get; init; }
}
