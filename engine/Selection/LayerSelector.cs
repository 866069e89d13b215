using PruneCluster.Engine.Sensitivity;

namespace PruneCluster.Engine.Selection;

/// <summary>
/// The paper's layer selection (layer_selection.py): from a sensitivity table, pick the layers (and the rate for
/// each) that remove the most parameters and the most GFLOPs for the least mAP loss.
/// </summary>
/// <remarks>
/// <para>For each criterion (parameters with --params-map, GFLOPs with --flops-map) and each (layer, rate):
/// score = (baseline − count left after pruning that layer at that rate) × mAP^k, where mAP is mAP@0.5:0.95. Each
/// layer's best score over the rates is its value, and the rate giving it (first best in the paper's file order,
/// i.e. ordinal order of the names output_{int(100·rate)}.txt) is its rate.</para>
/// <para>The paper then keeps the layers whose value exceeds best/frac for the first frac of its walk (see
/// <see cref="PaperThresholdSearch"/>) at which that number is --*-layers − 1 or --*-layers. Wherever that loop
/// ends, we return exactly its result, quirk included: it stores each kept layer as the index of the first
/// layer with an equal value, so two layers with identical values both map to the lower index.</para>
/// <para>Where the paper's loop never ends (ties that jump over the band, fewer positive scores than needed,
/// frac stepping onto 0), we use this deterministic rule instead: the --*-layers layers with the highest value
/// among those with a positive value, equal values ordered by lower layer index, listed in layer order (the
/// order the paper's list has). <see cref="CriterionSearch.PaperLoopEnds"/> tells which rule applied.</para>
/// <para>The two lists are merged like the paper's dict: GFLOPs picks first, labelled Flops; then each parameter
/// pick either turns an equal (layer, rate) into Both or is appended as Params. A layer picked at two different
/// rates (the paper's list then names it twice, and its prune.py would prune it twice, compounding the rates) is
/// merged into one row at the larger rate, labelled Both, at the place of its first pick, with
/// <see cref="SelectedLayer.MergedRate"/> set; so the list is one that prune, test, train and campaigns accept.</para>
/// <para>(layer, rate) pairs in <see cref="LayerSelectionOptions.Excluded"/> (prunings that changed nothing) are
/// never scored, so never picked.</para>
/// </remarks>
public static class LayerSelector
{
    /// <summary>Selects layers and rates; see the class remarks for the exact rule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative layer counts or exponents, non-finite baselines.</exception>
    /// <exception cref="SensitivityDataException">
    /// A result keeps more parameters than the baseline (or over 5 % more GFLOPs), i.e. the baseline is not this
    /// model's; or a result has a non-finite mAP or GFLOPs.
    /// </exception>
    public static LayerSelection Select(SensitivityTable table, LayerSelectionOptions options)
    {
        Validate(table, options);
        var paperRateOrder = PaperRateOrder(table);

        var excluded = options.Excluded?.ToHashSet() ?? [];
        var flops = Search("FLOPS", table, paperRateOrder, excluded, options.FlopsLayers, options.FlopsMap,
            r => options.BaselineGflops - r.Gflops);
        var parameters = Search("params", table, paperRateOrder, excluded, options.ParamsLayers, options.ParamsMap,
            r => (double)options.BaselineParams - r.Params);

        var order = new List<(int Layer, double Rate)>();
        var targets = new Dictionary<(int Layer, double Rate), SelectionTarget>();
        foreach (var pick in flops.Picks)
        {
            if (targets.TryAdd(pick, SelectionTarget.Flops))
                order.Add(pick);
        }
        foreach (var pick in parameters.Picks)
        {
            if (targets.TryAdd(pick, SelectionTarget.Params))
                order.Add(pick);
            else if (targets[pick] == SelectionTarget.Flops)
                targets[pick] = SelectionTarget.Both;
        }

        var rows = new List<SelectedLayer>();
        foreach (var pick in order)
        {
            var row = Row(table, options, pick, targets[pick]);
            var earlier = rows.FindIndex(r => r.Layer == pick.Layer);
            if (earlier < 0)
                rows.Add(row);
            else
            {
                var kept = rows[earlier].Rate >= row.Rate ? rows[earlier] : row;
                rows[earlier] = kept with { ChosenFor = SelectionTarget.Both, MergedRate = Math.Min(rows[earlier].Rate, row.Rate) };
            }
        }
        return new LayerSelection(rows, parameters, flops, options.BaselineParams, options.BaselineGflops);
    }

    private static SelectedLayer Row(SensitivityTable table, LayerSelectionOptions options, (int Layer, double Rate) pick, SelectionTarget target)
    {
        var result = table.Get(pick.Layer, pick.Rate);
        var paramsRemoved = options.BaselineParams - result.Params;
        var gflopsRemoved = options.BaselineGflops - result.Gflops;
        return new SelectedLayer(pick.Layer, pick.Rate, target, result.Map, paramsRemoved, gflopsRemoved,
            (double)paramsRemoved / options.BaselineParams, gflopsRemoved / options.BaselineGflops);
    }

