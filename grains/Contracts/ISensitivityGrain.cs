namespace PruneCluster.Grains.Contracts;

/// <summary>
/// One variant's result, key "{campaign}/{iteration}/{layer}/{rate}": written once; recording again returns the stored
/// result unchanged.
/// </summary>
[Alias("PruneCluster.ISensitivityGrain")]
public interface ISensitivityGrain : IGrainWithStringKey
{
    [Alias("Record")]
    Task<VariantResult> Record(VariantResult result);

    [Alias("Get")]
    Task<VariantResult?> Get();
}
