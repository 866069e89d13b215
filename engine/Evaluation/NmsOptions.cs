namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// Arguments of YOLOv7's <c>non_max_suppression</c>. The defaults are that function's own defaults;
/// <see cref="ForTest"/> is what test.py passes (conf 0.001, IoU 0.65, multi-label).
/// </summary>
/// <param name="ConfThreshold">Minimum objectness, and minimum obj·cls score, of a kept box.</param>
/// <param name="IouThreshold">Boxes of one class overlapping a better one by more than this IoU are dropped.</param>
/// <param name="MultiLabel">One detection per (box, class) above the threshold instead of the best class only (ignored when nc = 1).</param>
/// <param name="Agnostic">Suppress across classes (no class offset).</param>
/// <param name="Classes">Keep only these classes (null keeps all).</param>
/// <param name="MaxDetections">Kept boxes per image (<c>max_det</c>).</param>
/// <param name="MaxNmsBoxes">Candidates handed to NMS per image, best scores first (<c>max_nms</c>).</param>
/// <param name="TimeLimit">Stop after this long, leaving later images empty, as the reference does after 10 s; null never stops.</param>
public sealed record NmsOptions(
    double ConfThreshold = 0.25,
    double IouThreshold = 0.45,
    bool MultiLabel = false,
    bool Agnostic = false,
    IReadOnlyList<int>? Classes = null,
    int MaxDetections = 300,
    int MaxNmsBoxes = 30000,
    TimeSpan? TimeLimit = null)
{
    /// <summary>The class offset that separates classes in batched NMS (<c>max_wh</c>, pixels).</summary>
    public const float MaxBoxSize = 4096f;

    /// <summary>The settings of YOLOv7's test.py: conf 0.001, IoU 0.65, multi-label.</summary>
    public static NmsOptions ForTest { get; } = new(ConfThreshold: 0.001, IouThreshold: 0.65, MultiLabel: true);
}
