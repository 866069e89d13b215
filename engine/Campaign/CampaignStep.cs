using PruneCluster.Engine.Pruning;

namespace PruneCluster.Engine.Campaign;

/// <summary>What a campaign runs next; <see cref="CampaignPlanner.Next"/> decides, an executor (the local driver or
/// the cluster's coordinator) runs it and records the outcome with the matching <c>CampaignRecord.With…</c>.</summary>
public abstract record CampaignStep
{
    private CampaignStep()
    {
    }

    /// <summary>Measure the input checkpoint (params, GFLOPs at the campaign's image size, mAP).</summary>
    public sealed record EvaluateBaseline : CampaignStep;

    /// <summary>Run the sensitivity analysis of iteration <paramref name="Iteration"/> on <paramref name="Input"/>.</summary>
    public sealed record RunSensitivity(int Iteration, ModelMetrics Input) : CampaignStep;

    /// <summary>Choose layers from iteration <paramref name="Iteration"/>'s complete analysis.</summary>
    public sealed record SelectLayers(int Iteration) : CampaignStep;

    /// <summary>Prune the iteration's input by <paramref name="Layers"/> and measure the pruned model.</summary>
    public sealed record Prune(int Iteration, ModelMetrics Input, IReadOnlyList<LayerRate> Layers) : CampaignStep;

    /// <summary>Fine-tune the iteration's pruned model and measure it.</summary>
    public sealed record FineTune(int Iteration, ModelMetrics Pruned) : CampaignStep;

    /// <summary>Nothing more to run.</summary>
    public sealed record Finished(CampaignOutcome Outcome) : CampaignStep;
}
