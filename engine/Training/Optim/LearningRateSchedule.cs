namespace PruneCluster.Engine.Training.Optim;

/// <summary>
/// train.py's per-epoch lr factor <c>lf(epoch)</c> (LambdaLR): one-cycle cosine from 1 down to <c>lrf</c> over the
/// run, or with <c>--linear-lr</c> a straight line from 1 to <c>lrf</c> at the last epoch.
/// </summary>
/// <param name="Epochs">Epochs of the run.</param>
/// <param name="Lrf">Final factor (hyp <c>lrf</c>).</param>
/// <param name="Linear"><c>--linear-lr</c>.</param>
public sealed record LearningRateSchedule(int Epochs, double Lrf, bool Linear = false)
{
    public double Factor(int epoch) => Linear
        ? (1 - (double)epoch / (Epochs - 1)) * (1.0 - Lrf) + Lrf
        : (1 - Math.Cos(epoch * Math.PI / Epochs)) / 2 * (Lrf - 1) + 1;
}
