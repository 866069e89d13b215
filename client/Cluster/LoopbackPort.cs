using System.Net;
using System.Net.Sockets;

namespace PruneCluster.Client.Cluster;

/// <summary>A loopback TCP port nobody listens on right now (the embedded silo's ports).</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
