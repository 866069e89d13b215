using System.Diagnostics;
using System.Net.Sockets;

namespace PruneCluster.Tests.Cluster;

/// <summary>
/// A real redis-server on a free loopback port, without persistence, for the lifetime of a test fixture: grain storage
/// that outlives any one silo, as in production.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process process;

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public RedisServer()
    {
        Port = FreePort.Next();
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            start.ArgumentList.Add(a);
        process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!Accepts())
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
                throw new InvalidOperationException($"redis-server on port {Port} did not come up");
            Thread.Sleep(50);
        }
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill();
        process.WaitForExit();
        process.Dispose();
    }
}
