using PruneCluster.Engine.Models;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// The checkpoints a campaign hands out (<c>output</c> in campaign.yaml): the local driver's <c>pruned.pt</c> and
/// <c>finetuned.pt</c>, and <c>campaign results</c>' pruned, fine-tuned and final models. A struct, so a record or
/// spec written before the section existed reads as the default.
/// </summary>
/// <param name="Format">Their layout, as <c>prune --format</c>: YOLOv7's own (the default) or a state_dict.</param>
public readonly record struct OutputSpec(ModelFileFormat Format = ModelFileFormat.Yolov7);
