using Orleans.Dashboard;
using PruneCluster.Silo;

// prunecluster-silo: one Orleans silo with evaluation slots, the dashboard at /dashboard and probes (see docs/cluster.md).
SiloOptions options;
try
{
    options = SiloOptions.Parse(args, Environment.GetEnvironmentVariable);
}
catch (SiloOptionException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(SiloOptions.Usage);
    return 0;
}

// Before any tensor exists: keep libtorch's large buffers in the process, as the CLI does (see NativeAllocator).
if (options.Evaluator == "engine")
    PruneCluster.Engine.Runtime.NativeAllocator.KeepLargeBuffers();

var builder = WebApplication.CreateBuilder();
builder.WebHost.UseUrls($"http://{(options.Advertise.Equals(System.Net.IPAddress.Loopback) ? "127.0.0.1" : "0.0.0.0")}:{options.DashboardPort}");
builder.AddSiloLogging(options).AddPruneClusterSilo(options);
var app = builder.Build();
app.MapProbes();
app.MapOrleansDashboard(routePrefix: "/dashboard");
await app.RunAsync();
return 0;
