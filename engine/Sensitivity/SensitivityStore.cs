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
        return System.IO.Directory.EnumerateFiles(Directory, "output_*.txt")
            .Where(path => SensitivityFile.RateFromFileName(path) is not null)
            .OrderBy(path => Path.GetFileName(path), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Writes one rate's results (atomically) into the folder; see <see cref="SensitivityFile.Write"/>.</summary>
    public string Save(double rate, IEnumerable<SensitivityResult> results) => SensitivityFile.Write(Directory, rate, results);

    /// <summary>
    /// Loads every sensitivity file into a checked layer × rate table; <paramref name="expectedLayerCount"/>
    /// (55 for yolov7-tiny, 89 for yolov7) makes missing trailing layers an error too.
    /// </summary>
    /// <exception cref="SensitivityDataException">
    /// No files, an unparsable line, two files for one rate, or the table checks of
    /// <see cref="SensitivityTable.FromResults"/>; the message names the file and line.
    /// </exception>
    public SensitivityTable Load(int? expectedLayerCount = null)
    {
        var files = Files();
        if (files.Count == 0)
            throw new SensitivityDataException(SensitivityProblem.NotFound, Directory, null, "no output_*.txt sensitivity files; run the sensitivity analysis (or pass the folder holding its output)");

        var entries = new List<(SensitivityResult, SensitivitySource?)>();
        var rateFiles = new Dictionary<double, string>();
        foreach (var file in files)
        {
            var rate = SensitivityFile.RateFromFileName(file)!.Value;
            if (!rateFiles.TryAdd(rate, file))
                throw new SensitivityDataException(SensitivityProblem.DuplicateRate, file, null, $"rate {PythonRepr.Float(rate)} is already given by {Path.GetFileName(rateFiles[rate])}; keep one file per rate");
            entries.AddRange(SensitivityFile.ReadWithLineNumbers(file)
                .Select(entry => (entry.Result, (SensitivitySource?)new SensitivitySource(file, entry.Line))));
        }
        return SensitivityTable.Build(entries, expectedLayerCount, rateFiles);
    }
}
