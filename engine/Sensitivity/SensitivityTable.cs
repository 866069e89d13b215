namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// A complete, consistent layer × rate table of sensitivity results: every layer 0..<see cref="LayerCount"/>-1 has
/// exactly one result for every rate, and all results come from one model evaluated one way (see
/// <see cref="FromResults"/> for the checks).
/// </summary>
public sealed class SensitivityTable
{
    private readonly SensitivityResult[,] _cells;
    private readonly SensitivitySource?[,] _sources;

    private SensitivityTable(IReadOnlyList<double> rates, SensitivityResult[,] cells, SensitivitySource?[,] sources)
    {
        Rates = rates;
        _cells = cells;
        _sources = sources;
    }

    /// <summary>The rates, ascending.</summary>
    public IReadOnlyList<double> Rates { get; }

    /// <summary>Number of layers; layers are 0..LayerCount-1.</summary>
    public int LayerCount => _cells.GetLength(0);

    /// <summary>Length of every result's per-class mAP list.</summary>
    public int ClassCount => _cells[0, 0].PerClassMaps.Length;

    /// <summary>The result for a layer and the index of a rate in <see cref="Rates"/>.</summary>
    public SensitivityResult this[int layer, int rateIndex] => _cells[layer, rateIndex];

    /// <summary>The result for a layer at a rate (which must be one of <see cref="Rates"/>).</summary>
    public SensitivityResult Get(int layer, double rate) => _cells[layer, RateIndex(rate)];

    /// <summary>All layers' results at one rate, by layer index.</summary>
    public IReadOnlyList<SensitivityResult> ForRate(double rate)
    {
        var column = RateIndex(rate);
        return Enumerable.Range(0, LayerCount).Select(layer => _cells[layer, column]).ToList();
    }

    /// <summary>The index of a rate in <see cref="Rates"/>.</summary>
    public int RateIndex(double rate)
    {
        for (var i = 0; i < Rates.Count; i++)
        {
            if (Rates[i].Equals(rate))
                return i;
        }
        throw new ArgumentOutOfRangeException(nameof(rate), rate, $"rate {PythonRepr.Float(rate)} is not in the sensitivity table (rates {string.Join(", ", Rates.Select(PythonRepr.Float))})");
    }

    /// <summary>File and line a result came from, null for tables built from in-memory results.</summary>
    public SensitivitySource? SourceOf(int layer, double rate) => _sources[layer, RateIndex(rate)];

    /// <summary>Names a cell for messages: its file and line when known, else layer and rate.</summary>
    public string Describe(int layer, double rate) =>
        SourceOf(layer, rate)?.ToString() ?? $"layer {layer} at rate {PythonRepr.Float(rate)}";

    /// <summary>
    /// Builds and checks a table from results (any order). Rejects, with a one-line
    /// <see cref="SensitivityDataException"/>: a layer twice for one rate; layers missing for a rate (expected
    /// 0..max layer seen, or 0..<paramref name="expectedLayerCount"/>-1); per-class lists of different lengths or
    /// different evaluation image sizes (mixed models or runs); a layer whose parameter count or GFLOPs grows with
    /// the rate, which one model cannot produce (pruning more filters of a layer never adds any), except a result
    /// equal to the largest parameter count of the table (the paper leaves a layer unpruned when the rate would
    /// remove all its filters).
    /// </summary>
    public static SensitivityTable FromResults(IEnumerable<SensitivityResult> results, int? expectedLayerCount = null) =>
        Build(results.Select(r => (r, (SensitivitySource?)null)), expectedLayerCount, rateFiles: null);

