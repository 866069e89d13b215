namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// The object kinds of a synthetic data set; class name = the lower-case name. A data set of N classes uses the first
/// N kinds (class id = enum value) unless <see cref="SyntheticDatasetOptions.Kinds"/> names them. How soon a model
/// trained from scratch tells kinds apart varies: rings (a hole at the centre) soonest, circles from squares slowly
/// (docs/synthetic-data.md).
/// </summary>
public enum ShapeKind
{
    Circle = 0,
    Square = 1,
    Triangle = 2,
    Cross = 3,
    Ring = 4,
    Star = 5,
    Crescent = 6,
    Hexagon = 7,
}
