namespace PruneCluster.Grains.Sensitivity;

/// <summary>The work board's stored state: iteration keys with open work, oldest first.</summary>
[GenerateSerializer, Alias("PruneCluster.WorkBoardState")]
public sealed class WorkBoardState
{
    [Id(0)] public List<string> Open { get; set; } = [];
}
