using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Pruning;

namespace PruneCluster.Tests.Campaign;

/// <summary>
/// The campaign state machine driven by a scripted executor: each iteration's fine-tuned model comes from a script,
/// everything else from the record, as the local driver and the coordinator grain will run it.
/// </summary>
public sealed class CampaignPlannerTests
{
    private static readonly ModelMetrics Baseline = new(6_000_000, 13.0, 0.70, 0.40, "base.pt");

    /// <summary>Runs the planner to the end; each iteration cuts params and GFLOPs by 20 % and mAP by <paramref name="mapDrops"/>[k].</summary>
    private static (CampaignStep.Finished End, CampaignRecord Record, List<string> Steps) Drive(
        CampaignSpec spec, double[] mapDrops, Func<CampaignRecord, CampaignRecord>? afterEachStep = null)
    {
        var record = CampaignRecord.Start(spec);
        var steps = new List<string>();
        for (var guard = 0; guard < 100; guard++)
        {
            var step = CampaignPlanner.Next(record);
            steps.Add(step.GetType().Name);
            switch (step)
            {
                case CampaignStep.Finished end:
                    return (end, record, steps);
                case CampaignStep.EvaluateBaseline:
                    record = record.WithBaseline(Baseline);
                    break;
                case CampaignStep.RunSensitivity run:
                    record = record.WithSensitivityDone(run.Iteration, run.Input);
                    break;
                case CampaignStep.SelectLayers select:
                    record = record.WithSelection(select.Iteration, [new LayerRate(select.Iteration, 0.5)]);
                    break;
                case CampaignStep.Prune prune:
                    record = record.WithPruned(prune.Iteration, prune.Input with
                    {
                        Params = (long)(prune.Input.Params * 0.8), Gflops = prune.Input.Gflops * 0.8,
                        Map = prune.Input.Map - 0.1, Checkpoint = $"pruned{prune.Iteration}.pt",
                    });
                    break;
                case CampaignStep.FineTune tune:
                    var input = record.Iterations[tune.Iteration - 1].Input;
                    record = record.WithFineTuned(tune.Iteration, tune.Pruned with
                    {
                        Map = input.Map - mapDrops[tune.Iteration - 1], Checkpoint = $"tuned{tune.Iteration}.pt",
                    });
                    break;
            }
            // What an executor persists must give the same decisions when read back (resume after a crash).
            record = CampaignRecordFile.FromJson(CampaignRecordFile.ToJson(record), "test");
            record = afterEachStep?.Invoke(record) ?? record;
        }
        throw new InvalidOperationException("the campaign did not end");
    }

    [Fact]
    public void RunsThePhasesInOrderAndStopsAfterMaxIterations()
    {
        var spec = CampaignSpec.Default with { Stop = new StopRules(MaxIterations: 2) };
        var (end, record, steps) = Drive(spec, [0.01, 0.01]);
        Assert.Equal(
            ["EvaluateBaseline",
             "RunSensitivity", "SelectLayers", "Prune", "FineTune",
             "RunSensitivity", "SelectLayers", "Prune", "FineTune", "Finished"],
            steps);
        Assert.Equal(StopReason.MaxIterations, end.Outcome.Reason);
        Assert.Equal(2, end.Outcome.FinalIteration);
        // Iteration 2 starts from iteration 1's fine-tuned model.
        Assert.Equal("tuned1.pt", record.Iterations[1].Input.Checkpoint);
        Assert.Equal(0.38, record.Iterations[1].FineTuned!.Map, 12);
    }

    [Fact]
    public void StopsWhenTheGflopsTargetIsReached()
    {
        // 0.8 per iteration: 20 % after one, 36 % after two, 48.8 % after three.
        var spec = CampaignSpec.Default with { Stop = new StopRules(TargetGflopsReduction: 0.4, MaxIterations: 10) };
        var (end, record, _) = Drive(spec, [0, 0, 0, 0]);
        Assert.Equal(StopReason.TargetReached, end.Outcome.Reason);
        Assert.Equal(3, end.Outcome.FinalIteration);
        Assert.Equal(3, record.Iterations.Count);
        Assert.Contains("GFLOPs 48.8 %", end.Outcome.Message);
    }

    [Fact]
    public void AnIterationBelowTheMapFloorIsRejected()
    {
        var spec = CampaignSpec.Default with { Stop = new StopRules(MapFloor: 0.365, MaxIterations: 10) };
        var (end, _, _) = Drive(spec, [0.01, 0.01, 0.01, 0.01]);
        // 0.39, 0.38, 0.37, 0.36 < 0.365: the fourth is rejected, the third is the result.
        Assert.Equal(StopReason.MapBelowFloor, end.Outcome.Reason);
        Assert.Equal(3, end.Outcome.FinalIteration);
    }

    [Fact]
    public void AnIterationThatDropsTooMuchIsRejected()
    {
        var spec = CampaignSpec.Default with { Stop = new StopRules(MaxMapDrop: 0.02, MaxIterations: 10) };
        var (end, _, _) = Drive(spec, [0.01, 0.03]);
        Assert.Equal(StopReason.MapDropTooLarge, end.Outcome.Reason);
        Assert.Equal(1, end.Outcome.FinalIteration);
    }

    [Fact]
    public void AnEmptySelectionEndsTheCampaignWithTheInputModel()
    {
        var record = CampaignRecord.Start(CampaignSpec.Default).WithBaseline(Baseline)
            .WithSensitivityDone(1, Baseline).WithSelection(1, []);
        var end = Assert.IsType<CampaignStep.Finished>(CampaignPlanner.Next(record));
        Assert.Equal(StopReason.NothingToPrune, end.Outcome.Reason);
        Assert.Equal(0, end.Outcome.FinalIteration);
    }

    [Fact]
    public void CancelStopsAtTheNextStepAndResumeContinuesThere()
    {
        var record = CampaignRecord.Start(CampaignSpec.Default).WithBaseline(Baseline).WithSensitivityDone(1, Baseline);
        var cancelled = record.WithCancelled();
        var end = Assert.IsType<CampaignStep.Finished>(CampaignPlanner.Next(cancelled));
        Assert.Equal(StopReason.Cancelled, end.Outcome.Reason);
        Assert.Equal(new CampaignStep.SelectLayers(1), CampaignPlanner.Next(cancelled.Resumed()));
    }

    [Fact]
    public void OutcomesOutOfOrderOrTwiceAreRejected()
    {
        var record = CampaignRecord.Start(CampaignSpec.Default).WithBaseline(Baseline);
        Assert.Throws<InvalidOperationException>(() => record.WithBaseline(Baseline));
        Assert.Throws<InvalidOperationException>(() => record.WithSensitivityDone(2, Baseline));
        var started = record.WithSensitivityDone(1, Baseline);
        Assert.Throws<InvalidOperationException>(() => started.WithSensitivityDone(2, Baseline));
        Assert.Throws<InvalidOperationException>(() => started.WithPruned(1, Baseline));
        var selected = started.WithSelection(1, [new LayerRate(3, 0.5)]);
        Assert.Throws<InvalidOperationException>(() => selected.WithSelection(1, []));
        Assert.Throws<InvalidOperationException>(() => selected.WithFineTuned(1, Baseline));
    }
}