    /// <summary>Shared by <see cref="FromResults"/> and the store (which knows files and lines).</summary>
    internal static SensitivityTable Build(
        IEnumerable<(SensitivityResult Result, SensitivitySource? Source)> entries,
        int? expectedLayerCount,
        IReadOnlyDictionary<double, string>? rateFiles)
    {
        var all = entries.ToList();
        if (all.Count == 0)
            throw new SensitivityDataException(SensitivityProblem.NotFound, RateLabel(rateFiles, null), null, "no sensitivity results; run the sensitivity analysis first");

        var rates = all.Select(e => e.Result.Rate).Distinct().Order().ToList();
        var byCell = new Dictionary<(int Layer, double Rate), (SensitivityResult Result, SensitivitySource? Source)>();
        var reference = all[0];
        foreach (var entry in all)
        {
            var (result, source) = entry;
            var where = Where(source, rateFiles, result);
            if (!byCell.TryAdd((result.Layer, result.Rate), entry))
            {
                var first = byCell[(result.Layer, result.Rate)].Source;
                throw Problem(SensitivityProblem.DuplicateLayer, where, $"layer {result.Layer} appears again at rate {PythonRepr.Float(result.Rate)}{(first is null ? "" : $" (first at line {first.Line})")}; keep one line per layer and rate");
            }
            if (result.PerClassMaps.Length != reference.Result.PerClassMaps.Length)
                throw Problem(SensitivityProblem.MixedModels, where, $"{result.PerClassMaps.Length} per-class mAPs where {Name(reference.Source, reference.Result)} has {reference.Result.PerClassMaps.Length}: the results come from models with different class counts; use one model's results");
            var t = result.Timing;
            var rt = reference.Result.Timing;
            if (t.ImageHeight != rt.ImageHeight || t.ImageWidth != rt.ImageWidth)
                throw Problem(SensitivityProblem.MixedModels, where, $"evaluated at {t.ImageHeight}x{t.ImageWidth} where {Name(reference.Source, reference.Result)} was evaluated at {rt.ImageHeight}x{rt.ImageWidth}; rerun the analysis at one image size");
        }

        var maxLayer = all.Max(e => e.Result.Layer);
        var layerCount = expectedLayerCount ?? maxLayer + 1;
        if (maxLayer >= layerCount)
        {
            var beyond = all.First(e => e.Result.Layer >= layerCount);
            throw Problem(SensitivityProblem.MixedModels, Where(beyond.Source, rateFiles, beyond.Result), $"layer {beyond.Result.Layer} but the model has {layerCount} prunable layers (0..{layerCount - 1}); use the results of this model");
        }

        var cells = new SensitivityResult[layerCount, rates.Count];
        var sources = new SensitivitySource?[layerCount, rates.Count];
        for (var column = 0; column < rates.Count; column++)
        {
            var rate = rates[column];
            var missing = Enumerable.Range(0, layerCount).Where(layer => !byCell.ContainsKey((layer, rate))).ToList();
            if (missing.Count > 0)
            {
                var list = missing.Count <= 12 ? string.Join(", ", missing) : string.Join(", ", missing.Take(12)) + $" and {missing.Count - 12} more";
                var present = expectedLayerCount is null
                    ? $"{layerCount - missing.Count} of layers 0..{layerCount - 1} present; the model's layer count is not known here"
                    : $"{layerCount - missing.Count} of {layerCount} present";
                throw new SensitivityDataException(SensitivityProblem.MissingLayers, RateLabel(rateFiles, rate), null,
                    $"layers {list} missing at rate {PythonRepr.Float(rate)} ({present}); rerun the sensitivity analysis for them");
            }
            for (var layer = 0; layer < layerCount; layer++)
                (cells[layer, column], sources[layer, column]) = byCell[(layer, rate)];
        }

        CheckCountsShrinkWithRate(cells, sources, rates, rateFiles);
        return new SensitivityTable(rates, cells, sources);
    }

    private static void CheckCountsShrinkWithRate(SensitivityResult[,] cells, SensitivitySource?[,] sources, List<double> rates, IReadOnlyDictionary<double, string>? rateFiles)
    {
        var unprunedParams = cells.Cast<SensitivityResult>().Max(r => r.Params);
        for (var layer = 0; layer < cells.GetLength(0); layer++)
        {
            for (var column = 1; column < rates.Count; column++)
            {
                var lower = cells[layer, column - 1];
                var higher = cells[layer, column];
                if (higher.Params == unprunedParams)
                    continue; // layer left unpruned at this rate (all filters would go)
                var grows = higher.Params > lower.Params ? $"{higher.Params} parameters" : higher.Gflops > lower.Gflops ? $"{PythonRepr.Float(higher.Gflops)} GFLOPs" : null;
                if (grows is null)
                    continue;
                var lowerCount = higher.Params > lower.Params ? $"{lower.Params}" : PythonRepr.Float(lower.Gflops);
                throw Problem(SensitivityProblem.MixedModels, Where(sources[layer, column], rateFiles, higher),
                    $"layer {layer} keeps {grows} at rate {PythonRepr.Float(higher.Rate)} but only {lowerCount} at rate {PythonRepr.Float(lower.Rate)} ({Name(sources[layer, column - 1], lower)}): the files come from different models; use one model's results");
            }
        }
    }

    private static (string Path, int? Line) Where(SensitivitySource? source, IReadOnlyDictionary<double, string>? rateFiles, SensitivityResult result) =>
        source is null ? (RateLabel(rateFiles, result.Rate), null) : (source.Path, source.Line);

    private static string Name(SensitivitySource? source, SensitivityResult result) =>
        source?.ToString() ?? $"layer {result.Layer} at rate {PythonRepr.Float(result.Rate)}";

    private static string RateLabel(IReadOnlyDictionary<double, string>? rateFiles, double? rate)
    {
        if (rate is { } r && rateFiles is not null && rateFiles.TryGetValue(r, out var path))
            return path;
        return rate is { } known ? $"sensitivity results at rate {PythonRepr.Float(known)}" : "sensitivity results";
    }

    private static SensitivityDataException Problem(SensitivityProblem problem, (string Path, int? Line) where, string message) =>
        new(problem, where.Path, where.Line, message);
}
