using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// The paper's sensitivity-analysis file (test.py, task <c>pruning_sensitivity_analysis</c>): one file per rate named
/// <c>output_{int(100·rate)}.txt</c>, a <c>[</c> line, one line per pruned layer
/// <c>(i, (mp, mr, map50, map, [maps], (t_inf, t_nms, t_total, img, img, batch), params, gflops)),</c>, a <c>]</c> line.
/// Numbers are written as Python prints them, so a file we write is byte-identical to the one the paper's code
/// would write for the same values, and its layer_selection.py can read ours.
/// </summary>
public static partial class SensitivityFile
{
    private const string LineShape =
        "(i, (mp, mr, map50, map, [maps], (t_inf, t_nms, t_total, img, img, batch), params, gflops)),";

    /// <summary>
    /// The file name for a rate: <c>output_{round(100·rate)}.txt</c>. The paper writes <c>int(100·rate)</c>, the same
    /// for its rates 0.25/0.5/0.75; rounding also keeps rates like 0.29 (100·0.29 = 28.999…) on their own name. The
    /// paper's layer_selection.py reads the rate back as int(digits)/100, the only place the format keeps it, so
    /// valid rates are the whole percents 0.01 … 0.99; others (0.333) are rejected (see <see cref="CheckRate"/>).
    /// </summary>
    public static string FileName(double rate)
    {
        if (CheckRate(rate) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(rate), rate, problem);
        return $"output_{(long)Math.Round(100 * rate)}.txt";
    }

    /// <summary>Why <paramref name="rate"/> cannot be a sensitivity rate, or null when it can (see <see cref="FileName"/>).</summary>
    public static string? CheckRate(double rate)
    {
        if (!double.IsFinite(rate) || rate <= 0 || rate >= 1)
            return $"pruning rate {PythonRepr.Float(rate)} is not between 0 and 1; use a rate such as 0.25";
        var percent = (long)Math.Round(100 * rate);
        if (percent / 100.0 != rate)
            return $"pruning rate {PythonRepr.Float(rate)} is not a whole percent: the sensitivity files carry the rate only in their name, output_{percent}.txt, which reads back as {PythonRepr.Float(percent / 100.0)}; use whole percents such as 0.33";
        return null;
    }

