using System.Net;
using System.Net.Sockets;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Cli;

/// <summary>
/// <see cref="CliRunner.RunUntil"/> cannot hang a test run: a CLI that never prints the line to interrupt at fails the
/// test with its output, whether it ends first or keeps running (then its process tree is killed).
/// </summary>
public sealed class CliRunnerTests
{
    [Fact]
    public void RunUntilFailsClearlyWhenTheCliEndsWithoutTheLine()
    {
        var failure = Assert.ThrowsAny<Exception>(() => CliRunner.RunUntil(["campaign", "status", "x", "--cluster", "redis://nowhere"], _ => false));
        Assert.Contains("never reached the point to interrupt", failure.Message);
        Assert.Contains("before it exited (2)", failure.Message);
        Assert.Contains("is not redis://host:port", failure.Message);   // its stderr
    }

    [Fact]
    public void RunUntilKillsACliThatNeverPrintsTheLineAndFailsClearly()
    {
        // A Redis port that accepts connections and never answers: the CLI waits (7 s) for the cluster.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var failure = Assert.ThrowsAny<Exception>(() =>
            CliRunner.RunUntil(["cluster", "status", "--cluster", $"redis://127.0.0.1:{port}"], _ => false, timeout: TimeSpan.FromSeconds(1)));
        Assert.Contains("never reached the point to interrupt", failure.Message);
        Assert.Contains("within 1 s", failure.Message);
    }
}
