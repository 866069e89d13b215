namespace PruneCluster.Engine.Training.Loss;

/// <summary>A loss as numbers: <paramref name="Loss"/> = (lbox + lobj + lcls) · batch size, and the three gained parts.</summary>
public sealed record LossValues(double Loss, double Lbox, double Lobj, double Lcls)
{
    /// <summary>lbox + lobj + lcls (YOLOv7's fourth logged loss, per image).</summary>
    public double TotalPerImage => Lbox + Lobj + Lcls;
}
