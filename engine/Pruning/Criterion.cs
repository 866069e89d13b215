namespace PruneCluster.Engine.Pruning;

/// <summary>Filter importance criteria, numbered as the paper's <c>--criterion</c>; the lowest-scoring filters go.</summary>
public enum Criterion
{
    SmallestL2 = 0,
    LargestL2 = 1,
    SmallestL1 = 2,
    LargestL1 = 3,
    SmallestBnScale = 4,
    SmallestBnScaleTimesL1 = 5,
    Random = 6,
}
