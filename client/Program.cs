using PruneCluster.Client.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("prunecluster");
    config.AddCommand<MetricsCommand>("metrics")
        .WithDescription("Re-score saved detections with YOLOv7 test.py's P, R, mAP@.5 and mAP@.5:.95")
        .WithExample("metrics", "--input", "detections.json", "--json");
});
return app.Run(args);
