using System.Globalization;
using System.Text;
using PruneCluster.Engine.Checkpoints;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// A sensitivity-analysis folder: the paper's <c>output_*.txt</c> files plus <c>analysis.json</c>
/// (<see cref="SensitivityRecord"/>), which says what every line was measured with. One folder holds one analysis:
/// a run whose settings differ from the record is refused (<see cref="CheckResumable"/>) unless the old files are
/// first moved aside (<see cref="MoveAside"/>).
/// </summary>
public sealed class SensitivityFolder(string directory)
{
    /// <summary>The folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>Path of <c>analysis.json</c>.</summary>
    public string RecordPath => Path.Combine(Directory, SensitivityRecord.FileName);

    /// <summary>The record, or null when the folder has none (a folder made before records, or by the paper's code).</summary>
    /// <exception cref="SensitivityDataException">The record cannot be read.</exception>
    public SensitivityRecord? ReadRecord() =>
        File.Exists(RecordPath) ? SensitivityRecord.Parse(File.ReadAllText(RecordPath), RecordPath) : null;

    /// <summary>Replaces the record atomically.</summary>
    public void WriteRecord(SensitivityRecord record) =>
        AtomicFile.Write(RecordPath, stream => stream.Write(Encoding.UTF8.GetBytes(record.ToJson())));

    /// <summary>The folder's <c>output_*.txt</c> result files.</summary>
    public IReadOnlyList<string> ResultFiles() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory, "output_*.txt").Where(f => SensitivityFile.RateFromFileName(f) is not null).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// Checks that a run measured with <paramref name="identity"/> may add to this folder and returns its record
    /// (null for a new or empty folder).
    /// </summary>
    /// <exception cref="SensitivityDataException">
    /// <see cref="SensitivityProblem.OtherSettings"/> naming every difference, or <see cref="SensitivityProblem.Unrecorded"/>
    /// for results without a record; both say how to go on.
    /// </exception>
    public SensitivityRecord? CheckResumable(SensitivityIdentity identity)
    {
        var record = ReadRecord();
        if (record is null)
        {
            if (ResultFiles().Count > 0)
                throw new SensitivityDataException(SensitivityProblem.Unrecorded, Directory, null,
                    $"holds output_*.txt files but no {SensitivityRecord.FileName} (made by the paper's code or an older prunecluster), so nothing tells what they were measured with; use another --out, or --restart to move them aside");
            return null;
        }
        var differences = record.Identity.Differences(identity);
        if (differences.Count > 0)
            throw new SensitivityDataException(SensitivityProblem.OtherSettings, Directory, null,
                $"holds an analysis measured with other settings (folder → this run: {string.Join("; ", differences)}); rerun with its settings to resume it, use another --out, or --restart to move its files aside");
        return record;
    }

    /// <summary>
    /// Moves the analysis files (results, record, reports, plots) into a new subfolder <c>previous-YYYYMMDD-HHMMSS</c>
    /// so a new analysis can start here without losing finished work; returns that subfolder, or null when there
    /// was nothing to move.
    /// </summary>
    public string? MoveAside(IEnumerable<string> reportNames)
    {
        if (!System.IO.Directory.Exists(Directory))
            return null;
        var names = new[] { SensitivityRecord.FileName }.Concat(reportNames).ToHashSet(StringComparer.Ordinal);
        var files = ResultFiles().Concat(System.IO.Directory.EnumerateFiles(Directory).Where(f => names.Contains(Path.GetFileName(f)))).Distinct().ToList();
        if (files.Count == 0)
            return null;
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var target = Path.Combine(Directory, $"previous-{stamp}");
        for (var n = 2; System.IO.Directory.Exists(target); n++)
            target = Path.Combine(Directory, $"previous-{stamp}-{n}");
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in files)
            File.Move(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    /// <summary>Every result line of the folder, whatever its layers and rates (a partial analysis is fine).</summary>
    /// <exception cref="SensitivityDataException">A file cannot be read.</exception>
    public Dictionary<(int Layer, double Rate), SensitivityResult> ReadResults()
    {
        var results = new Dictionary<(int, double), SensitivityResult>();
        foreach (var file in ResultFiles())
        {
            foreach (var result in SensitivityFile.Read(file))
                results[(result.Layer, result.Rate)] = result;
        }
        return results;
    }
}
