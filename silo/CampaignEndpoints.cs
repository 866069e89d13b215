using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PruneCluster.Grains.Contracts;

namespace PruneCluster.Silo;

/// <summary>
/// The campaign pages beside the dashboard: <c>/campaigns</c> (every campaign) and <c>/campaigns/{id}</c> (phase of each
/// iteration, evaluations done per silo, throughput and ETA, the ranked layer table as results arrive; the page reloads
/// itself while the campaign runs), and the same as JSON for scripts under <c>/api/campaigns</c>,
/// <c>/api/campaigns/{id}</c> and <c>/api/campaigns/{id}/table?iteration=K</c> (0 or none = the latest); the cluster's
/// silos, slots, queue and jobs (<c>cluster status</c>) under <c>/api/cluster</c>.
/// </summary>
public static class CampaignEndpoints
{
    /// <summary>The JSON of these endpoints (camelCase, enums as names), also <c>prunecluster cluster status --json</c>'s.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new ImmutableArrayJsonConverter() },
        // An ETA or a rate before the first result is NaN or infinite.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static WebApplication MapCampaigns(this WebApplication app)
    {
        app.MapGet("/api/campaigns", async (IGrainFactory grains) => Results.Json(await Summaries(grains), Json));
        app.MapGet("/api/campaigns/{id}", async (string id, IGrainFactory grains) =>
            await Status(grains, id) is { } status ? Results.Json(status, Json) : Unknown(id));
        app.MapGet("/api/campaigns/{id}/table", async (string id, string? iteration, IGrainFactory grains) =>
        {
            if (!TryIteration(iteration, out var k))
                return Results.Json(new { error = $"iteration '{iteration}' is not a whole number ≥ 0 (0 = the latest)" }, Json, statusCode: 400);
            if (await Status(grains, id) is null)
                return Unknown(id);
            return await grains.GetGrain<ICampaignGrain>(id).GetTable(k) is { } table
                ? Results.Json(table, Json)
                : Results.Json(new { error = $"campaign '{id}' has no layer table for iteration {k} yet" }, Json, statusCode: 404);
        });
        app.MapGet("/api/cluster", async (IGrainFactory grains) => Results.Json(await grains.GetGrain<IClusterStatusGrain>(0).GetStatus(), Json));
        app.MapGet("/campaigns", async (IGrainFactory grains) => Results.Content(CampaignPage.List(await Summaries(grains)), "text/html; charset=utf-8"));
        app.MapGet("/campaigns/{id}", async (string id, IGrainFactory grains) =>
        {
            if (await Status(grains, id) is not { } status)
                return Results.Content(CampaignPage.Unknown(id), "text/html; charset=utf-8", statusCode: 404);
            var table = await grains.GetGrain<ICampaignGrain>(id).GetTable(0);
            return Results.Content(CampaignPage.Campaign(status, table), "text/html; charset=utf-8");
        });
        return app;
    }

    private static async Task<List<CampaignStatus>> Summaries(IGrainFactory grains)
    {
        var entries = await grains.GetGrain<ICampaignDirectoryGrain>(0).List();
        return [.. await Task.WhenAll(entries.Select(e => grains.GetGrain<ICampaignGrain>(e.Id).GetStatus()))];
    }

    // Null for an id no coordinator knows.
    private static async Task<CampaignStatus?> Status(IGrainFactory grains, string id)
    {
        var status = await grains.GetGrain<ICampaignGrain>(id).GetStatus();
        return status.Phase == CampaignPhase.NotStarted ? null : status;
    }

    private static IResult Unknown(string id) =>
        Results.Json(new { error = $"unknown campaign '{id}' (GET /api/campaigns lists them)" }, Json, statusCode: 404);

    private static bool TryIteration(string? text, out int iteration)
    {
        iteration = 0;
        return text is null || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out iteration);
    }
}
