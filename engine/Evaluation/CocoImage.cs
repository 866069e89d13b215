using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Evaluation;

/// <summary>One image for <see cref="CocoEvaluator"/>: its id (images are walked in ascending id order), ground truth and detections.</summary>
/// <param name="GroundTruth">Every annotation, crowd regions included, in json order.</param>
/// <param name="Detections">Final detections in result-json order (pycocotools sorts them stably by score).</param>
public sealed record CocoImage(long Id, IReadOnlyList<CocoAnnotation> GroundTruth, IReadOnlyList<CocoDetection> Detections);
