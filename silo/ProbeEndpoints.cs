using Orleans.Runtime;

namespace PruneCluster.Silo;

/// <summary>Kubernetes probes: /healthz says the process serves HTTP, /readyz that this silo is Active in the cluster.</summary>
public static class ProbeEndpoints
{
    public static WebApplication MapProbes(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (IClusterMembershipService membership, ILocalSiloDetails silo) =>
            membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active
                ? Results.Text("ready")
                : Results.Text("not active", statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }
}