    /// <summary>
    /// The rate a file name carries (<c>output_25.txt</c> → 0.25, computed as the paper does: int(digits) / 100),
    /// or null when the name is not <c>output_DIGITS.txt</c>.
    /// </summary>
    public static double? RateFromFileName(string path)
    {
        var match = OutputFileName().Match(Path.GetFileName(path));
        if (!match.Success || !long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            return null;
        return percent / 100.0;
    }

    /// <summary>
    /// Writes the results of one rate to <c>dir/output_{int(100·rate)}.txt</c>, replacing the file atomically
    /// (temporary file in the same folder, then rename) so a reader never sees half a file. Lines are ordered by
    /// layer index because the paper's layer_selection.py takes a line's position as its layer index.
    /// </summary>
    /// <returns>The path of the written file.</returns>
    public static string Write(string dir, double rate, IEnumerable<SensitivityResult> results)
    {
        var name = FileName(rate);
        var ordered = results.OrderBy(r => r.Layer).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (!ordered[i].Rate.Equals(rate))
                throw new ArgumentException($"result for layer {ordered[i].Layer} has rate {PythonRepr.Float(ordered[i].Rate)} but is written to {name} (rate {PythonRepr.Float(rate)}); write each rate's results to its own file", nameof(results));
            if (i > 0 && ordered[i].Layer == ordered[i - 1].Layer)
                throw new ArgumentException($"layer {ordered[i].Layer} appears twice in the results for {name}; pass one result per layer", nameof(results));
        }

        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        // The temporary name starts with a dot and ends in .tmp so neither our store nor the paper's reader
        // (which wants NAME_DIGITS) mistakes it for a result file.
        var temp = Path.Combine(dir, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                var bytes = Encoding.ASCII.GetBytes(Format(ordered));
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
        return path;
    }

    /// <summary>Reads a file written by the paper's test.py or by <see cref="Write"/>; the rate comes from its name.</summary>
    /// <exception cref="SensitivityDataException">Missing file, bad name, broken frame or unparsable line.</exception>
    public static IReadOnlyList<SensitivityResult> Read(string path) =>
        ReadWithLineNumbers(path).Select(entry => entry.Result).ToList();

    /// <summary><see cref="Read"/> with line numbers, for the store's messages.</summary>
    internal static List<(SensitivityResult Result, int Line)> ReadWithLineNumbers(string path)
    {
        if (!File.Exists(path))
            throw new SensitivityDataException(SensitivityProblem.NotFound, path, null, "file not found; run the sensitivity analysis first or fix the path");
        var rate = RateFromFileName(path)
            ?? throw new SensitivityDataException(SensitivityProblem.BadFileName, path, null, "name does not carry a rate; sensitivity files are named output_{int(100*rate)}.txt, e.g. output_25.txt");
        return ParseWithLineNumbers(File.ReadAllText(path), rate, path);
    }

    /// <summary>The whole file text for these results, in the given order.</summary>
    public static string Format(IEnumerable<SensitivityResult> results)
    {
        var text = new StringBuilder("[\n");
        foreach (var result in results)
            text.Append(FormatLine(result)).Append('\n');
        return text.Append("]\n").ToString();
    }

    /// <summary>One result line without its newline, exactly as the paper's f-string prints it.</summary>
    public static string FormatLine(SensitivityResult r)
    {
        var t = r.Timing;
        var maps = string.Join(", ", r.PerClassMaps.Select(PythonRepr.Float));
        return $"({r.Layer}, ({F(r.Mp)}, {F(r.Mr)}, {F(r.Map50)}, {F(r.Map)}, [{maps}], " +
               $"({F(t.InferenceMs)}, {F(t.NmsMs)}, {F(t.TotalMs)}, {t.ImageHeight}, {t.ImageWidth}, {t.BatchSize}), " +
               $"{PythonRepr.Int(r.Params)}, {F(r.Gflops)})),";

        static string F(double value) => PythonRepr.Float(value);
    }

    /// <summary>
    /// Parses a whole file's text. <paramref name="source"/> names the file in error messages.
    /// Accepts blank lines around the frame; rejects a second <c>[</c> block (the paper appends on a re-run).
    /// </summary>
    public static IReadOnlyList<SensitivityResult> Parse(string text, double rate, string source) =>
        ParseWithLineNumbers(text, rate, source).Select(entry => entry.Result).ToList();

    /// <summary><see cref="Parse"/> that also returns each result's 1-based line number.</summary>
    internal static List<(SensitivityResult Result, int Line)> ParseWithLineNumbers(string text, double rate, string source)
    {
        var results = new List<(SensitivityResult Result, int Line)>();
        var lines = text.Split('\n');
        var opened = false;
        var closedAt = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
                continue;
            if (closedAt > 0)
            {
                var what = trimmed == "[" ? $"a second '[' block after the ']' of line {closedAt} (the paper's test.py appends when re-run)" : $"text after the closing ']' of line {closedAt}";
                throw new SensitivityDataException(SensitivityProblem.Unparsable, source, lineNumber, $"{what}; keep exactly one [ ... ] block per file");
            }
            if (!opened)
            {
                if (trimmed != "[")
                    throw new SensitivityDataException(SensitivityProblem.Unparsable, source, lineNumber, "expected the opening '[' line; a sensitivity file starts with '[' and ends with ']'");
                opened = true;
                continue;
            }
            if (trimmed == "]")
            {
                closedAt = lineNumber;
                continue;
            }
            results.Add((ParseLine(line, rate, source, lineNumber), lineNumber));
        }
        if (!opened)
            throw new SensitivityDataException(SensitivityProblem.Unparsable, source, null, "empty file; rerun the sensitivity analysis for this rate");
        if (closedAt == 0)
            throw new SensitivityDataException(SensitivityProblem.Unparsable, source, lines.Length, "no closing ']' line: the sensitivity analysis for this rate did not finish; rerun it");
        return results;
    }

    /// <summary>Parses one result line (see <see cref="FormatLine"/>); the trailing comma is optional.</summary>
    public static SensitivityResult ParseLine(string line, double rate, string source, int lineNumber)
    {
        var cursor = new LineCursor(line, source, lineNumber, LineShape);
        cursor.Expect('(');
        var layer = (int)cursor.Int("layer index", int.MaxValue);
        cursor.Expect(',');
        cursor.Expect('(');
        var mp = cursor.Float("mp");
        cursor.Expect(',');
        var mr = cursor.Float("mr");
        cursor.Expect(',');
        var map50 = cursor.Float("map50");
        cursor.Expect(',');
        var map = cursor.Float("map");
        cursor.Expect(',');
        var maps = cursor.FloatList("per-class maps");
        cursor.Expect(',');
        cursor.Expect('(');
        var tInf = cursor.Float("t_inf");
        cursor.Expect(',');
        var tNms = cursor.Float("t_nms");
        cursor.Expect(',');
        var tTotal = cursor.Float("t_total");
        cursor.Expect(',');
        var height = (int)cursor.Int("image height", int.MaxValue);
        cursor.Expect(',');
        var width = (int)cursor.Int("image width", int.MaxValue);
        cursor.Expect(',');
        var batch = (int)cursor.Int("batch size", int.MaxValue);
        cursor.Expect(')');
        cursor.Expect(',');
        var parameters = cursor.Int("params", long.MaxValue);
        cursor.Expect(',');
        var gflops = cursor.Float("gflops");
        cursor.Expect(')');
        cursor.Expect(')');
        cursor.OptionalTrailingComma();
        cursor.ExpectEnd();
        return new SensitivityResult(layer, rate, mp, mr, map50, map, maps, new SensitivityTiming(tInf, tNms, tTotal, height, width, batch), parameters, gflops);
    }

    [GeneratedRegex(@"^output_([0-9]+)\.txt$")]
    private static partial Regex OutputFileName();
}
