using System.Text.Json;
using System.Text.Json.Serialization;
using PruneCluster.Engine.Checkpoints;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// The local campaign's record on disk (<c>campaign.json</c> in its folder), written atomically after every phase so
/// that an interrupted campaign resumes at the first unfinished one. The cluster keeps the same JSON in grain storage.
/// </summary>
public static class CampaignRecordFile
{
    public const string Format = "prunecluster-campaign/1";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string ToJson(CampaignRecord record) => JsonSerializer.Serialize(new Envelope(Format, record), Options);

    public static CampaignRecord FromJson(string json, string source)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(json, Options);
        }
        catch (JsonException e)
        {
            throw new CampaignSpecException($"{source}: not a campaign record ({e.Message.ReplaceLineEndings(" ")}); it may be damaged — restore it or start a new campaign", e);
        }
        if (envelope is not { Record: { } record } || envelope.Format != Format)
            throw new CampaignSpecException($"{source}: not a {Format} campaign record (format '{envelope?.Format}'); start a new campaign or use the PruneCluster version that wrote it");
        return record;
    }

    public static void Save(string path, CampaignRecord record) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, new Envelope(Format, record), Options));

    public static CampaignRecord Load(string path) =>
        File.Exists(path)
            ? FromJson(File.ReadAllText(path), path)
            : throw new CampaignSpecException($"{path} does not exist; start the campaign first (prunecluster campaign run)");

    private sealed record Envelope(string Format, CampaignRecord Record);
}
