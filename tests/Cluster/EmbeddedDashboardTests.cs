using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// <c>prunecluster campaign start</c> without <c>--cluster</c> (the embedded cluster) serves the Orleans dashboard and
/// the campaign pages on loopback while the campaign runs in the foreground, on the URLs it prints.
/// </summary>
[Collection(ClusterCollection.Name)]   // not concurrently with the in-process clusters: this machine has 2 cores
public sealed class EmbeddedDashboardTests
{
    private const string Spec = """
        sensitivity:
          rates: [0.5]
          img: 128
          batch: 4
        stop:
          max_iterations: 1
        """;

    [Fact]
    public async Task AnEmbeddedCampaignServesTheDashboardAndItsPageOnThePrintedUrlsWhileItRuns()
    {
        using var folder = new TempFolder();
        var data = BccdSlice.Write(folder.Path, 2);
        File.WriteAllText(folder.File("campaign.yaml"), Spec);
        // The requested port is taken: the CLI says so and serves on a free one.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var cli = ChildProcess.Cli("campaign", "start", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", data,
            "--config", folder.File("campaign.yaml"), "--dir", folder.File("campaigns"), "--dashboard-port", $"{takenPort}");

        var page = await cli.WaitForLine(l => l.StartsWith("campaign page: ", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
        var dashboard = await cli.WaitForLine(l => l.StartsWith("dashboard: ", StringComparison.Ordinal), TimeSpan.FromSeconds(1));
        Assert.Contains($"port {takenPort} is taken", cli.Stderr);
        var pageUrl = new Uri(page["campaign page: ".Length..]);
        // Stdout (where the id is printed) is read by another pipe reader and may lag behind stderr: wait for it.
        var id = (await cli.WaitForLine(l => l.Length > 0, TimeSpan.FromSeconds(30), onStdout: true)).Trim();
        Assert.Equal($"/campaigns/{id}", pageUrl.AbsolutePath);
        Assert.Equal("127.0.0.1", pageUrl.Host);
        Assert.NotEqual(takenPort, pageUrl.Port);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var html = await http.GetAsync(pageUrl);
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Contains($">{id}<", await html.Content.ReadAsStringAsync());
        var board = await http.GetAsync(dashboard["dashboard: ".Length..]);
        Assert.Equal(HttpStatusCode.OK, board.StatusCode);
        Assert.Contains("<html", await board.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var status = JsonNode.Parse(await http.GetStringAsync(new Uri(pageUrl, $"/api/campaigns/{id}")))!;
        Assert.Equal(id, status["id"]!.ToString());
        Assert.DoesNotContain(status["phase"]!.ToString(), new[] { "Finished", "Failed", "Cancelled" });

        // Ctrl-C: the campaign stays resumable and the pages go away with the process.
        cli.Interrupt();
        Assert.True(cli.WaitForExit(TimeSpan.FromSeconds(90)), "the CLI did not stop within 90 s of Ctrl-C");
        Assert.Equal(130, cli.ExitCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(pageUrl));
    }

}
