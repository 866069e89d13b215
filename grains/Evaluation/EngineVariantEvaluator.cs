using System.Collections.Concurrent;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains.Contracts;
using TorchSharp;

namespace PruneCluster.Grains.Evaluation;

/// <summary>
/// Evaluates variants with the engine, exactly as the local <c>sensitivity</c> command does: each slot keeps one
/// <see cref="VariantEvaluator"/> (the loaded model on the slot's device, the decoded set, the unpruned activations)
/// for the spec it last served, so the variants of an iteration evaluated on a slot share what the command's fast
/// mode shares; a task with another spec (model digest, data, img, batch, criterion …) replaces it. The model comes
/// from the artifact store by digest, the data from the spec's yaml path; before a slot uses either, this silo
/// checks its copy of the data against the spec's digest and refuses (<see cref="EvaluationRefusedException"/>)
/// rather than produce other numbers. The silo's runtime (decoded sets, memory hand-back) is shared by its slots.
/// </summary>
public sealed class EngineVariantEvaluator(ArtifactStore artifacts, EngineRuntime runtime, string silo) : IVariantEvaluator, IDisposable
{
    private readonly ConcurrentDictionary<int, SlotEvaluator> slots = new();

    private sealed record SlotEvaluator(EvaluationSpec Spec, LoadedModel Model, VariantEvaluator Evaluator) : IDisposable
    {
        public void Dispose()
        {
            Evaluator.Dispose();
            Model.Dispose();
        }
    }

    public VariantResult Evaluate(VariantTask task, DeviceSlot slot, CancellationToken cancellationToken)
    {
        var evaluator = For(task.Spec, slot).Evaluator;
        var result = evaluator.Evaluate(task.Key.Layer, task.Key.Rate, cancellationToken).Result;
        runtime.ReleaseOnGrowth();
        return new VariantResult(task.Key, result.Mp, result.Mr, result.Map50, result.Map, [.. result.PerClassMaps], result.Params, result.Gflops,
            Seconds: 0, Silo: "", Device: "", InferenceMs: result.Timing.InferenceMs, NmsMs: result.Timing.NmsMs);
    }

    public void Dispose()
    {
        foreach (var slot in slots.Values)
            slot.Dispose();
        slots.Clear();
    }

    private SlotEvaluator For(EvaluationSpec spec, DeviceSlot slot)
    {
        if (slots.TryGetValue(slot.Index, out var current) && current.Spec == spec)
            return current;
        if (slots.TryRemove(slot.Index, out var previous))
            previous.Dispose();
        var created = Create(spec, slot);
        slots[slot.Index] = created;
        return created;
    }

    private SlotEvaluator Create(EvaluationSpec spec, DeviceSlot slot)
    {
        var data = CheckedData(spec);
        string weights;
        try
        {
            weights = artifacts.Verified(spec.ModelDigest);
        }
        catch (ArtifactException e)
        {
            throw new EvaluationRefusedException($"silo {silo}: {e.Message}", e);
        }
        LoadedModel model;
        try
        {
            model = ModelFile.Load(weights);
        }
        catch (CheckpointException e)
        {
            throw new EvaluationRefusedException($"silo {silo}: model {spec.ModelDigest}: {e.Message}", e);
        }
        try
        {
            model.Model.to(DeviceName.Resolve(slot.Device));
            var options = new SensitivityOptions(EvaluationSpec.Items(spec.Rates).ToArray(), (Criterion)spec.Criterion, spec.Seed,
                Nms: NmsOptions.ForTest with { ConfThreshold = spec.Conf, IouThreshold = spec.Iou },
                ActivationCacheBytes: spec.ActivationCacheBytes, ImportancePrecision: spec.ImportancePrecision, RoundTo: spec.RoundTo);
            var evaluator = new VariantEvaluator(model, data, spec.Img, spec.Batch, options, runtime);
            try
            {
                var layers = spec.Layers.IsDefaultOrEmpty ? Enumerable.Range(0, model.Model.PrunableLayers.Count) : spec.Layers;
                evaluator.Expect(layers.SelectMany(layer => options.Rates.Select(rate => (layer, rate))));
                return new SlotEvaluator(spec, model, evaluator);
            }
            catch
            {
                evaluator.Dispose();
                throw;
            }
        }
        catch (Exception e)
        {
            model.Dispose();
            if (e is EvaluationException or DatasetException)
                throw new EvaluationRefusedException($"silo {silo}: {e.Message}", e);
            throw;
        }
    }

    // The campaign recorded a digest of the val split's file listing; a copy that differs would give other numbers.
    private DataYaml CheckedData(EvaluationSpec spec)
    {
        try
        {
            var data = DataYaml.Load(spec.DataYaml);
            var digest = DatasetDigest.Of(data, SensitivityIdentity.Split);
            if (digest != spec.DataDigest)
                throw new EvaluationRefusedException(
                    $"silo {silo}: the data at {spec.DataYaml} has digest {digest}, the campaign's has {spec.DataDigest}: this silo's copy of the data set differs; give every silo the same copy (a shared volume) or stop this silo");
            return data;
        }
        catch (DatasetException e)
        {
            throw new EvaluationRefusedException($"silo {silo}: data {spec.DataYaml}: {e.Message}", e);
        }
    }
}
