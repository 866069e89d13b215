namespace PruneCluster.Engine.Training.Hyp;

/// <summary>
/// YOLOv7's training hyperparameters (the keys of <c>data/hyp.*.yaml</c>, named as there): optimiser and schedule,
/// loss gains and anchor matching, augmentation. Read one with <see cref="HyperparameterFile.Load"/>.
/// </summary>
public sealed record Hyperparameters
{
    /// <summary>Initial learning rate.</summary>
    public double Lr0 { get; init; }

    /// <summary>Final learning rate as a fraction of lr0 (one-cycle or linear schedule).</summary>
    public double Lrf { get; init; }

    public double Momentum { get; init; }
    public double WeightDecay { get; init; }
    public double WarmupEpochs { get; init; }
    public double WarmupMomentum { get; init; }
    public double WarmupBiasLr { get; init; }

    /// <summary>Box (CIoU) loss gain.</summary>
    public double Box { get; init; }

    /// <summary>Classification loss gain.</summary>
    public double Cls { get; init; }

    /// <summary>Positive weight of the classification BCE.</summary>
    public double ClsPw { get; init; }

    /// <summary>Objectness loss gain.</summary>
    public double Obj { get; init; }

    /// <summary>Positive weight of the objectness BCE.</summary>
    public double ObjPw { get; init; }

    /// <summary>IoU training threshold (read by YOLOv7 but unused by its losses).</summary>
    public double IouT { get; init; }

    /// <summary>A target matches an anchor when neither side ratio exceeds this multiple.</summary>
    public double AnchorT { get; init; }

    /// <summary>Focal loss gamma; 0 means plain BCE.</summary>
    public double FlGamma { get; init; }

    public double HsvH { get; init; }
    public double HsvS { get; init; }
    public double HsvV { get; init; }
    public double Degrees { get; init; }
    public double Translate { get; init; }
    public double Scale { get; init; }
    public double Shear { get; init; }
    public double Perspective { get; init; }
    public double Flipud { get; init; }
    public double Fliplr { get; init; }
    public double Mosaic { get; init; }
    public double Mixup { get; init; }
    public double CopyPaste { get; init; }
    public double PasteIn { get; init; }

    /// <summary>True: train with ComputeLossOTA; false: ComputeLoss.</summary>
    public bool LossOta { get; init; }

    /// <summary>Class label smoothing epsilon (YOLOv7 puts <c>--label-smoothing</c> here; optional in a file, default 0).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Anchors per output layer for auto-anchoring (the files' commented-out <c>anchors</c>; optional, 0 = ignore).</summary>
    public double Anchors { get; init; }

    /// <summary>
    /// The loss gains as YOLOv7's train.py scales them for a model: box by 3/nl, cls by nc/80·3/nl, obj by
    /// (img/640)²·3/nl.
    /// </summary>
    public Hyperparameters ScaledFor(int levels, int classes, int imageSize) => this with
    {
        Box = Box * 3.0 / levels,
        Cls = Cls * classes / 80.0 * 3.0 / levels,
        Obj = Obj * Math.Pow(imageSize / 640.0, 2) * 3.0 / levels,
    };

    /// <summary>Every key with its value, in YOLOv7's file order (flags as 0/1), e.g. for a run's hyp.yaml.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> ToKeyValues() =>
        HyperparameterKeys.All.Select(k => KeyValuePair.Create(k.Name, k.Get(this))).ToList();
}
