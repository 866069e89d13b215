using System.Collections.Immutable;
using System.Globalization;
using PruneCluster.Client.Cluster;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Pruning;
using PruneCluster.Grains.Contracts;
using PruneCluster.Tests.Checkpoints;

namespace PruneCluster.Tests.Campaign;

/// <summary>
/// The files people read (the local campaign's report.md/.html/.json and plots, the cluster's status and layer
/// tables that <c>campaign results</c> writes into its report.md) come out the same on a machine whose culture writes
/// a decimal comma and a dot between thousands (de-DE) as under the invariant culture.
/// </summary>
public sealed class CampaignReportCultureTests
{
    private static T Under<T>(string culture, Func<T> run)
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return run();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    private static CampaignRecord Record()
    {
        var spec = CampaignSpec.Default with { Sensitivity = new SensitivitySpec(Rates: [0.25, 0.5]) };
        var baseline = new ModelMetrics(6_012_345, 13.2571, 0.7012, 0.4123, "base.pt");
        var pruned = new ModelMetrics(4_801_234, 10.5012, 0.6512, 0.3623, "pruned1.pt");
        var tuned = pruned with { Map50 = 0.6912, Map = 0.4012, Checkpoint = "tuned1.pt" };
        return CampaignRecord.Start(spec).WithBaseline(baseline)
            .WithSensitivityDone(1, baseline).WithSelection(1, [new LayerRate(3, 0.25), new LayerRate(10, 0.5)])
            .WithPruned(1, pruned).WithFineTuned(1, tuned);
    }

    private static Dictionary<string, byte[]> WriteReport(string dir)
    {
        var folder = new CampaignFolder(dir);
        Directory.CreateDirectory(folder.Path);
        folder.AddTiming(0, "baseline", TimeSpan.FromSeconds(12.5));
        folder.AddTiming(1, "sensitivity", TimeSpan.FromSeconds(3725.25));
        folder.AddTiming(1, "fine-tune", TimeSpan.FromSeconds(61.5));
        var written = CampaignReport.Write(folder, Record(), new CampaignOutcome(StopReason.MaxIterations, 1, "1 iterations done"));
        return written.ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes);
    }

    [Fact]
    public void CampaignReportFilesAreByteForByteTheSameUnderADecimalCommaCulture()
    {
        using var folder = new TempFolder();
        var invariant = Under("", () => WriteReport(folder.File("invariant")));
        var german = Under("de-DE", () => WriteReport(folder.File("german")));

        Assert.Equal(CampaignReport.FileNames.Order(), german.Keys.Order());
        foreach (var (name, bytes) in invariant)
            Assert.True(bytes.AsSpan().SequenceEqual(german[name]), $"{name} differs under de-DE");
        var md = System.Text.Encoding.UTF8.GetString(german["report.md"]);
        Assert.Contains("rates 0.25/0.5,", md);
        Assert.Contains("| 6,012,345 |", md);
        Assert.Contains("| 13.257 |", md);
        Assert.Contains("| 0:12 (baseline) |", md);
        Assert.Contains("| 1:02:05 |", md);
    }

    private static CampaignStatus Status()
    {
        var baseline = new ModelSummary(6_012_345, 13.2571, 0.7012, 0.4123, "sha256:b");
        var tuned = new ModelSummary(4_801_234, 10.5012, 0.6912, 0.4012, "sha256:t");
        var iteration = new IterationSummary(1, baseline, true, [new PrunedLayer(3, 0.25)], tuned with { Map = 0.3623 }, tuned, 3725.25, 1.5, 61.5);
        var created = new DateTime(2026, 12, 2, 18, 0, 0, DateTimeKind.Utc);
        return new CampaignStatus("c1", "demo", CampaignPhase.Finished, 1, "finished", baseline, [iteration], null, null,
            "max_iterations", 1, null, created, created);
    }

    private static CampaignTable Table() => new(1, 2, 2, true,
    [
        new LayerTableRow(3, 0.25, 0.6912, 0.4012, -0.0111, 1_210_111, 2.7559, 1.2345e-3, true),
        new LayerTableRow(10, 0.5, 0.6512, 0.3623, -0.05, 23_456, 0.0125, 4.5e-5, false),
    ]);

    [Fact]
    public void ClusterStatusAndLayerTablesAreTheSameUnderADecimalCommaCulture()
    {
        string Views() => CampaignView.Render(Status()) + "\n" + LayerTableView.Text(Table()) + "\n" + LayerTableView.Csv(Table());
        var invariant = Under("", Views);
        var german = Under("de-DE", Views);

        Assert.Equal(invariant, german);
        Assert.Contains("6,012,345", german);
        Assert.Contains("1,210,111", german);
        Assert.Contains("started 2026-12-02 18:00:00 UTC", german);
        Assert.Contains("0.0125", german);
    }
}
