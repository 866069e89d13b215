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

    [CommandOption("--plan <FILE>")]
    [Description("Replay a pruning plan file (prune --save-plan): keep exactly the filters it lists, instead of choosing them with --pruning-params and --criterion.")]
    public string? PlanFile { get; init; }

    [CommandOption("--criterion <N>")]
    [Description("0 smallest L2, 1 largest L2, 2 smallest L1, 3 largest L1, 4 smallest BN scale, 5 BN scale × L1, 6 random.")]
    [DefaultValue(0)]
    public int Criterion { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed for --criterion 6 (random): layer L draws from its own generator seeded seed·100003+L, as sensitivity does.")]
    [DefaultValue(0L)]
    public long Seed { get; init; }

    [CommandOption("--round-to <N>")]
    [Description("Each pruned layer keeps a multiple of N filters (8, 16, 32 …), rounded towards keeping more: the extra filters are the next-ranked by the same criterion. 1 = the paper's counts.")]
    [DefaultValue(1)]
    public int RoundTo { get; init; } = 1;

    [CommandOption("--importance-precision <stored|float32>")]
    [Description("Rank filters in the checkpoint's stored precision as the paper's prune.py does (float16 for YOLOv7 files, default), or in float32.")]
    [DefaultValue("stored")]
    public string ImportancePrecisionText { get; init; } = "stored";

    /// <summary>The parsed <c>--importance-precision</c>.</summary>
    public ImportancePrecision ImportancePrecision => ImportancePrecisionText.ToLowerInvariant() switch
    {
        "stored" => ImportancePrecision.Stored,
        "float32" => ImportancePrecision.Float32,
        _ => throw new InvalidOperationException("validated in Validate()"),
    };

    public override ValidationResult Validate()
    {
        if (PlanFile != null && PruningParamsText != null)
            return ValidationResult.Error("--plan and --pruning-params both say what to prune: give one");
        if (PlanFile != null && !File.Exists(PlanFile))
            return ValidationResult.Error($"--plan {PlanFile}: file not found; write one with prune --save-plan");
        if (Criterion is < 0 or > 6)
            return ValidationResult.Error($"--criterion {Criterion}: use 0-6 (see prunecluster prune --help)");
        if (RoundToError(RoundTo) is { } roundTo)
            return roundTo;
        if (ImportancePrecisionText.ToLowerInvariant() is not ("stored" or "float32"))
            return ValidationResult.Error($"--importance-precision '{ImportancePrecisionText}': use stored or float32");
        return base.Validate();
    }

    /// <summary>The one check of <c>--round-to</c> (prune, sensitivity, select …): null when valid.</summary>
    public static ValidationResult? RoundToError(int? roundTo) => roundTo is < 1 or > 4096
        ? ValidationResult.Error($"--round-to {roundTo}: use a filter count from 1 (no rounding) to 4096, e.g. 8, 16 or 32")
        : null;

    /// <summary>Prunes the model as the options say (nothing when neither --pruning-params nor --plan is given) and returns the plan.</summary>
    public PruningPlan PruneInPlace(YoloModel model)
    {
        if (PlanFile != null)
        {
            var plan = PruningPlanFile.Read(PlanFile);
            Pruner.Apply(ConnectivityGraph.Build(model), plan);
            return plan;
        }
        if (PruningParamsText == null)
            return PruningPlan.Empty;
        var rates = PruningParams.Parse(PruningParamsText, model.PrunableLayers.Count);
        var graph = ConnectivityGraph.Build(model);
        return Pruner.Prune(graph, rates, new FilterImportance((Engine.Pruning.Criterion)Criterion, Seed, ImportancePrecision), RoundTo);
    }

    /// <summary>For commands that prune on the way (test, forward): one stderr line per layer the rates left alone.</summary>
    public static void WarnSkipped(PruningPlan plan)
    {
        foreach (var skip in plan.Skipped)
            Console.Error.WriteLine($"warning: --pruning-params: layer {skip.Layer} skipped at rate {skip.Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, {skip.Reason}");
    }
}
