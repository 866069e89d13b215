using System.Net;
using System.Net.Sockets;

namespace PruneCluster.Client.Cluster;

/// <summary>
/// The <c>--dashboard-port</c> of the commands that host an embedded cluster (start, resume, demo) and where that
/// cluster serves the Orleans dashboard and the campaign pages: a loopback port, the requested one (default 8080 like
/// the silo's) or, when that one is taken, a free one (<see cref="Taken"/> says which was asked for, so the user is told).
/// </summary>
public sealed record DashboardPort(int Port, int? Taken)
{
    /// <summary>As the silo's <c>--dashboard-port</c>.</summary>
    public const int Default = 8080;

    public const string Help = "loopback port of the Orleans dashboard and the campaign pages while the campaign runs (a free one if taken; 0: none)";

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The one-line error for a bad <c>--dashboard-port</c>, or null.</summary>
    public static string? Check(int requested) =>
        requested is >= 0 and <= 65535 ? null : $"--dashboard-port {requested}: use a port from 1 to 65535, or 0 for no dashboard";

    /// <summary>The port to serve on; null when <paramref name="requested"/> is 0 (no dashboard).</summary>
    public static DashboardPort? Pick(int requested)
    {
        if (requested == 0)
            return null;
        try
        {
            var probe = new TcpListener(IPAddress.Loopback, requested);
            probe.Start();
            probe.Stop();
            return new DashboardPort(requested, null);
        }
        catch (SocketException)
        {
            return new DashboardPort(LoopbackPort.Free(), requested);
        }
    }

    /// <summary>The lines that tell the user where to look (stderr, beside the other progress lines).</summary>
    public IEnumerable<string> Lines(string campaign)
    {
        if (Taken is { } taken)
            yield return $"port {taken} is taken; the dashboard uses port {Port} instead (--dashboard-port N chooses, 0 turns it off)";
        yield return $"dashboard: {Url}/dashboard/";
        yield return $"campaign page: {Url}/campaigns/{Uri.EscapeDataString(campaign)}";
    }
}
