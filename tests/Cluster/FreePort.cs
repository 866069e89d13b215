namespace PruneCluster.Tests.Cluster;

/// <summary>A loopback TCP port nobody listens on right now.</summary>
public static class FreePort
{
    public static int Next() => Client.Cluster.LoopbackPort.Free();
}