    /// <summary>
    /// Column indices of the table in the order the paper reads its files: sorted(os.listdir()), i.e. ordinal order
    /// of output_{int(100·rate)}.txt (output_100 before output_25). It decides which rate wins a tie.
    /// </summary>
    private static int[] PaperRateOrder(SensitivityTable table) =>
        Enumerable.Range(0, table.Rates.Count)
            .OrderBy(i => $"output_{(long)(100 * table.Rates[i])}.txt", StringComparer.Ordinal)
            .ToArray();

    private static CriterionSearch Search(string criterion, SensitivityTable table, int[] rateOrder, HashSet<(int Layer, double Rate)> excluded, int wanted, double exponent, Func<SensitivityResult, double> reduction)
    {
        var layers = table.LayerCount;
        var bestScores = new double[layers];
        var bestColumns = new int[layers];
        var overall = double.NegativeInfinity;
        for (var layer = 0; layer < layers; layer++)
        {
            bestScores[layer] = double.NegativeInfinity;
            foreach (var column in rateOrder)
            {
                if (excluded.Contains((layer, table.Rates[column])))
                    continue;
                var result = table[layer, column];
                // Python: reduction * (map ** k); Math.Pow and Python's float pow both call the C library's pow.
                var score = reduction(result) * Math.Pow(result.Map, exponent);
                if (score > bestScores[layer])
                {
                    bestScores[layer] = score; // strict '>' keeps the first best, as numpy.argmax does
                    bestColumns[layer] = column;
                }
            }
            overall = Math.Max(overall, bestScores[layer]);
        }

        var frac = PaperThresholdSearch.BreakingFrac(bestScores, overall, wanted);
        IEnumerable<int> kept = frac is { } f ? PaperKept(bestScores, overall / f) : FallbackKept(bestScores, wanted);
        var picks = kept.Select(layer => (layer, table.Rates[bestColumns[layer]])).Distinct().ToList();
        return new CriterionSearch(criterion, wanted, exponent, picks, frac is not null, frac, overall);
    }

    /// <summary>The paper's <c>[max_val.index(v) for v in max_val if v &gt; max_p / frac]</c>, repeats included.</summary>
    private static IEnumerable<int> PaperKept(double[] bestScores, double threshold)
    {
        foreach (var score in bestScores)
        {
            if (score > threshold)
                yield return Array.IndexOf(bestScores, score);
        }
    }

    /// <summary>The documented rule when the paper's loop never ends (see the class remarks).</summary>
    private static IEnumerable<int> FallbackKept(double[] bestScores, int wanted) =>
        Enumerable.Range(0, bestScores.Length)
            .Where(layer => bestScores[layer] > 0)
            .OrderByDescending(layer => bestScores[layer])
            .ThenBy(layer => layer)
            .Take(Math.Max(wanted, 0))
            .Order();

    private static void Validate(SensitivityTable table, LayerSelectionOptions options)
    {
        if (options.ParamsLayers < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.ParamsLayers, "params-layers must be 0 or more");
        if (options.FlopsLayers < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.FlopsLayers, "flops-layers must be 0 or more");
        if (!double.IsFinite(options.ParamsMap) || options.ParamsMap < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.ParamsMap, "params-map must be a finite number ≥ 0");
        if (!double.IsFinite(options.FlopsMap) || options.FlopsMap < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.FlopsMap, "flops-map must be a finite number ≥ 0");
        if (options.BaselineParams <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.BaselineParams, "the baseline parameter count (--params) must be positive");
        if (!double.IsFinite(options.BaselineGflops) || options.BaselineGflops <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.BaselineGflops, "the baseline GFLOPs (--flops) must be a positive number");

        foreach (var rate in table.Rates)
        {
            for (var layer = 0; layer < table.LayerCount; layer++)
            {
                var result = table.Get(layer, rate);
                var where = table.SourceOf(layer, rate);
                if (!double.IsFinite(result.Map) || result.Map < 0 || !double.IsFinite(result.Gflops))
                    throw Problem(where, table.Describe(layer, rate), $"mAP {PythonRepr.Float(result.Map)} or GFLOPs {PythonRepr.Float(result.Gflops)} is not a usable number (mAP must be finite and ≥ 0); rerun the sensitivity analysis for this layer");
                if (result.Params > options.BaselineParams)
                    throw Problem(where, table.Describe(layer, rate), $"{result.Params} parameters remain after pruning layer {layer} at rate {PythonRepr.Float(rate)}, more than the baseline {options.BaselineParams}: the baseline (--params) is not the analysed model's unpruned count");
                // GFLOPs baselines are usually typed rounded (13.2), so only a clear excess means another model or image size.
                if (result.Gflops > options.BaselineGflops * 1.05)
                    throw Problem(where, table.Describe(layer, rate), $"{PythonRepr.Float(result.Gflops)} GFLOPs remain after pruning layer {layer} at rate {PythonRepr.Float(rate)}, over 5 % more than the baseline {PythonRepr.Float(options.BaselineGflops)}: the baseline (--flops) is not the analysed model's at this image size");
            }
        }
    }

    private static SensitivityDataException Problem(SensitivitySource? source, string description, string message) =>
        source is null
            ? new SensitivityDataException(SensitivityProblem.MixedModels, description, null, message)
            : new SensitivityDataException(SensitivityProblem.MixedModels, source.Path, source.Line, message);
}
