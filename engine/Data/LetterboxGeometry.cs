namespace PruneCluster.Engine.Data;

/// <summary>
/// What YOLOv7's letterbox does to one image: scale <see cref="Ratio"/> to
/// <see cref="ScaledWidth"/>x<see cref="ScaledHeight"/>, then pad by Top/Bottom/Left/Right with grey 114.
/// <see cref="PadWidth"/>/<see cref="PadHeight"/> are the half paddings (dw, dh) that test.py's scale_coords subtracts.
/// </summary>
public sealed record LetterboxGeometry(
    double Ratio, int ScaledHeight, int ScaledWidth, double PadWidth, double PadHeight, int Top, int Bottom, int Left, int Right)
{
    public int Height => ScaledHeight + Top + Bottom;

    public int Width => ScaledWidth + Left + Right;
}
