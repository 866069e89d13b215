using System.Globalization;
using System.Text.Json;
using PruneCluster.Engine.Checkpoints;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// A local campaign's folder: <c>campaign.json</c> (the record), <c>inputs.json</c> (what it started from),
/// <c>timings.json</c> (wall time per phase) and one <c>iteration-K/</c> per iteration holding <c>sensitivity/</c>,
/// <c>selection.json</c>, <c>pruned.pt</c>, <c>finetune/</c> (the training run) and <c>finetuned.pt</c>. Every file
/// is written atomically.
/// </summary>
public sealed class CampaignFolder(string path)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string RecordPath => Combine("campaign.json");
    public string InputsPath => Combine("inputs.json");
    public string TimingsPath => Combine("timings.json");

    public string Iteration(int k) => Combine($"iteration-{k}");
    public string SensitivityDir(int k) => System.IO.Path.Combine(Iteration(k), "sensitivity");
    public string SelectionPath(int k) => System.IO.Path.Combine(Iteration(k), "selection.json");
    public string PrunedPath(int k) => System.IO.Path.Combine(Iteration(k), "pruned.pt");
    public string FineTuneDir(int k) => System.IO.Path.Combine(Iteration(k), "finetune");
    public string FineTunedPath(int k) => System.IO.Path.Combine(Iteration(k), "finetuned.pt");

    public bool HasRecord => File.Exists(RecordPath);

    public CampaignInputs? ReadInputs() =>
        File.Exists(InputsPath) ? Read<CampaignInputs>(InputsPath) : null;

    public void WriteInputs(CampaignInputs inputs) => Write(InputsPath, inputs);

    /// <summary>Seconds spent per phase, keyed <c>K/phase</c> (<c>0/baseline</c> for the baseline); interrupted attempts count too.</summary>
    public Dictionary<string, double> ReadTimings() =>
        File.Exists(TimingsPath) ? Read<Dictionary<string, double>>(TimingsPath) : [];

    public void AddTiming(int iteration, string phase, TimeSpan spent)
    {
        var timings = ReadTimings();
        var key = TimingKey(iteration, phase);
        timings[key] = timings.GetValueOrDefault(key) + spent.TotalSeconds;
        Write(TimingsPath, timings);
    }

    public static string TimingKey(int iteration, string phase) => string.Create(CultureInfo.InvariantCulture, $"{iteration}/{phase}");

    public void WriteJson<T>(string file, T value) => Write(file, value);

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    private static T Read<T>(string file)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(file), Json) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} is damaged ({e.Message.ReplaceLineEndings(" ")}); restore it or start the campaign in a new --out", e);
        }
    }

    private static void Write<T>(string file, T value) =>
        AtomicFile.Write(file, stream => JsonSerializer.Serialize(stream, value, Json));
}
