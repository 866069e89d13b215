using Serilog;
using Serilog.Formatting.Compact;

namespace PruneCluster.Silo;

/// <summary>Serilog for the silo: console (plain or compact JSON), and a daily rolling file when a log folder is given.</summary>
public static class LoggingExtensions
{
    public static WebApplicationBuilder AddSiloLogging(this WebApplicationBuilder builder, SiloOptions options)
    {
        builder.Services.AddSerilog(log =>
        {
            log.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
                .MinimumLevel.Override("Orleans", Serilog.Events.LogEventLevel.Warning)
                .Enrich.FromLogContext();
            if (options.LogJson)
                log.WriteTo.Console(new CompactJsonFormatter());
            else
                log.WriteTo.Console();
            if (options.LogDir is { } dir)
                log.WriteTo.File(new CompactJsonFormatter(), Path.Combine(dir, "silo-.log"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
        });
        return builder;
    }
}
