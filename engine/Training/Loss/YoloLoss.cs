using PruneCluster.Engine.Models.Modules;
using PruneCluster.Engine.Training.Hyp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>
/// YOLOv7's training losses (<c>utils/loss.py</c>) on the raw per-level head outputs [b, na, ny, nx, nc + 5]:
/// <c>ComputeLoss</c> (every anchor candidate is a positive), <c>ComputeLossOTA</c> (the candidates compete, see
/// <see cref="OtaAssignment"/>) or <c>ComputeLossAuxOTA</c> (P6 models: OTA with twenty best IoUs on the main levels,
/// plus the auxiliary levels — matched on the main levels' predictions from the five-cell candidates — at weight
/// 0.25). CIoU box loss, objectness BCE towards the (gr-weighted) IoU with the level balance 4.0 / 1.0 / 0.4 (P6:
/// 4.0 / 1.0 / 0.25 / 0.06; optionally auto-balanced on the main levels), class BCE with label smoothing, focal loss
/// when fl_gamma &gt; 0. Differentiable; every tensor is made on the predictions' device. With <c>autobalance</c> an
/// instance keeps the level weights it learns, so use one instance per training run and thread.
/// </summary>
public sealed class YoloLoss
{
    /// <summary>ComputeLossAuxOTA's weight of the auxiliary levels' box, objectness and class terms.</summary>
    private const double AuxWeight = 0.25;

    private readonly Hyperparameters hyp;
    private readonly double gr;
    private readonly bool autobalance;
    private readonly double[] balance;
    private readonly int strideSixteen;
    private readonly int classes;
    private readonly DetectHead head;
    private readonly double[] strides;
    private readonly BceCriterion classCriterion;
    private readonly BceCriterion objectCriterion;
    private readonly double positiveTarget;
    private readonly double negativeTarget;

    /// <param name="head">The model's detection head (anchors, strides, classes).</param>
    /// <param name="head">The model's detection head (anchors, strides, classes); IAuxDetect for <see cref="YoloLossKind.AuxOta"/>.</param>
    /// <param name="kind">Which loss; <see cref="KindFor"/> gives YOLOv7's training choice.</param>
    /// <param name="gr">Objectness target = (1 − gr) + gr · IoU; YOLOv7's train.py sets 1.0.</param>
    public YoloLoss(DetectHead head, Hyperparameters hyp, YoloLossKind kind, double gr = 1.0, bool autobalance = false)
    {
        if (kind == YoloLossKind.AuxOta && !head.IsAux)
            throw new ArgumentException($"ComputeLossAuxOTA needs an IAuxDetect head (P6 models), not {head.Kind}", nameof(kind));
        this.hyp = hyp;
        this.gr = gr;
        this.autobalance = autobalance;
        Kind = kind;
        classes = head.Nc;
        this.head = head;
        strides = head.Strides;
        balance = head.Levels == 3 ? [4.0, 1.0, 0.4] : [4.0, 1.0, 0.25, 0.06, 0.02];
        strideSixteen = autobalance ? Array.IndexOf(strides, 16.0) : 0;
        if (strideSixteen < 0)
            throw new ArgumentException("autobalance needs a detection level of stride 16");
        classCriterion = new BceCriterion(hyp.ClsPw, hyp.FlGamma);
        objectCriterion = new BceCriterion(hyp.ObjPw, hyp.FlGamma);
        // smooth_BCE: positive and negative class targets.
        (positiveTarget, negativeTarget) = (1.0 - 0.5 * hyp.LabelSmoothing, 0.5 * hyp.LabelSmoothing);
    }

    /// <summary>
    /// The loss YOLOv7 trains <paramref name="head"/>'s model with: ComputeLossAuxOTA for IAuxDetect (train_aux.py,
    /// whatever the hyp's loss_ota), else ComputeLossOTA or ComputeLoss as <paramref name="lossOta"/> says (train.py).
    /// </summary>
    public static YoloLossKind KindFor(DetectHead head, bool lossOta) =>
        head.IsAux ? YoloLossKind.AuxOta : lossOta ? YoloLossKind.Ota : YoloLossKind.Plain;

    public YoloLossKind Kind { get; }

    /// <summary>Whether the candidates compete (ComputeLossOTA or ComputeLossAuxOTA); <c>loss --json</c> prints it.</summary>
    public bool Ota => Kind != YoloLossKind.Plain;

    /// <summary>Whether <see cref="Compute"/> wants the auxiliary outputs too (<c>ForwardRaw(x, includeAux: UsesAux)</c>).</summary>
    public bool UsesAux => Kind == YoloLossKind.AuxOta;

    /// <summary>YOLOv7's name of the loss.</summary>
    public string Name => Kind switch
    {
        YoloLossKind.Plain => "ComputeLoss",
        YoloLossKind.Ota => "ComputeLossOTA",
        _ => "ComputeLossAuxOTA",
    };

    /// <summary>The level weights of the objectness loss (they move only with autobalance).</summary>
    public IReadOnlyList<double> Balance => balance;

