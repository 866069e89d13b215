namespace PruneCluster.Engine.Data;

/// <summary>A label box as corners in pixels of the letterboxed network input (the <c>tbox</c> of YOLOv7's test.py before it scales back).</summary>
public readonly record struct PixelLabel(int Class, float X1, float Y1, float X2, float Y2);
