using System.ComponentModel;
using PruneCluster.Engine.Graph;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cli;

/// <summary>The paper's pruning options: <c>--pruning-params</c>, <c>--criterion</c>, plus <c>--seed</c> for criterion 6.</summary>
public class PruningSettings : ModelSettings
{
    [CommandOption("--pruning-params <LIST|RATE>")]
    [Description("\"[[(8, 0.5), (18, 0.5)]]\" (layer index, rate) or one rate for every prunable layer, e.g. 0.25.")]
    public string? PruningParamsText { get; init; }

    [CommandOption("--criterion <N>")]
    [Description("0 smallest L2, 1 largest L2, 2 smallest L1, 3 largest L1, 4 smallest BN scale, 5 BN scale × L1, 6 random.")]
    [DefaultValue(0)]
    public int Criterion { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed for --criterion 6 (random), so a run can be repeated.")]
    [DefaultValue(0L)]
    public long Seed { get; init; }

    public override ValidationResult Validate()
    {
        if (Criterion is < 0 or > 6)
            return ValidationResult.Error($"--criterion {Criterion}: use 0-6 (see prunecluster prune --help)");
        return base.Validate();
    }

    /// <summary>Prunes the model as the options say (nothing when --pruning-params is absent) and returns the plan.</summary>
    public PruningPlan PruneInPlace(YoloModel model)
    {
        if (PruningParamsText == null)
            return PruningPlan.Empty;
        var rates = PruningParams.Parse(PruningParamsText, model.PrunableLayers.Count);
        var graph = ConnectivityGraph.Build(model);
        return Pruner.Prune(graph, rates, new FilterImportance((Engine.Pruning.Criterion)Criterion, Seed));
    }
}
