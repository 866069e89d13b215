using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Loss;

/// <summary>
/// The predictions one detection level is trained on: for each of n positives the cell (image, anchor, grid y, grid x),
/// the target box [n, 4] (centre relative to the cell, width and height, in grid units), the class and the anchor's
/// size in grid units [n, 2]. YOLOv7's <c>indices</c>, <c>tbox</c>, <c>tcls</c>, <c>anch</c>.
/// </summary>
internal sealed record LevelTargets(Tensor Image, Tensor Anchor, Tensor GridY, Tensor GridX, Tensor Box, Tensor Class, Tensor AnchorSize)
{
    public long Count => Image.shape[0];

    public static LevelTargets Empty(Device device) => new(
        zeros(0, ScalarType.Int64, device), zeros(0, ScalarType.Int64, device), zeros(0, ScalarType.Int64, device),
        zeros(0, ScalarType.Int64, device), zeros(0, 4, device: device), zeros(0, ScalarType.Int64, device), zeros(0, 2, device: device));
}
