using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Jobs;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// The silo's campaign pages on a real <c>prunecluster-silo</c> process with the engine evaluator, a campaign started
/// through its gateway: the page renders in headless Chromium with the ranked layer table in its DOM while results
/// arrive, and the JSON answers over HTTP on 127.0.0.1.
/// </summary>
[Collection(ClusterCollection.Name)]   // not concurrently with the in-process clusters: this machine has 2 cores
public sealed partial class CampaignPagesTests
{
    // One rate at 128 px on 8 bccd images: the first variants are in within a minute or two on two busy cores.
    private const string Spec = """
        sensitivity:
          rates: [0.5]
          img: 128
          batch: 4
        stop:
          max_iterations: 1
        """;

    [Fact]
    public async Task CampaignPageShowsTheRankedTableInChromiumAndTheApiAnswers()
    {
        using var folder = new TempFolder();
        var store = new ArtifactStore(Directory.CreateDirectory(folder.File("artifacts")).FullName);
        var data = BccdSlice.Write(folder.Path, 8);
        var (siloPort, gatewayPort, dashboardPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        using var silo = ChildProcess.Silo("--evaluator", "engine", "--artifacts", store.Root, "--slots-per-device", "1",
            "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--dashboard-port", $"{dashboardPort}", "--cluster-id", "pages-test");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboardPort}"), Timeout = TimeSpan.FromSeconds(20) };
        await silo.WaitForOk($"http://127.0.0.1:{dashboardPort}/readyz", TimeSpan.FromSeconds(120));

        using var client = Host.CreateDefaultBuilder()
            .UseOrleansClient(c => c.UseLocalhostClustering(gatewayPort, serviceId: "prunecluster", clusterId: "pages-test")).Build();
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IGrainFactory>();
        var campaign = grains.GetGrain<ICampaignGrain>("pages");
        await campaign.Start(new CampaignStart("pages", store.Put(SharedData.Golden("bccd-yolov7-tiny.pt")), data,
            CampaignData.Digest(Engine.Data.DataYaml.Load(data)), Spec, DateTime.UtcNow));
        CampaignTable? table = null;
        await silo.WaitUntil(async () => (table = await campaign.GetTable(0)) is { Done: > 0 }, TimeSpan.FromMinutes(6), "a sensitivity result arrived");

        // The page, as a browser renders it: the ranked table is in the DOM with the rows the grain serves.
        var dom = HeadlessChromium.DumpDom($"http://127.0.0.1:{dashboardPort}/campaigns/pages");
        var layers = LayersTable().Match(dom);
        Assert.True(layers.Success, $"no layer table in the page: {dom[..Math.Min(dom.Length, 2000)]}");
        var rows = Row().Matches(layers.Value).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(rows.Count >= table!.Rows.Length, $"{rows.Count} rows in the page, {table.Rows.Length} served before");
        Assert.Contains(table.Rows[0].Layer, rows);
        Assert.Contains("id=\"silos\"", dom);
        Assert.Contains(">pages<", dom);
        Assert.Contains("href=\"/campaigns/pages\"", HeadlessChromium.DumpDom($"http://127.0.0.1:{dashboardPort}/campaigns"));

        // The JSON over HTTP.
        var listed = await http.GetAsync("/api/campaigns");
        Assert.True(listed.IsSuccessStatusCode, $"/api/campaigns answered {listed.StatusCode}; the silo said: {silo.Stderr}{silo.Stdout[^Math.Min(silo.Stdout.Length, 3000)..]}");
        var list = JsonNode.Parse(await listed.Content.ReadAsStringAsync())!.AsArray();
        Assert.Contains(list, c => c!["id"]!.ToString() == "pages");
        var status = JsonNode.Parse(await http.GetStringAsync("/api/campaigns/pages"))!;
        Assert.Equal("pages", status["id"]!.ToString());
        Assert.NotNull(status["phase"]);
        var served = JsonNode.Parse(await http.GetStringAsync("/api/campaigns/pages/table?iteration=0"))!;
        Assert.True(served["rows"]!.AsArray().Count >= table.Rows.Length);
        var unknown = await http.GetAsync("/api/campaigns/nobody");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("unknown campaign 'nobody'", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/campaigns/pages/table?iteration=x")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/campaigns/nobody")).StatusCode);

        await campaign.Cancel();
        await client.StopAsync();
        silo.Terminate();
        Assert.True(silo.WaitForExit(TimeSpan.FromSeconds(60)), "the silo did not stop within 60 s of SIGTERM");
    }

    [GeneratedRegex("<table id=\"layers\">.*?</table>", RegexOptions.Singleline)]
    private static partial Regex LayersTable();

    [GeneratedRegex(@"<tr(?: class=""selected"")?><td>\d+</td><td>(\d+)</td>")]
    private static partial Regex Row();
}
