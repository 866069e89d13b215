namespace PruneCluster.Engine.Training.Hyp;

/// <summary>
/// Every key a YOLOv7 hyp file may hold, in the files' order, with the values that make sense for it (probabilities in
/// [0, 1], gains and weights non-negative, learning rates positive …).
/// </summary>
internal static class HyperparameterKeys
{
    private const double Inf = double.PositiveInfinity;

    public static IReadOnlyList<HyperparameterKey> All { get; } =
    [
        Number("lr0", 0, 1, h => h.Lr0, (h, v) => h with { Lr0 = v }, minExclusive: true),
        Number("lrf", 0, 1, h => h.Lrf, (h, v) => h with { Lrf = v }, minExclusive: true),
        Number("momentum", 0, 1, h => h.Momentum, (h, v) => h with { Momentum = v }),
        Number("weight_decay", 0, 1, h => h.WeightDecay, (h, v) => h with { WeightDecay = v }),
        Number("warmup_epochs", 0, Inf, h => h.WarmupEpochs, (h, v) => h with { WarmupEpochs = v }),
        Number("warmup_momentum", 0, 1, h => h.WarmupMomentum, (h, v) => h with { WarmupMomentum = v }),
        Number("warmup_bias_lr", 0, 1, h => h.WarmupBiasLr, (h, v) => h with { WarmupBiasLr = v }),
        Number("box", 0, Inf, h => h.Box, (h, v) => h with { Box = v }),
        Number("cls", 0, Inf, h => h.Cls, (h, v) => h with { Cls = v }),
        Number("cls_pw", 0, Inf, h => h.ClsPw, (h, v) => h with { ClsPw = v }, minExclusive: true),
        Number("obj", 0, Inf, h => h.Obj, (h, v) => h with { Obj = v }),
        Number("obj_pw", 0, Inf, h => h.ObjPw, (h, v) => h with { ObjPw = v }, minExclusive: true),
        Number("iou_t", 0, 1, h => h.IouT, (h, v) => h with { IouT = v }),
        Number("anchor_t", 1, Inf, h => h.AnchorT, (h, v) => h with { AnchorT = v }, minExclusive: true),
        Number("fl_gamma", 0, Inf, h => h.FlGamma, (h, v) => h with { FlGamma = v }),
        Number("hsv_h", 0, 1, h => h.HsvH, (h, v) => h with { HsvH = v }),
        Number("hsv_s", 0, 1, h => h.HsvS, (h, v) => h with { HsvS = v }),
        Number("hsv_v", 0, 1, h => h.HsvV, (h, v) => h with { HsvV = v }),
        Number("degrees", 0, 180, h => h.Degrees, (h, v) => h with { Degrees = v }),
        Number("translate", 0, 1, h => h.Translate, (h, v) => h with { Translate = v }),
        // random_perspective draws the scale gain from [1 - scale, 1 + scale]: it must stay positive.
        Number("scale", 0, 0.999, h => h.Scale, (h, v) => h with { Scale = v }),
        Number("shear", 0, 90, h => h.Shear, (h, v) => h with { Shear = v }),
        Number("perspective", 0, 0.1, h => h.Perspective, (h, v) => h with { Perspective = v }),
        Number("flipud", 0, 1, h => h.Flipud, (h, v) => h with { Flipud = v }),
        Number("fliplr", 0, 1, h => h.Fliplr, (h, v) => h with { Fliplr = v }),
        Number("mosaic", 0, 1, h => h.Mosaic, (h, v) => h with { Mosaic = v }),
        Number("mixup", 0, 1, h => h.Mixup, (h, v) => h with { Mixup = v }),
        Number("copy_paste", 0, 1, h => h.CopyPaste, (h, v) => h with { CopyPaste = v }),
        Number("paste_in", 0, 1, h => h.PasteIn, (h, v) => h with { PasteIn = v }),
        new("loss_ota", 0, 1, false, Integer: true, Default: null, h => h.LossOta ? 1 : 0, (h, v) => h with { LossOta = v != 0 }),
        Number("label_smoothing", 0, 1, h => h.LabelSmoothing, (h, v) => h with { LabelSmoothing = v }, optional: 0.0),
        new("anchors", 0, 10, false, Integer: true, Default: 0.0, h => h.Anchors, (h, v) => h with { Anchors = v }),
    ];

    private static HyperparameterKey Number(string name, double min, double max, Func<Hyperparameters, double> get,
        Func<Hyperparameters, double, Hyperparameters> set, bool minExclusive = false, double? optional = null) =>
        new(name, min, max, minExclusive, Integer: false, Default: optional, get, set);
}
