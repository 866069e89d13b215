using PruneCluster.Engine.Data;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// One augmented image as the loss sees it: <see cref="Rgb"/> holds the planes R, G, B of Height x Width uint8 pixels
/// (YOLOv7's img[:, :, ::-1].transpose(2, 0, 1)); labels are [cls, xc, yc, w, h] normalised to that image;
/// <see cref="Trace"/> says which augmentations were drawn.
/// </summary>
public sealed record TrainingSample(int Index, string Path, int Height, int Width, byte[] Rgb, IReadOnlyList<NormalizedLabel> Labels,
    AugmentationTrace Trace);
