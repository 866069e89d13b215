using PruneCluster.Engine.Models.Modules;
using PruneCluster.Engine.Training.Hyp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>
/// YOLOv7's training losses (<c>utils/loss.py</c>) on the raw per-level head outputs [b, na, ny, nx, nc + 5]:
/// <c>ComputeLoss</c> (every anchor candidate is a positive) or <c>ComputeLossOTA</c> (the candidates compete, see
/// <see cref="OtaAssignment"/>). CIoU box loss, objectness BCE towards the (gr-weighted) IoU with the level balance
/// 4.0 / 1.0 / 0.4 (optionally auto-balanced), class BCE with label smoothing, focal loss when fl_gamma &gt; 0.
/// Differentiable; every tensor is made on the predictions' device. With <c>autobalance</c> an instance keeps the
/// level weights it learns, so use one instance per training run and thread.
/// </summary>
public sealed class YoloLoss
{
    private readonly Hyperparameters hyp;
    private readonly double gr;
    private readonly bool autobalance;
    private readonly double[] balance;
    private readonly int strideSixteen;
    private readonly int classes;
    private readonly Tensor anchors;
    private readonly double[] strides;
    private readonly BceCriterion classCriterion;
    private readonly BceCriterion objectCriterion;
    private readonly double positiveTarget;
    private readonly double negativeTarget;

    /// <param name="head">The model's detection head (anchors, strides, classes).</param>
    /// <param name="ota">ComputeLossOTA (YOLOv7's choice when the hyp says <c>loss_ota: 1</c>) or ComputeLoss.</param>
    /// <param name="gr">Objectness target = (1 − gr) + gr · IoU; YOLOv7's train.py sets 1.0.</param>
    public YoloLoss(DetectHead head, Hyperparameters hyp, bool ota, double gr = 1.0, bool autobalance = false)
    {
        this.hyp = hyp;
        this.gr = gr;
        this.autobalance = autobalance;
        Ota = ota;
        classes = head.Nc;
        anchors = head.AnchorsInGridUnits;
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

    public bool Ota { get; }

    /// <summary>The level weights of the objectness loss (they move only with autobalance).</summary>
    public IReadOnlyList<double> Balance => balance;

    /// <param name="predictions">The main levels' raw outputs (<c>YoloModel.ForwardRaw(x, includeAux: false)</c>).</param>
    /// <param name="targets">[n, 6] rows [image, class, x centre, y centre, width, height], coordinates normalised.</param>
    /// <param name="imageSize">The input's height in pixels (OTA scales the normalised targets by it, as YOLOv7 by
    /// <c>imgs.shape[2]</c>); unused by ComputeLoss.</param>
    public LossOutput Compute(IReadOnlyList<Tensor> predictions, Tensor targets, long imageSize)
    {
        using var scope = NewDisposeScope();
        var device = predictions[0].device;
        targets = targets.to(ScalarType.Float32).to(device);
        var candidates = AnchorCandidates.Find(predictions, targets, anchors.to(device), hyp.AnchorT);
        var levelTargets = Ota
            ? OtaAssignment.Assign(predictions, targets, candidates, strides, classes, imageSize)
            : candidates.Select(c => c.AsTargets()).ToArray();

        var (lbox, lobj, lcls) = (zeros(1, device: device), zeros(1, device: device), zeros(1, device: device));
        for (var i = 0; i < predictions.Count; i++)
        {
            var (p, t) = (predictions[i], levelTargets[i]);
            var objectTarget = zeros_like(p[TensorIndex.Ellipsis, 0]);
            var n = t.Count;
            if (n > 0)
            {
                var ps = p[t.Image, t.Anchor, t.GridY, t.GridX];
                var xy = ps[TensorIndex.Colon, TensorIndex.Slice(0, 2)].sigmoid() * 2.0 - 0.5;
                var wh = (ps[TensorIndex.Colon, TensorIndex.Slice(2, 4)].sigmoid() * 2).pow(2) * t.AnchorSize;
                var iou = BoxGeometry.CompleteIou(cat([xy, wh], 1), t.Box);
                lbox = lbox + (1.0 - iou).mean();
                objectTarget.index_put_((iou.detach().clamp(0) * gr + (1.0 - gr)).to(objectTarget.dtype), t.Image, t.Anchor, t.GridY, t.GridX);
                if (classes > 1)
                {
                    var logits = ps[TensorIndex.Colon, TensorIndex.Slice(5, null)];
                    var classTarget = full_like(logits, negativeTarget);
                    classTarget.index_put_(positiveTarget, arange(n, device: device), t.Class);
                    lcls = lcls + classCriterion.Mean(logits, classTarget);
                }
            }
            var levelObjectness = objectCriterion.Mean(p[TensorIndex.Ellipsis, 4], objectTarget);
            lobj = lobj + levelObjectness * balance[i];
            if (autobalance)
                balance[i] = balance[i] * 0.9999 + 0.0001 / levelObjectness.detach().item<float>();
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
}
