using System.Diagnostics;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cluster;

/// <summary><c>prunecluster campaign …</c> on bad input: one line on stderr naming the input, exit code 2, nothing started.</summary>
public sealed class CampaignCliTests
{
    [Fact]
    public void AnUnknownCampaignIsOneLine()
    {
        using var folder = new TempFolder();
        var run = CliRunner.Run("campaign", "status", "no-such-campaign", "--dir", folder.Path);
        CliRunner.AssertOneLine(run, "campaign 'no-such-campaign' does not exist");
        CliRunner.AssertOneLine(CliRunner.Run("campaign", "table", "no-such-campaign", "--dir", folder.Path), "no-such-campaign");
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void AnUnreachableClusterIsOneLineWithinTenSeconds()
    {
        var port = FreePort.Next();   // nobody listens there
        var clock = Stopwatch.StartNew();
        var run = CliRunner.Run("campaign", "list", "--cluster", $"redis://127.0.0.1:{port}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
        CliRunner.AssertOneLine(run, $"cannot reach the cluster at redis://127.0.0.1:{port}");
        CliRunner.AssertOneLine(CliRunner.Run("campaign", "list", "--cluster", "redis://nowhere"), "is not redis://host:port");
    }

    [Fact]
    public void MissingOrWrongInputIsRefusedBeforeAnythingStarts()
    {
        using var folder = new TempFolder();
        var yaml = BccdSlice.Write(folder.Path, 2);
        var campaigns = folder.File("campaigns");
        var weights = SharedData.Golden("bccd-yolov7-tiny.pt");
        CliRunner.AssertOneLine(CliRunner.Run("campaign", "start", "--weights", folder.File("missing.pt"), "--data", yaml, "--dir", campaigns), "missing.pt: file not found");
        CliRunner.AssertOneLine(CliRunner.Run("campaign", "start", "--weights", weights, "--data", folder.File("none.yaml"), "--dir", campaigns), "none.yaml: file not found");
        File.WriteAllText(folder.File("bad.yaml"), "stop:\n  max_iterations: many\n");
        CliRunner.AssertOneLine(CliRunner.Run("campaign", "start", "--weights", weights, "--data", yaml, "--config", folder.File("bad.yaml"), "--dir", campaigns), "max_iterations");
        var coco = folder.File("coco.yaml");
        File.WriteAllText(coco, File.ReadAllText(yaml).Replace("nc: 3", "nc: 80").Replace("names: ['RBC', 'WBC', 'Platelets']", $"names: [{string.Join(", ", Enumerable.Range(0, 80).Select(i => $"'c{i}'"))}]"));
        CliRunner.AssertOneLine(CliRunner.Run("campaign", "start", "--weights", weights, "--data", coco, "--dir", campaigns), "80");
        CliRunner.AssertOneLine(CliRunner.Run("campaign", "start", "--weights", weights, "--data", yaml, "--cluster", "redis://127.0.0.1:1"), "--artifacts");
        CliRunner.AssertOneLine(CliRunner.Run("campaign", "start", "--weights", weights, "--data", yaml, "--dir", campaigns, "--dashboard-port", "70000"), "--dashboard-port 70000");
        Assert.False(Directory.Exists(campaigns), "nothing may be created for a refused campaign");
    }
}
