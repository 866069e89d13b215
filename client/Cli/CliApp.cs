using PruneCluster.Client.Commands;
using PruneCluster.Client.Commands.Campaign;
using PruneCluster.Engine.Runtime;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cli;

/// <summary>The <c>prunecluster</c> command line: one command class per verb, bad input reported in one line.</summary>
public static class CliApp
{
    public static int Run(string[] args)
    {
        OutputWidth.Apply();
        // What the engine shares across this process's work (decoded sets, the memory hand-back), made once here.
        var runtime = EngineRuntime.ForProcess();
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("prunecluster");
            // An unknown option is a typo to report, not an argument to ignore (Spectre's default keeps it as "remaining").
            config.UseStrictParsing();
            config.AddCommand<InfoCommand>("info").WithDescription("Table of conv layers (index, module, channels, params, GFLOPs) and totals.");
            config.AddCommand<PruneCommand>("prune").WithDescription("Structured filter pruning through concatenations; saves the pruned model.");
            config.AddCommand<ExportCommand>("export").WithDescription("Writes the fused (optionally pruned) model as ONNX: Conv, activations, Concat, MaxPool, Resize and the head's decode.");
            config.AddCommand<BenchmarkCommand>("benchmark").WithDescription("Measured CPU latency per image (ONNX Runtime with per-conv profile, or TorchSharp); speed-ups against a baseline next to the GFLOPs ratio.");
            config.AddCommand<ForwardCommand>("forward").WithDescription("Runs the model on a .npy tensor and writes the output .npy (parity checks).");
            config.AddCommand<TrainCommand>("train").WithDescription("The paper's train.py: optional pruning, then YOLOv7's training recipe (fine-tuning), resumable.");
            config.AddCommand<LossCommand>("loss").WithDescription("YOLOv7's training loss (ComputeLoss or ComputeLossOTA) on a .npy batch with JSON targets (parity checks).");
            config.AddCommand<GraphCommand>("graph").WithDescription("Prints the conv-layer connectivity graph (json, or the paper's pruning_cfg format).");
            config.AddCommand<TestCommand>("test").WithDescription("The paper's test.py: optional pruning, fuse, P/R/mAP on a data yaml split, speed, params and GFLOPs.");
            config.AddCommand<MetricsCommand>("metrics").WithDescription("Re-scores saved detections (test --save-predictions) with YOLOv7 test.py's P, R, mAP@.5 and mAP@.5:.95.");
            config.AddCommand<SensitivityCommand>("sensitivity").WithDescription("Per-layer sensitivity analysis: metrics, params and GFLOPs with each layer pruned alone at each rate.")
                .WithData(runtime);
            config.AddCommand<SelectCommand>("select").WithDescription("The paper's layer selection from sensitivity-analysis results.")
                .WithData((Func<string, int, (long Params, double Gflops, int PrunableLayers)>)SelectModelStats.Read);
            config.AddCommand<DemoCommand>("demo").WithDescription("Synthetic data, a short baseline training and a two-iteration campaign on the embedded cluster, in minutes on a CPU.");
            config.AddBranch("campaign", campaign =>
            {
                campaign.SetDescription("The iterative prune / fine-tune campaign: `run` on this machine, or `start` … on a cluster (--cluster) or an embedded one (docs/cluster.md).");
                campaign.AddCommand<CampaignRunCommand>("run").WithDescription("Runs a campaign on this machine (sensitivity → selection → prune → fine-tune, until a stop rule), resumable; writes report.md/.html/.json.");
                campaign.AddCommand<CampaignStartCommand>("start").WithDescription("Checks the inputs, uploads the weights and starts a campaign; embedded: runs it in the foreground.");
                campaign.AddCommand<CampaignStatusCommand>("status").WithDescription("Phase, step, baseline and iterations of a campaign (--watch follows it).");
                campaign.AddCommand<CampaignTableCommand>("table").WithDescription("An iteration's ranked layer table (rate, mAP, ΔmAP, params and GFLOPs removed, score, selected).");
                campaign.AddCommand<CampaignListCommand>("list").WithDescription("The campaigns of the cluster (or of --dir) with their phase.");
                campaign.AddCommand<CampaignCancelCommand>("cancel").WithDescription("Stops a campaign at its next step and cancels its running job; resumable.");
                campaign.AddCommand<CampaignResumeCommand>("resume").WithDescription("Continues a cancelled, failed or interrupted campaign where it was.");
                campaign.AddCommand<CampaignResultsCommand>("results").WithDescription("Writes a campaign's report, record, checkpoints and sensitivity files to a folder.");
            });
            config.AddBranch("cluster", cluster =>
            {
                cluster.SetDescription("The cluster of silos (--cluster redis://host:port).");
                cluster.AddCommand<ClusterStatusCommand>("status").WithDescription("Active silos, their devices and evaluation slots (what each evaluates, for how long), open iterations (waiting / leased / done) and running jobs.");
            });
            config.AddBranch("dataset", dataset =>
            {
                dataset.SetDescription("Data set tools.");
                dataset.AddCommand<DatasetSynthCommand>("synth").WithDescription("Writes a synthetic shapes detection data set (YOLOv7 layout, data.yaml), deterministic for a seed.");
            });
            config.SetExceptionHandler((exception, _) => UserErrors.Report(exception, args));
        });
        return app.Run(args);
    }
}