    /// <param name="predictions">The main levels' raw outputs (<c>YoloModel.ForwardRaw(x, includeAux: false)</c>), and for
    /// <see cref="YoloLossKind.AuxOta"/> the auxiliary ones after them (<c>includeAux: true</c>).</param>
    /// <param name="targets">[n, 6] rows [image, class, x centre, y centre, width, height], coordinates normalised.</param>
    /// <param name="imageSize">The input's height in pixels (OTA scales the normalised targets by it, as YOLOv7 by
    /// <c>imgs.shape[2]</c>); unused by ComputeLoss.</param>
    public LossOutput Compute(IReadOnlyList<Tensor> predictions, Tensor targets, long imageSize)
    {
        var levels = head.Levels;
        var expected = UsesAux ? 2 * levels : levels;
        if (predictions.Count != expected)
            throw new ArgumentException($"{Name} takes {expected} raw outputs ({levels} levels{(UsesAux ? " and their auxiliary ones" : "")}), got {predictions.Count}", nameof(predictions));
        using var scope = NewDisposeScope();
        var device = predictions[0].device;
        targets = targets.to(ScalarType.Float32).to(device);
        var main = predictions.Take(levels).ToList();
        var levelTargets = Positives(main, targets, imageSize, AnchorCandidates.ThreePositive);
        // ComputeLossAuxOTA's build_targets2: the auxiliary positives are matched on the main levels' predictions too.
        var auxTargets = UsesAux ? Positives(main, targets, imageSize, AnchorCandidates.FivePositive) : null;

        var (lbox, lobj, lcls) = (zeros(1, device: device), zeros(1, device: device), zeros(1, device: device));
        for (var i = 0; i < levels; i++)
        {
            var (box, objectness, cls) = LevelTerms(main[i], levelTargets[i]);
            if (box is not null)
                lbox = lbox + box;
            if (cls is not null)
                lcls = lcls + cls;
            var weighted = objectness * balance[i];
            if (auxTargets is not null)
            {
                var (auxBox, auxObjectness, auxCls) = LevelTerms(predictions[levels + i], auxTargets[i]);
                if (auxBox is not null)
                    lbox = lbox + AuxWeight * auxBox;
                if (auxCls is not null)
                    lcls = lcls + AuxWeight * auxCls;
                weighted = weighted + AuxWeight * auxObjectness * balance[i];
            }
            lobj = lobj + weighted;
            if (autobalance)
                balance[i] = balance[i] * 0.9999 + 0.0001 / objectness.detach().item<float>();
        }
        if (autobalance)
        {
            var reference = balance[strideSixteen];
            for (var i = 0; i < balance.Length; i++)
                balance[i] /= reference;
        }
        lbox = lbox * hyp.Box;
        lobj = lobj * hyp.Obj;
        lcls = lcls * hyp.Cls;
        var loss = lbox + lobj + lcls;
        var total = loss * predictions[0].shape[0];
        var parts = cat([lbox, lobj, lcls, loss]).detach();
        return new LossOutput(total.MoveToOuterDisposeScope(), parts.MoveToOuterDisposeScope());
    }

    // The positives of every main level: the anchor candidates themselves (ComputeLoss) or the OTA winners among them.
    private LevelTargets[] Positives(IReadOnlyList<Tensor> main, Tensor targets, long imageSize, double cellBias)
    {
        // Read from the head on each call: moving the model to another device replaces its buffers.
        var candidates = AnchorCandidates.Find(main, targets, head.AnchorsInGridUnits.to(targets.device), hyp.AnchorT, cellBias);
        return Kind switch
        {
            YoloLossKind.Plain => candidates.Select(c => c.AsTargets()).ToArray(),
            YoloLossKind.Ota => OtaAssignment.Assign(main, targets, candidates, strides, classes, imageSize, OtaAssignment.OtaTopIous),
            _ => OtaAssignment.Assign(main, targets, candidates, strides, classes, imageSize, OtaAssignment.AuxOtaTopIous),
        };
    }

    // One level's terms: the mean CIoU loss and class BCE of its positives (null without positives), and the
    // objectness BCE over all its cells towards the positives' IoU.
    private (Tensor? Box, Tensor Objectness, Tensor? Class) LevelTerms(Tensor p, LevelTargets t)
    {
        var objectTarget = zeros_like(p[TensorIndex.Ellipsis, 0]);
        Tensor? box = null, cls = null;
        var n = t.Count;
        if (n > 0)
        {
            var ps = p[t.Image, t.Anchor, t.GridY, t.GridX];
            var xy = ps[TensorIndex.Colon, TensorIndex.Slice(0, 2)].sigmoid() * 2.0 - 0.5;
            var wh = (ps[TensorIndex.Colon, TensorIndex.Slice(2, 4)].sigmoid() * 2).pow(2) * t.AnchorSize;
            var iou = BoxGeometry.CompleteIou(cat([xy, wh], 1), t.Box);
            box = (1.0 - iou).mean();
            objectTarget.index_put_((iou.detach().clamp(0) * gr + (1.0 - gr)).to(objectTarget.dtype), t.Image, t.Anchor, t.GridY, t.GridX);
            if (classes > 1)
            {
                var logits = ps[TensorIndex.Colon, TensorIndex.Slice(5, null)];
                var classTarget = full_like(logits, negativeTarget);
                classTarget.index_put_(positiveTarget, arange(n, device: p.device), t.Class);
                cls = classCriterion.Mean(logits, classTarget);
            }
        }
        return (box, objectCriterion.Mean(p[TensorIndex.Ellipsis, 4], objectTarget), cls);
    }
}
