namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// The object kinds of a synthetic data set; class id = enum value, class name = the lower-case name. A data set of
/// N classes uses the first N kinds, ordered so that the first ones are the easiest to tell apart.
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
