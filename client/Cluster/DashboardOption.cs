namespace PruneCluster.Client.Cluster;

/// <summary>The <c>--dashboard-port</c> option of the commands that host an embedded cluster (start, resume, demo).</summary>
public static class DashboardOption
{
    /// <summary>As the silo's <c>--dashboard-port</c>.</summary>
    public const int Default = 8080;

    /// <summary>The one-line error for a bad value, or null.</summary>
    public static string? Check(int port) =>
        port is >= 0 and <= 65535 ? null : $"--dashboard-port {port}: use a port from 1 to 65535, or 0 for no dashboard";
}
