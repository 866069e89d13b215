namespace PruneCluster.Engine.Data;

/// <summary>A YOLO label row: class and box centre/size as fractions of the original image (float32, as YOLOv7 reads them).</summary>
public readonly record struct NormalizedLabel(int Class, float CenterX, float CenterY, float Width, float Height);
