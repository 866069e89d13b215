namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// A folder of sensitivity files (<c>output_{int(100·rate)}.txt</c>, one per rate) as the paper's test.py leaves
/// them and its layer_selection.py reads them. Other files are ignored (the paper also reads any NAME_DIGITS file
/// whose NAME is not "test"; we only take the names test.py writes).
/// </summary>
public sealed class SensitivityStore(string directory)
{
    /// <summary>The folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>The sensitivity files of the folder, ordered as the paper lists them (ordinal file-name order).</summary>
    public IReadOnlyList<string> Files()
    {
        if (!System.IO.Directory.Exists(Directory))
            throw new SensitivityDataException(SensitivityProblem.NotFound, Directory, null, "folder not found; pass the folder that holds the output_*.txt files of the sensitivity analysis");
        return new SensitivityFolder(Directory).ResultFiles();
    }

    /// <summary>Writes one rate's results (atomically) into the folder; see <see cref="SensitivityFile.Write"/>.</summary>
    public string Save(double rate, IEnumerable<SensitivityResult> results) => SensitivityFile.Write(Directory, rate, results);

    /// <summary>The folder's <c>analysis.json</c>, or null for a folder without one (the paper's, or an older prunecluster's).</summary>
    public SensitivityRecord? Record() => new SensitivityFolder(Directory).ReadRecord();

    /// <summary>
    /// The image size the lines were measured at (each line's timing tuple records it), so baselines can be taken at
    /// the same size.
    /// </summary>
    /// <exception cref="SensitivityDataException">No files, an unparsable line, or lines measured at different sizes.</exception>
    public int ImageSize()
    {
        var entries = Entries(out _);
        var first = entries[0];
        foreach (var (result, source) in entries)
        {
            if (result.Timing.ImageHeight != first.Result.Timing.ImageHeight || result.Timing.ImageWidth != first.Result.Timing.ImageWidth)
                throw new SensitivityDataException(SensitivityProblem.MixedModels, source!.Path, source.Line,
                    $"measured at img {result.Timing.ImageHeight} where {first.Source} was measured at img {first.Result.Timing.ImageHeight}: the folder mixes runs; keep one run's files");
        }
        return first.Result.Timing.ImageHeight;
    }

    /// <summary>
    /// Loads every sensitivity file into a checked layer × rate table. <paramref name="expectedLayerCount"/> (55 for
    /// yolov7-tiny, 89 for yolov7; default: the record's) makes missing trailing layers an error too. With a record,
    /// every file's rate must be one of its rates and every line must have its image and batch size and at most its
    /// unpruned parameter count.
    /// </summary>
    /// <exception cref="SensitivityDataException">
    /// No files, an unparsable line, two files for one rate, lines that disagree with the record, or the table
    /// checks of <see cref="SensitivityTable.FromResults"/>; the message names the file and line.
    /// </exception>
    public SensitivityTable Load(int? expectedLayerCount = null)
    {
        var record = Record();
        var entries = Entries(out var rateFiles);
        if (record is not null)
            CheckAgainst(record, entries, rateFiles);
        return SensitivityTable.Build(entries, expectedLayerCount ?? record?.PrunableLayers, rateFiles);
    }

    private List<(SensitivityResult Result, SensitivitySource? Source)> Entries(out Dictionary<double, string> rateFiles)
    {
        var files = Files();
        if (files.Count == 0)
            throw new SensitivityDataException(SensitivityProblem.NotFound, Directory, null, "no output_*.txt sensitivity files; run the sensitivity analysis (or pass the folder holding its output)");

        var entries = new List<(SensitivityResult, SensitivitySource?)>();
        rateFiles = new Dictionary<double, string>();
        foreach (var file in files)
        {
            var rate = SensitivityFile.RateFromFileName(file)!.Value;
            if (!rateFiles.TryAdd(rate, file))
                throw new SensitivityDataException(SensitivityProblem.DuplicateRate, file, null, $"rate {PythonRepr.Float(rate)} is already given by {Path.GetFileName(rateFiles[rate])}; keep one file per rate");
            entries.AddRange(SensitivityFile.ReadWithLineNumbers(file)
                .Select(entry => (entry.Result, (SensitivitySource?)new SensitivitySource(file, entry.Line))));
        }
        if (entries.Count == 0)
            throw new SensitivityDataException(SensitivityProblem.NotFound, Directory, null, "the output_*.txt files hold no results; run the sensitivity analysis first");
        return entries;
    }

    private static void CheckAgainst(SensitivityRecord record, List<(SensitivityResult Result, SensitivitySource? Source)> entries, Dictionary<double, string> rateFiles)
    {
        const string Fix = "the folder mixes runs; move the file out or rerun the analysis into a new --out";
        foreach (var (rate, file) in rateFiles)
        {
            if (!record.Rates.Contains(rate))
                throw new SensitivityDataException(SensitivityProblem.MixedModels, file, null, $"rate {PythonRepr.Float(rate)} is not one of the rates {SensitivityRecord.FileName} records ({string.Join(", ", record.Rates.Select(PythonRepr.Float))}): {Fix}");
        }
        var identity = record.Identity;
        foreach (var (result, source) in entries)
        {
            var t = result.Timing;
            string? problem = t.ImageHeight != identity.Img || t.ImageWidth != identity.Img ? $"measured at img {t.ImageHeight}x{t.ImageWidth} but {SensitivityRecord.FileName} records img {identity.Img}"
                : t.BatchSize != identity.Batch ? $"measured with batch {t.BatchSize} but {SensitivityRecord.FileName} records batch {identity.Batch}"
                : record.Baseline is { } baseline && result.Params > baseline.ParamsFused ? $"{result.Params} parameters, more than the unpruned model's {baseline.ParamsFused} that {SensitivityRecord.FileName} records"
                : result.Layer >= record.PrunableLayers ? $"layer {result.Layer}, but the model {SensitivityRecord.FileName} records has {record.PrunableLayers} prunable layers"
                : null;
            if (problem is not null)
                throw new SensitivityDataException(SensitivityProblem.MixedModels, source!.Path, source.Line, $"{problem}: {Fix}");
        }
    }
}
