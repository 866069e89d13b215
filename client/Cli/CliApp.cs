using PruneCluster.Client.Commands;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cli;

/// <summary>The <c>prunecluster</c> command line: one command class per verb, bad input reported in one line.</summary>
public static class CliApp
{
    public static int Run(string[] args)
    {
        OutputWidth.Apply();
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
            config.AddCommand<SensitivityCommand>("sensitivity").WithDescription("Per-layer sensitivity analysis: metrics, params and GFLOPs with each layer pruned alone at each rate.");
            config.AddCommand<SelectCommand>("select").WithDescription("The paper's layer selection from sensitivity-analysis results.")
                .WithData((Func<string, int, (long Params, double Gflops, int PrunableLayers)>)SelectModelStats.Read);
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
