using PruneCluster.Engine.Data;

namespace PruneCluster.Grains.Jobs;

/// <summary>
/// The digest a campaign records of its data set: the file listings of the val split (every evaluation) and the
/// train split (fine-tuning). The client computes it at start; a silo whose copy gives another digest refuses the job.
/// </summary>
public static class CampaignData
{
    public static string Digest(DataYaml data) => $"val:{DatasetDigest.Of(data, "val")} train:{DatasetDigest.Of(data, "train")}";

    /// <summary>Loads the data yaml and checks it is the campaign's.</summary>
    /// <exception cref="InvalidDataException">This silo's copy differs.</exception>
    public static DataYaml Check(string yaml, string digest)
    {
        var data = DataYaml.Load(yaml);
        var here = Digest(data);
        if (here != digest)
            throw new InvalidDataException($"the data set {yaml} on this silo differs from the campaign's (listing digest {here}, campaign {digest}); give every silo the same copy");
        return data;
    }
}
