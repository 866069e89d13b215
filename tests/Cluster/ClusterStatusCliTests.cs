using System.Diagnostics;
using System.Net;
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
        using var silo = new SiloProcess("--redis", redis.Endpoint, "--evaluator", "simulated", "--slots-per-device", "2",
            "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--dashboard-port", $"{dashboardPort}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboardPort}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitUntil(async () => await Ready(http), silo, "the silo never became ready");

        await using var session = await ClusterSession.ConnectRedis(redis.Endpoint, "prunecluster", "prunecluster", CancellationToken.None);
        // 120 variants of 0.1-1 s (10 ms per GFLOP) on 2 slots: a minute of work.
        var tasks = SimulatedWorkload.Tasks("cli", 1, 40, [0.25, 0.5, 0.75]);
        await IterationRun.Open(session.Grains, tasks, TimeSpan.FromSeconds(10));
        ClusterStatus? seen = null;
        await WaitUntil(async () => (seen = await session.Grains.GetGrain<IClusterStatusGrain>(0).GetStatus()) is { } s
            && s.Silos.Length == 1 && s.Silos[0].Slots.Count(x => x.Busy) == 2 && s.Queue.Any(q => q.Done > 0), silo, "both slots busy");
        var address = seen!.Silos[0].Address;

        var run = CliRunner.Run("cluster", "status", "--cluster", $"redis://{redis.Endpoint}");
        output.WriteLine(run.Stdout);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"cluster redis://{redis.Endpoint} at ", run.Stdout);
        Assert.Contains("1 silo, 2 slots (", run.Stdout);
        Assert.Matches(new Regex($@"(?m)^{Regex.Escape(address)}\s+\S+\s+Active\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+cpu\s+2 \(\d busy\)$"), run.Stdout);
        Assert.Matches(new Regex($@"(?m)^{Regex.Escape(address)}\s+0\s+cpu\s+(busy\s+cli\s+1\s+variant\s+\d+\s+0\.\d+\s+\d|idle$)"), run.Stdout);
        Assert.Matches(new Regex($@"(?m)^{Regex.Escape(address)}\s+1\s+cpu\s+(busy|idle)"), run.Stdout);
        var queue = new Regex(@"(?m)^cli/1\s+(\d+)\s+(\d+)\s+(\d+)\s+0\s+120$").Match(run.Stdout);
        Assert.True(queue.Success, run.Stdout);
        Assert.Equal(120, Enumerable.Range(1, 3).Sum(g => int.Parse(queue.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("jobs: none waiting or running", run.Stdout);

        var json = CliRunner.Run("cluster", "status", "--cluster", $"redis://{redis.Endpoint}", "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        var document = JsonNode.Parse(json.Stdout)!;
        var only = Assert.Single(document["silos"]!.AsArray())!;
        Assert.Equal(address, only["address"]!.ToString());
        Assert.Equal(2, only["slots"]!.AsArray().Count);
        Assert.All(only["slots"]!.AsArray(), slot => Assert.Equal("cpu", slot!["device"]!.ToString()));
        var iteration = Assert.Single(document["queue"]!.AsArray())!;
        Assert.Equal("cli/1", iteration["iteration"]!.ToString());
        Assert.Equal(120, (int)iteration["total"]!);
        Assert.Equal(120, (int)iteration["waiting"]! + (int)iteration["leased"]! + (int)iteration["done"]! + (int)iteration["failed"]!);

        // The same over HTTP, beside the silo's dashboard.
        var api = JsonNode.Parse(await http.GetStringAsync("/api/cluster"))!;
        Assert.Equal(address, api["silos"]![0]!["address"]!.ToString());
        Assert.Equal(2, api["silos"]![0]!["slots"]!.AsArray().Count);
        Assert.Equal("cli/1", api["queue"]![0]!["key"]!.ToString());
    }

    [Fact]
    public void WithoutAReachableClusterItIsOneLineWithinTenSeconds()
    {
        var port = FreePort.Next();   // nobody listens there
        var clock = Stopwatch.StartNew();
        var unreachable = CliRunner.Run("cluster", "status", "--cluster", $"redis://127.0.0.1:{port}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
        AssertOneLine(unreachable, $"cannot reach the cluster at redis://127.0.0.1:{port}");
        AssertOneLine(CliRunner.Run("cluster", "status"), "cluster status needs --cluster redis://host:port");
        AssertOneLine(CliRunner.Run("cluster", "status", "--cluster", "redis://nowhere"), "is not redis://host:port");
    }

    private static void AssertOneLine(CliRunner.Result run, string expected)
    {
        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"one line expected, got:\n{run.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    private static async Task<bool> Ready(HttpClient http)
    {
        try
        {
            return (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, SiloProcess silo, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.False(silo.HasExited, $"the silo exited: {silo.Stderr}{silo.Stdout}");
            if (clock.Elapsed > TimeSpan.FromSeconds(120))
                throw new TimeoutException($"{failure} within 120 s");
            await Task.Delay(250);
        }
    }
}
