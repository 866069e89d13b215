using System.Net;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cluster;

/// <summary>The silo host as a real process on loopback: probes, dashboard, graceful SIGTERM, bad options.</summary>
[Collection(ClusterCollection.Name)]   // not concurrently with the in-process cluster: this machine has 2 cores
public sealed class SiloHostTests
{
    [Fact]
    public async Task SiloServesProbesAndDashboardAndStopsCleanlyOnSigterm()
    {
        var (silo, gateway, dashboard) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        using var process = ChildProcess.Silo("--silo-port", $"{silo}", "--gateway-port", $"{gateway}", "--dashboard-port", $"{dashboard}",
            "--evaluator", "simulated", "--slots-per-device", "1", "--cluster-id", "silo-host-test");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboard}"), Timeout = TimeSpan.FromSeconds(10) };

        // The silo takes seconds to join its cluster: each probe answers 200 within 90 s.
        await process.WaitForOk($"http://127.0.0.1:{dashboard}/healthz", TimeSpan.FromSeconds(90));
        await process.WaitForOk($"http://127.0.0.1:{dashboard}/readyz", TimeSpan.FromSeconds(90));
        var page = await http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        process.Terminate();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the silo did not stop within 60 s of SIGTERM");
        Assert.Equal(0, process.ExitCode);
        Assert.DoesNotContain("Exception", process.Stderr + process.Stdout);
        Assert.Contains("evaluates with 1 slots", process.Stdout);
    }

    [Theory]
    [InlineData("--devices", "gpu0", "--devices: 'gpu0' is not a device")]
    [InlineData("--slots-per-device", "2", "pass --artifacts DIR")] // the engine evaluator is the default
    [InlineData("--artifacts", "/nonexistent/artifacts", "--artifacts /nonexistent/artifacts: folder not found")]
    [InlineData("--evaluator", "magic", "--evaluator: 'magic' is not an evaluator")]
    [InlineData("--redis", "localhost", "--redis: 'localhost' is not host:port")]
    [InlineData("--colour", "red", "unknown option '--colour'")]
    public void BadOptionIsOneLineAndExitCode2(string option, string value, string message)
    {
        using var process = ChildProcess.Silo(option, value);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith($"error: ", process.Stderr);
        Assert.Contains(message, process.Stderr);
        Assert.DoesNotContain("   at ", process.Stderr);
    }
}
