using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Grains.Contracts;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Support;
using Xunit.Abstractions;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// The issue's recovery test, everything a separate process over loopback: a real redis-server, two
/// <c>prunecluster-silo</c> processes (engine evaluator, one CPU slot each, one shared artifact store) and the
/// <c>prunecluster</c> CLI as the client. A one-iteration campaign is started with <c>campaign start --cluster</c>;
/// every silo is killed with SIGKILL twice — once with the sensitivity analysis partly done, once in the middle of
/// fine-tuning — and each time two new silos on new ports take over. The campaign must finish with every variant's
/// result exactly once, equal to the local analysis number for number, the fine-tune resumed from its last finished
/// epoch, and <c>campaign results --out</c> must write the files.
/// </summary>
[Collection(ClusterCollection.Name)]   // not concurrently with the in-process clusters: this machine has 2 cores
public sealed class RedisCampaignRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const string ClusterId = "recovery";
    private const double Rate = 0.5;
    private const int Img = 128, Batch = 4, Epochs = 3;

    // One rate at 128 px on 8 bccd images, 3 fine-tune epochs of 2 batches: every phase runs in a few minutes here.
    private static readonly string Spec = $"""
        sensitivity:
          rates: [{Rate}]
          img: {Img}
          batch: {Batch}
        selection:
          mode: target
          gflops_step: 0.1
        fine_tune:
          epochs: {Epochs}
          batch_size: 4
        stop:
          max_iterations: 1
        """;

    private readonly RedisServer redis = new();
    private readonly TempFolder folder = new();
    private readonly List<ChildProcess> silos = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private string Artifacts => folder.File("artifacts");

    private string Cluster => $"redis://{redis.Endpoint}";

    [Fact]
    public async Task EverySiloKilledTwiceMidCampaignNewSilosFinishItWithNothingLost()
    {
        Directory.CreateDirectory(Artifacts);
        var data = BccdSlice.Write(folder.Path, 8);
        var config = folder.File("campaign.yaml");
        File.WriteAllText(config, Spec);
        var weights = SharedData.Golden("bccd-yolov7-tiny.pt");

        await StartSilos();
        var start = await Cli("campaign", "start", "--weights", weights, "--data", data, "--config", config, "--cluster", Cluster,
            "--cluster-id", ClusterId, "--artifacts", Artifacts, "--name", "recovery");
        Assert.True(start.ExitCode == 0, $"campaign start failed: {start.Stderr}");
        var id = start.Stdout.Trim();
        Log($"campaign {id} started");

        // 1. Sensitivity partly in: kill -9 every silo.
        var partial = await WaitForStatus(id, s => Phase(s) == CampaignPhase.Sensitivity && s["sensitivity"]?["done"]?.GetValue<int>() >= 3, TimeSpan.FromMinutes(10));
        var total = partial["sensitivity"]!["total"]!.GetValue<int>();
        Log($"sensitivity {partial["sensitivity"]!["done"]}/{total} done: killing every silo");
        KillAllSilos();
        Assert.True(partial["sensitivity"]!["done"]!.GetValue<int>() < total, "the kill came too late: the sensitivity analysis was complete");

        // 2. New silos, and no client call: only the reminder can wake the coordinator, which must finish the analysis,
        //    select, prune and start the fine-tune. Once its first epoch is saved (results row and resume state), kill -9 again.
        await StartSilos();
        var run = new DirectoryInfo(Path.Combine(Artifacts, "runs", id, "1"));
        var results = Path.Combine(run.FullName, "results.csv");
        var state = Path.Combine(run.FullName, "weights", "last.state.pt");
        await WaitUntil(() => EpochRows(results).Count >= 1 && File.Exists(state), TimeSpan.FromMinutes(15), "the fine-tune's first epoch was never saved");
        var rowsAtKill = EpochRows(results);
        Log($"fine-tune epoch rows {string.Join(",", rowsAtKill.Select(r => r.Split(',')[0]))} saved: killing every silo");
        KillAllSilos();
        Assert.True(rowsAtKill.Count < Epochs, "the kill came too late: the fine-tune had finished");

        // 3. New silos again; the CLI follows the campaign to its end.
        await StartSilos();
        var done = await WaitForStatus(id, s => Phase(s) is CampaignPhase.Finished or CampaignPhase.Failed or CampaignPhase.Cancelled, TimeSpan.FromMinutes(15));
        Assert.True(Phase(done) == CampaignPhase.Finished, $"campaign ended {Phase(done)}: {done["failure"]}");
        Log("campaign finished");

        // The fine-tune resumed from its last saved epoch: the rows saved before the kill are there unchanged (their
        // wall time would differ had an epoch been redone), every epoch once, and the job's second attempt did it.
        var rows = EpochRows(results);
        Assert.Equal(Enumerable.Range(0, Epochs).Select(e => e.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r.Split(',')[0]));
        Assert.True(rowsAtKill.Select(Measured).SequenceEqual(rows.Take(rowsAtKill.Count).Select(Measured)),
            $"an epoch saved before the kill was redone:\nbefore: {string.Join("\n", rowsAtKill)}\nafter:  {string.Join("\n", rows)}");
        // The variant leases the first silos held ended as soon as the membership declared them dead, not a TTL later.
        Assert.Contains("its silo is dead", string.Concat(silos.Skip(2).Take(2).Select(s => s.Stdout)));
        var lastSilos = string.Concat(silos.Skip(4).Select(s => s.Stdout));
        Assert.Matches($"Job \"?{Regex.Escape(id)}/1/FineTune/0\"? attempt 2 leased", lastSilos);

        var iteration = Assert.Single(done["iterations"]!.AsArray())!;
        Assert.NotNull(iteration["pruned"]);
        Assert.NotNull(iteration["fine_tuned"]);
        Assert.True(iteration["pruned"]!["gflops"]!.GetValue<double>() < done["baseline"]!["gflops"]!.GetValue<double>());

        // campaign results --out writes the files.
        var outDir = folder.File("results");
        var written = await Cli("campaign", "results", id, "--cluster", Cluster, "--cluster-id", ClusterId, "--artifacts", Artifacts, "--out", outDir);
        Assert.True(written.ExitCode == 0, $"campaign results failed: {written.Stderr}");
        foreach (var file in new[] { "report.md", "campaign.json", "baseline.pt", "final.pt", "iteration-1/pruned.pt", "iteration-1/fine-tuned.pt" })
            Assert.True(new FileInfo(Path.Combine(outDir, file)).Length > 0, $"{file} missing or empty");

        // Every variant exactly once, and equal number for number to the analysis run locally without interruption.
        var sensitivityFile = Path.Combine(outDir, "iteration-1", "sensitivity", SensitivityFile.FileName(Rate));
        var cluster = SensitivityFile.Read(sensitivityFile).ToList();
        Assert.Equal(total, cluster.Count);
        Assert.Equal(total, cluster.Select(r => r.Layer).Distinct().Count());
        var local = LocalAnalysis(data);
        Assert.Equal(local.Keys.Order(), cluster.Select(r => (r.Layer, r.Rate)).Order());
        foreach (var result in cluster)
        {
            var expected = local[(result.Layer, result.Rate)];
            Assert.True((expected.Mp, expected.Mr, expected.Map50, expected.Map, expected.Params, expected.Gflops)
                == (result.Mp, result.Mr, result.Map50, result.Map, result.Params, result.Gflops), $"layer {result.Layer}: the cluster's numbers differ from the local analysis");
            Assert.Equal(expected.PerClassMaps, result.PerClassMaps);
        }
        Log("results checked");
    }

    // The paper-format results of the analysis run here, in one go, on the same model, data and settings.
    private Dictionary<(int, double), SensitivityResult> LocalAnalysis(string data)
    {
        var local = folder.File("local");
        using var model = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        new SensitivityAnalysis(model, DataYaml.Load(data), Img, Batch, new SensitivityOptions([Rate])).Run(local);
        return new SensitivityFolder(local).ReadResults();
    }

    // A results row without the columns derived from others (total loss, fitness), which a resume recomputes from the
    // rounded values it reads back, so their last digit may change: epoch, losses, P, R, mAPs, lrs, wall time, images.
    private static string Measured(string row) => string.Join(",", row.Split(',').Where((_, i) => i is not 4 and not 9));

    private static List<string> EpochRows(string results)
    {
        try
        {
            return File.Exists(results) ? [.. File.ReadAllLines(results).Skip(1).Where(l => l.Length > 0)] : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private async Task StartSilos()
    {
        var generation = new List<(ChildProcess Silo, int Dashboard)>();
        for (var i = 0; i < 2; i++)
        {
            var (siloPort, gatewayPort, dashboardPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
            var silo = ChildProcess.Silo("--redis", redis.Endpoint, "--evaluator", "engine", "--artifacts", Artifacts, "--slots-per-device", "1",
                "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--dashboard-port", $"{dashboardPort}",
                "--cluster-id", ClusterId, "--liveness-seconds", "5");
            silos.Add(silo);
            generation.Add((silo, dashboardPort));
        }
        foreach (var (silo, dashboard) in generation)
            await silo.WaitForOk($"http://127.0.0.1:{dashboard}/readyz", TimeSpan.FromMinutes(5));
        Log($"silos {silos.Count - 1} and {silos.Count} ready");
    }

    private void KillAllSilos()
    {
        foreach (var silo in silos.Where(s => !s.HasExited))
            silo.KillHard();
    }

    private async Task<JsonNode> WaitForStatus(string id, Func<JsonNode, bool> condition, TimeSpan timeout)
    {
        var started = Stopwatch.StartNew();
        JsonNode? last = null;
        while (started.Elapsed < timeout)
        {
            var run = await Cli("campaign", "status", id, "--cluster", Cluster, "--cluster-id", ClusterId, "--json");
            if (run.ExitCode == 0)
            {
                last = JsonNode.Parse(run.Stdout)!;
                if (condition(last))
                    return last;
            }
            else
                Log($"campaign status: exit {run.ExitCode}: {run.Stderr.Trim()}");
            AssertSilosAlive();
            await Task.Delay(1000);
        }
        throw new TimeoutException($"campaign {id} did not get there within {timeout}; last status: {last?.ToJsonString()}\n{SiloOutput()}");
    }

    private async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string failure)
    {
        var started = Stopwatch.StartNew();
        while (!condition())
        {
            AssertSilosAlive();
            if (started.Elapsed > timeout)
                throw new TimeoutException($"{failure} within {timeout}\n{SiloOutput()}");
            await Task.Delay(100);
        }
    }

    private void AssertSilosAlive()
    {
        foreach (var silo in silos.Skip(silos.Count - 2))
            Assert.False(silo.HasExited, $"a silo exited: {silo.Stderr}{Tail(silo.Stdout)}");
    }

    private static CampaignPhase Phase(JsonNode status) => status["phase"]!.GetValueKind() == JsonValueKind.Number
        ? (CampaignPhase)status["phase"]!.GetValue<int>()
        : Enum.Parse<CampaignPhase>(status["phase"]!.GetValue<string>().Replace("_", ""), ignoreCase: true);

    private static Task<CliRunner.Result> Cli(params string[] args) => Task.Run(() => CliRunner.Run(args));

    private void Log(string message) => output.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");

    private string SiloOutput() => string.Join("\n", silos.Select((s, i) => $"--- silo {i + 1}:\n{s.Stderr}{Tail(s.Stdout)}"));

    private static string Tail(string text) => text[Math.Max(0, text.Length - 6000)..];

    public void Dispose()
    {
        foreach (var silo in silos)
            silo.Dispose();
        redis.Dispose();
        folder.Dispose();
    }
}
