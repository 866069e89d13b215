using PruneCluster.Client.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("prunecluster");
    config.AddCommand<SelectCommand>("select")
        .WithDescription("Select layers and pruning rates from a sensitivity analysis (the paper's layer_selection.py)")
        .WithExample("select", "--output", "output/yolov7-tiny", "--params", "6219098", "--flops", "13.2");
});
return app.Run(args);
