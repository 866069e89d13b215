using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PruneCluster.Client.Cluster;
using PruneCluster.Grains.Contracts;
using PruneCluster.Grains.Simulation;
using PruneCluster.Tests.Support;
using Xunit.Abstractions;

namespace PruneCluster.Tests.Cluster;

/// <summary><c>prunecluster cluster status</c> against a real <c>prunecluster-silo</c> process on Redis, and its one-line errors.</summary>
[Collection(ClusterCollection.Name)]   // not concurrently with the in-process clusters: this machine has 2 cores
public sealed class ClusterStatusCliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StatusOfARealSiloPrintsItsSlotsAndTheQueueAsTableAndJson()
    {
        using var redis = new RedisServer();
        var (siloPort, gatewayPort, dashboardPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        using var silo = ChildProcess.Silo("--redis", redis.Endpoint, "--evaluator", "simulated", "--slots-per-device", "2",
            "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--dashboard-port", $"{dashboardPort}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboardPort}"), Timeout = TimeSpan.FromSeconds(10) };
        await silo.WaitForOk($"http://127.0.0.1:{dashboardPort}/readyz", TimeSpan.FromSeconds(120));

        await using var session = await ClusterSession.ConnectRedis(redis.Endpoint, "prunecluster", "prunecluster", CancellationToken.None);
        // 120 variants of 39-105 s (a hundred times yolov7's costs at 10 ms per GFLOP) on 2 slots: once both slots have
        // taken one, both stay busy with it while the CLI runs, and nothing is done yet.
        var tasks = SimulatedWorkload.Tasks("cli", 1, 40, [0.25, 0.5, 0.75]).Select(t => t with { Cost = 100 * t.Cost }).ToImmutableArray();
        await IterationRun.Open(session.Grains, tasks, TimeSpan.FromSeconds(10));
        ClusterStatus? seen = null;
        await silo.WaitUntil(async () => (seen = await session.Grains.GetGrain<IClusterStatusGrain>(0).GetStatus()) is { } s
            && s.Silos.Length == 1 && s.Silos[0].Slots.All(x => x.Busy), TimeSpan.FromSeconds(120), "both slots busy");
        var address = seen!.Silos[0].Address;
        var working = seen.Silos[0].Slots.Select(x => x.Activity!).ToList();
        Assert.Equal(2, working.Count);

        var run = CliRunner.Run("cluster", "status", "--cluster", $"redis://{redis.Endpoint}");
        output.WriteLine(run.Stdout);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"cluster redis://{redis.Endpoint} at ", run.Stdout);
        Assert.Contains("1 silo, 2 slots (2 busy), 1 open iteration, 0 jobs", run.Stdout);
        Assert.Matches(new Regex($@"(?m)^{Regex.Escape(address)}\s+\S+\s+Active\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+cpu\s+2 \(2 busy\)$"), run.Stdout);
        for (var slot = 0; slot < 2; slot++)
            Assert.Matches(new Regex($@"(?m)^{Regex.Escape(address)}\s+{slot}\s+cpu\s+busy\s+cli\s+1\s+variant\s+{working[slot].Layer}\s+{working[slot].Rate!.Value.ToString("0.##", CultureInfo.InvariantCulture)}\s+\d"), run.Stdout);
        var queue = new Regex(@"(?m)^cli/1\s+(\d+)\s+(\d+)\s+0\s+0\s+120$").Match(run.Stdout);
        Assert.True(queue.Success, run.Stdout);
        Assert.Equal(120, Enumerable.Range(1, 2).Sum(g => int.Parse(queue.Groups[g].Value, CultureInfo.InvariantCulture)));
        Assert.Contains("jobs: none waiting or running", run.Stdout);

        // --json and /api/cluster: the same record in the same shape (names, nesting), here in the same state.
        var json = CliRunner.Run("cluster", "status", "--cluster", $"redis://{redis.Endpoint}", "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        var api = JsonNode.Parse(await http.GetStringAsync("/api/cluster"))!;
        foreach (var document in new[] { JsonNode.Parse(json.Stdout)!, api })
        {
            var only = Assert.Single(document["silos"]!.AsArray())!;
            Assert.Equal(address, only["address"]!.ToString());
            var slots = only["slots"]!.AsArray();
            Assert.Equal(2, slots.Count);
            Assert.All(slots, slot => Assert.Equal(("cpu", true), (slot!["device"]!.ToString(), (bool)slot["busy"]!)));
            Assert.Equal(working.Select(w => (w.Campaign, w.Iteration, w.Layer, w.Rate)),
                slots.Select(slot => slot!["activity"]!).Select(a => (a["campaign"]!.ToString(), (int)a["iteration"]!, (int?)a["layer"], (double?)a["rate"])));
            var iteration = Assert.Single(document["queue"]!.AsArray())!;
            Assert.Equal("cli/1", iteration["key"]!.ToString());
            Assert.Equal(120, (int)iteration["total"]!);
            Assert.Equal(0, (int)iteration["done"]!);
            Assert.Equal(120, (int)iteration["waiting"]! + (int)iteration["leased"]!);
        }
        Assert.Equal(Shape(api), Shape(JsonNode.Parse(json.Stdout)!));
    }

    // Every member's path (array items as []), in order.
    private static List<string> Shape(JsonNode? node, string path = "")
    {
        return node switch
        {
            JsonObject o => [.. o.SelectMany(p => (List<string>)[$"{path}.{p.Key}", .. Shape(p.Value, $"{path}.{p.Key}")])],
            JsonArray a => [.. a.SelectMany(item => Shape(item, $"{path}[]")).Distinct()],
            _ => [],
        };
    }

    [Fact]
    public void WithoutAReachableClusterItIsOneLineWithinTenSeconds()
    {
        var port = FreePort.Next();   // nobody listens there
        var clock = Stopwatch.StartNew();
        var unreachable = CliRunner.Run("cluster", "status", "--cluster", $"redis://127.0.0.1:{port}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
        CliRunner.AssertOneLine(unreachable, $"cannot reach the cluster at redis://127.0.0.1:{port}");
        CliRunner.AssertOneLine(CliRunner.Run("cluster", "status"), "cluster status needs --cluster redis://host:port");
        CliRunner.AssertOneLine(CliRunner.Run("cluster", "status", "--cluster", "redis://nowhere"), "is not redis://host:port");
    }
}
