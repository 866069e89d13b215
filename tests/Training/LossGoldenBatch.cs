using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Engine.Training.Loss;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Training;

/// <summary>The golden loss file's model, input batch and targets, loaded for one test.</summary>
public sealed class LossGoldenBatch : IDisposable
{
    public LoadedModel Loaded { get; } = ModelFile.Load(LossGolden.Checkpoint);
    public Tensor Input { get; } = NpyFile.Read(LossGolden.Input);
    public Tensor Targets { get; } = tensor(LossGolden.TargetValues).view(-1, 6);

    /// <summary>The loss of the batch without gradients, through <paramref name="loss"/> (a new one by default).</summary>
    public LossValues Evaluate(Hyperparameters hyp, bool ota, YoloLoss? loss = null, Tensor? targets = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var raw = Loaded.Model.ForwardRaw(Input, includeAux: false);
        loss ??= new YoloLoss(Loaded.Model.Head, hyp, ota ? YoloLossKind.Ota : YoloLossKind.Plain);
        using var output = loss.Compute(raw, targets ?? Targets, Input.shape[2]);
        return output.Read();
    }

    public void Dispose()
    {
        Loaded.Dispose();
        Input.Dispose();
        Targets.Dispose();
    }
}
