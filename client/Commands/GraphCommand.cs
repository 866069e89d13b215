using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Graph;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary>
/// <c>prunecluster graph</c>: the connectivity graph derived from the model. <c>--format seed</c> writes the paper's
/// pruning_cfg file, so the paper's own scripts can use a graph nobody had to write by hand.
/// </summary>
public sealed class GraphCommand : Command<GraphCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--format <FORMAT>")]
        [Description("json (default) or seed (the paper's pruning_cfg yaml).")]
        [DefaultValue("json")]
        public string Format { get; init; } = "json";

        public override ValidationResult Validate() =>
            Format is "json" or "seed" ? base.Validate() : ValidationResult.Error($"--format {Format}: use json or seed");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var loaded = ModelSource.Open(settings);
        var graph = ConnectivityGraph.Build(loaded.Model);
        if (settings.Format == "seed")
        {
            var name = Path.GetFileNameWithoutExtension(settings.Weights ?? settings.Cfg!);
            Console.Out.Write(SeedPruningConfig.From(graph).ToYaml(name));
            return 0;
        }
        JsonOutput.Print(new
        {
            PrunableLayers = loaded.Model.PrunableLayers.Count,
            Layers = graph.Layers.Select(l => new
            {
                l.Index,
                l.Path,
                l.Module,
                l.IsHead,
                OutChannels = l.Unit.OutChannels,
                InputSlices = graph.InputSlices(l.Index).Select(p => new { Producer = p, Size = graph.SliceSize(p) }),
                Consumers = graph.ConsumersOf(l.Index).Select(c => new { c.Consumer, c.Slice, Offset = graph.Offset(c.Consumer, c.Slice) }),
            }),
            CoupledGroups = graph.CoupledGroups,
        });
        return 0;
    }
}
