using System.Diagnostics;
using System.Globalization;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Plots;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Engine.Training;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// Runs a campaign on this machine: <c>step = CampaignPlanner.Next(record)</c>, run it with <see cref="CampaignPhases"/>,
/// record its outcome, save the record atomically — until the planner says finished. Every phase leaves its files in
/// the <see cref="CampaignFolder"/>, so an interrupted campaign resumes at the first unfinished phase (and a phase
/// interrupted halfway continues where it was: the analysis keeps its finished variants, training its epochs).
/// </summary>
public sealed class LocalCampaign(CampaignSpec spec, string weights, string dataYaml, string outDir, string device = "cpu", int workers = 2)
{
    private readonly CampaignPhases _phases = new(spec, dataYaml, device, workers);

    public CampaignFolder Folder { get; } = new(outDir);

    /// <summary>
    /// Checks the inputs and the folder before any heavy work and returns the record to continue from: a new one
    /// (the folder is created) or the folder's own, which must be of the same weights, data and spec.
    /// </summary>
    /// <exception cref="InvalidDataException">The folder holds another campaign, or files that are not a campaign.</exception>
    public CampaignRecord Open()
    {
        var data = DataYaml.Load(dataYaml);
        var inputs = CampaignInputs.Measure(weights, data);
        if (Folder.HasRecord)
        {
            var record = CampaignRecordFile.Load(Folder.RecordPath);
            if (CampaignRecordFile.ToJson(CampaignRecord.Start(record.Spec)) != CampaignRecordFile.ToJson(CampaignRecord.Start(spec)))
                throw new InvalidDataException($"{Folder.Path} holds a campaign with other settings (its campaign.json's spec differs from this config); resume it with the config it started with, or use another --out");
            if (Folder.ReadInputs() is { } stored && stored.Difference(inputs) is { } difference)
                throw new InvalidDataException($"{Folder.Path} holds a campaign of {difference}; resume it with its own inputs, or use another --out");
            return record.Resumed();
        }
        if (Directory.Exists(Folder.Path) && Directory.EnumerateFileSystemEntries(Folder.Path).Any())
            throw new InvalidDataException($"--out {Folder.Path} is not empty and holds no campaign (no campaign.json); give an empty or new folder");
        // The model must load and fit the data before the folder records it as this campaign's input.
        using (var loaded = ModelFile.Load(weights))
            ModelEvaluator.CheckClassCount(loaded.Model, data, weights);
        Directory.CreateDirectory(Folder.Path);
        Folder.WriteInputs(inputs);
        var start = CampaignRecord.Start(spec);
        CampaignRecordFile.Save(Folder.RecordPath, start);
        return start;
    }

    /// <summary>
    /// Runs from <paramref name="record"/> to the end and returns why the campaign ended. On cancellation the
    /// record (marked cancelled) and the phase's time so far are saved before <see cref="OperationCanceledException"/>
    /// propagates.
    /// </summary>
    public CampaignOutcome Run(CampaignRecord record, IProgress<CampaignProgress>? progress = null, CancellationToken ct = default)
    {
        while (true)
        {
            var step = CampaignPlanner.Next(record);
            if (step is CampaignStep.Finished finished)
                return finished.Outcome;
            var (iteration, phase) = Describe(step);
            var clock = Stopwatch.StartNew();
            try
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report(new CampaignProgress(iteration, phase, "started", null));
                record = Execute(step, record, iteration, phase, progress, ct);
            }
            catch (OperationCanceledException)
            {
                Folder.AddTiming(iteration, phase, clock.Elapsed);
                CampaignRecordFile.Save(Folder.RecordPath, record.WithCancelled());
                throw;
            }
            Folder.AddTiming(iteration, phase, clock.Elapsed);
            CampaignRecordFile.Save(Folder.RecordPath, record);
        }
    }

    /// <summary>The iteration (0 for the baseline) and the phase name a step runs, as timings.json and progress name them.</summary>
    public static (int Iteration, string Phase) Describe(CampaignStep step) => step switch
    {
        CampaignStep.EvaluateBaseline => (0, "baseline"),
        CampaignStep.RunSensitivity s => (s.Iteration, "sensitivity"),
        CampaignStep.SelectLayers s => (s.Iteration, "select"),
        CampaignStep.Prune s => (s.Iteration, "prune"),
        CampaignStep.FineTune s => (s.Iteration, "fine-tune"),
        _ => (0, "finished"),
    };

    private CampaignRecord Execute(CampaignStep step, CampaignRecord record, int k, string phase, IProgress<CampaignProgress>? progress, CancellationToken ct)
    {
        switch (step)
        {
            case CampaignStep.EvaluateBaseline:
                return record.WithBaseline(_phases.Measure(weights, ct));
            case CampaignStep.RunSensitivity s:
            {
                var dir = Folder.SensitivityDir(k);
                _phases.Sensitivity(s.Input.Checkpoint, dir, new SyncProgress<SensitivityProgress>(p =>
                    progress?.Report(new CampaignProgress(k, phase, $"{p.Done}/{p.Total} variants", p.Remaining))), ct);
                WritePlots(dir);
                return record.WithSensitivityDone(k, s.Input);
            }
            case CampaignStep.SelectLayers:
            {
                var iteration = record.Iterations[k - 1];
                var layers = _phases.Select(new SensitivityStore(Folder.SensitivityDir(k)).Load(), iteration.Input);
                Folder.WriteJson(Folder.SelectionPath(k), new
                {
                    Mode = spec.Selection.Mode.ToString().ToLowerInvariant(),
                    PruningParams = PruningParams.Format(layers),
                    Layers = layers.Select(l => new { l.Layer, l.Rate }),
                });
                return record.WithSelection(k, layers);
            }
            case CampaignStep.Prune s:
                return record.WithPruned(k, _phases.Prune(s.Input.Checkpoint, s.Layers, Folder.PrunedPath(k), ct, spec.Output.Format));
            case CampaignStep.FineTune s:
            {
                var tuned = _phases.FineTune(s.Pruned.Checkpoint, Folder.FineTuneDir(k), new SyncProgress<TrainingProgress>(p =>
                    progress?.Report(new CampaignProgress(k, phase, string.Create(CultureInfo.InvariantCulture,
                        $"epoch {p.Epoch + 1}/{p.Epochs} batch {p.Batch}/{p.Batches}, {p.ImagesPerSecond:F1} img/s{(p.Validated?.Map is { } map ? $", mAP@.5:.95 {map:F4}" : "")}"),
                        p.Remaining))), ct);
                var kept = Folder.FineTunedPath(k);
                // The training run keeps YOLOv7's layout (train's own files); the kept model is in the spec's.
                ModelFile.SaveAs(tuned.Checkpoint, kept, spec.Output.Format);
                return record.WithFineTuned(k, tuned with { Checkpoint = kept });
            }
            default:
                throw new InvalidOperationException($"campaign step {step} has no executor");
        }
    }

    // The figures `prunecluster sensitivity` draws; a folder the plots cannot read yet is no reason to stop.
    private static void WritePlots(string dir)
    {
        try
        {
            SensitivityPlots.Write(dir, new SensitivityStore(dir).Load(), baseline: new SensitivityFolder(dir).ReadRecord()?.Baseline);
        }
        catch (SensitivityDataException)
        {
        }
    }
}
