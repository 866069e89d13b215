using System.Security.Cryptography;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Models;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Jobs;

namespace PruneCluster.Client.Cluster;

/// <summary>
/// A campaign's inputs, every one checked here before anything starts: the spec parses, the data yaml and both its
/// splits are readable, the weights load and have the data's class count. Then the weights go into the artifact store.
/// </summary>
public sealed record CheckedCampaignStart(string Weights, string DataYaml, string DataDigest, string SpecYaml, string Name)
{
    public static CheckedCampaignStart Check(string? weights, string? data, string? config, string? name)
    {
        if (weights is null)
            throw new ClusterException("--weights is required: the trained checkpoint the campaign starts from");
        if (data is null)
            throw new ClusterException("--data is required: the data yaml (val for evaluations, train for fine-tuning)");
        var specYaml = "";
        if (config is not null)
        {
            CampaignSpecFile.Load(config);
            specYaml = File.ReadAllText(config);
        }
        var yaml = Path.GetFullPath(data);
        if (!File.Exists(yaml))
            throw new ClusterException($"--data {data}: file not found; give the data set's yaml");
        var dataYaml = Engine.Data.DataYaml.Load(yaml);
        var digest = CampaignData.Digest(dataYaml);
        var checkpoint = Path.GetFullPath(weights);
        if (!File.Exists(checkpoint))
            throw new ClusterException($"--weights {weights}: file not found; give a trained checkpoint (.pt)");
        using (var loaded = ModelFile.Load(checkpoint))
            ModelEvaluator.CheckClassCount(loaded.Model, dataYaml, checkpoint);
        return new CheckedCampaignStart(checkpoint, yaml, digest, specYaml, name ?? Path.GetFileNameWithoutExtension(checkpoint));
    }

    /// <summary>A new campaign id: the name made safe for folders and keys, and six random hex digits.</summary>
    public string NewId()
    {
        var safe = new string(Name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return $"{(safe.Length == 0 ? "campaign" : safe[..Math.Min(safe.Length, 40)])}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    }

    /// <summary>Puts the weights into the store and says how to start the campaign.</summary>
    public CampaignStart Upload(ArtifactStore store) => new(Name, store.Put(Weights), DataYaml, DataDigest, SpecYaml, DateTime.UtcNow);
}
