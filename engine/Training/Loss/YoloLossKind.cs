namespace PruneCluster.Engine.Training.Loss;

/// <summary>Which of YOLOv7's training losses (<c>utils/loss.py</c>) a <see cref="YoloLoss"/> computes.</summary>
public enum YoloLossKind
{
    /// <summary><c>ComputeLoss</c>: every anchor candidate is a positive.</summary>
    Plain,

    /// <summary><c>ComputeLossOTA</c>: the candidates compete (train.py with <c>loss_ota: 1</c>).</summary>
    Ota,

    /// <summary>
    /// <c>ComputeLossAuxOTA</c>, train_aux.py's loss for IAuxDetect (P6) models: OTA on the main levels plus, weighted
    /// 0.25, on the auxiliary levels with wider candidates; needs the auxiliary outputs.
    /// </summary>
    AuxOta,
}
