namespace PruneCluster.Engine.Training.Hyp;

/// <summary>
/// One key of a YOLOv7 hyp file: its name, the values it accepts and how it maps onto <see cref="Hyperparameters"/>.
/// <paramref name="Default"/> is null for a required key; a flag takes 0 or 1 (or true/false).
/// </summary>
internal sealed record HyperparameterKey(
    string Name,
    double Min,
    double Max,
    bool MinExclusive,
    bool Integer,
    double? Default,
    Func<Hyperparameters, double> Get,
    Func<Hyperparameters, double, Hyperparameters> Set)
{
    public bool Accepts(double value) =>
        double.IsFinite(value) && (MinExclusive ? value > Min : value >= Min) && value <= Max && (!Integer || value == Math.Floor(value));

    public string Expected => Integer && Min == 0 && Max == 1
        ? "0 or 1"
        : $"{(Integer ? "an integer" : "a number")} {(MinExclusive ? ">" : ">=")} {Min}{(double.IsPositiveInfinity(Max) ? "" : $" and <= {Max}")}";
}
