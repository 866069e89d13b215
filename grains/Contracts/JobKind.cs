namespace PruneCluster.Grains.Contracts;

/// <summary>The long steps of a campaign that run as leased jobs on a silo's evaluation slot.</summary>
public enum JobKind
{
    /// <summary>Measure the base checkpoint (params, GFLOPs, mAP).</summary>
    Measure,

    /// <summary>Load an iteration's input and list its sensitivity variants with their costs.</summary>
    PlanSensitivity,

    /// <summary>Prune the iteration's input by the selection and measure the pruned model.</summary>
    Prune,

    /// <summary>Fine-tune the pruned model (resumable from its run folder on the shared artifacts path) and measure it.</summary>
    FineTune,
}
