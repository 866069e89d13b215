using PruneCluster.Grains.Contracts;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// A slot reuses its loaded model, decoded set and activation cache only for an equal spec: equal values in fresh
/// lists must match (tasks arrive deserialised one by one), and any setting that changes the numbers must not.
/// </summary>
public sealed class EvaluationSpecTests
{
    private static EvaluationSpec Spec() =>
        new("sha256:ab", "val-digest", 320, 32, 0, 0, "data.yaml", Rates: [0.25, 0.5], Layers: [1, 2]);

    [Fact]
    public void EqualValuesInFreshListsAreEqual()
    {
        Assert.Equal(Spec(), Spec());
        Assert.Equal(Spec().GetHashCode(), Spec().GetHashCode());
    }

    [Fact]
    public void EverySettingThatChangesTheNumbersMakesAnotherSpec()
    {
        Assert.NotEqual(Spec(), Spec() with { RoundTo = 8 });
        Assert.NotEqual(Spec(), Spec() with { Rates = [0.5] });
        Assert.NotEqual(Spec(), Spec() with { ImportancePrecision = "float32" });
        Assert.NotEqual(Spec(), Spec() with { Iou = 0.6 });
    }
}
