using System.Globalization;
using System.Text;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains.Campaigns;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Client.Cluster;

/// <summary>
/// A campaign's results in a folder: <c>report.md</c> (status and every iteration's ranked table), the engine's
/// <c>campaign.json</c>, the checkpoints (baseline, per iteration pruned and fine-tuned, <c>final.pt</c>) copied out
/// of the artifact store, and each iteration's sensitivity results as the paper's files
/// (<c>iteration-K/sensitivity/output_25.txt</c> …). <c>baseline.pt</c> is the input as uploaded; the models the
/// campaign made are written in its <c>output.format</c>. Numbers are written in the invariant culture.
/// </summary>
public static class CampaignResults
{
    public static async Task<string> Write(ClusterSession session, string id, ArtifactStore store, string folder, CancellationToken cancellationToken)
    {
        var grain = session.Grains.GetGrain<ICampaignGrain>(id);
        var status = await CampaignSessions.Status(session, id, cancellationToken);
        var json = await ClusterCalls.Retry(grain.GetRecordJson, cancellationToken) ?? throw new ClusterException($"campaign '{id}' has no record yet");
        var record = CampaignRecordFile.FromJson(json, $"campaign {id}");
        Directory.CreateDirectory(folder);
        CampaignRecordFile.Save(Path.Combine(folder, "campaign.json"), record);

        var exports = new Exports(store, record.Spec.Output.Format);
        var report = new StringBuilder().Append(CultureInfo.InvariantCulture, $"# Campaign {id}\n\n```\n{CampaignView.Render(status)}\n```\n");
        if (record.Baseline is { } baseline)
            Copy(store, baseline.Checkpoint, Path.Combine(folder, "baseline.pt"));
        foreach (var iteration in status.Iterations)
        {
            var dir = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"iteration-{iteration.Number}"));
            Directory.CreateDirectory(dir);
            if (iteration.Pruned is { } pruned)
                exports.Write(pruned.Checkpoint, Path.Combine(dir, "pruned.pt"));
            if (iteration.FineTuned is { } tuned)
                exports.Write(tuned.Checkpoint, Path.Combine(dir, "fine-tuned.pt"));
            var results = await ClusterCalls.Retry(() => session.Grains.GetGrain<ISensitivityIterationGrain>(VariantKey.IterationKeyOf(id, iteration.Number)).GetResults(), cancellationToken);
            foreach (var rate in results.GroupBy(r => r.Key.Rate))
                SensitivityFile.Write(Path.Combine(dir, "sensitivity"), rate.Key, rate.OrderBy(r => r.Key.Layer).Select(r => CampaignModels.ToSensitivityResult(r, record.Spec.Sensitivity)));
            if (await ClusterCalls.Retry(() => grain.GetTable(iteration.Number), cancellationToken) is { } table)
                report.Append(CultureInfo.InvariantCulture, $"\n## Iteration {iteration.Number}\n\n```\n{LayerTableView.Text(table)}\n```\n");
        }
        var final = status.FinalIteration is { } k && k > 0 ? record.Iterations[k - 1].FineTuned : status.Outcome is null ? null : record.Baseline;
        if (final is not null)
            exports.Write(final.Checkpoint, Path.Combine(folder, "final.pt"));
        var path = Path.Combine(folder, "report.md");
        AtomicFile.WriteText(path, report.ToString());
        return path;
    }

    private static void Copy(ArtifactStore store, string digest, string target)
    {
        using var source = store.Open(digest);
        Copy(source, target);
    }

    private static void Copy(Stream source, string target) => AtomicFile.Write(target, output => source.CopyTo(output));

    /// <summary>
    /// The campaign's models in its output format, each checkpoint verified and converted once: <c>final.pt</c> is the
    /// last iteration's <c>fine-tuned.pt</c> (or the baseline's), copied when that was written already.
    /// </summary>
    private sealed class Exports(ArtifactStore store, ModelFileFormat format)
    {
        private readonly Dictionary<string, string> written = [];

        public void Write(string digest, string target)
        {
            if (written.TryGetValue(digest, out var earlier))
            {
                using var source = File.OpenRead(earlier);
                Copy(source, target);
            }
            else
            {
                ModelFile.SaveAs(store.Verified(digest), target, format);
                written[digest] = target;
            }
        }
    }
}
