namespace PruneCluster.Engine.Evaluation;

/// <summary>One of pycocotools' <c>areaRng</c> entries; both ends belong to the range (an area of exactly 32² is small and medium).</summary>
internal readonly record struct CocoAreaRange(string Label, double Min, double Max)
{
    public bool Excludes(double area) => area < Min || area > Max;
}
