using Xunit;
using PruneCluster.Engine.Sensitivity;

namespace PruneCluster.Tests.Selection;

public sealed class SensitivityFileTests
{
    [Fact]
    public void GoldenFilesParseWithOneResultPerLayerAndTheRateFromTheirName()
    {
        foreach (var file in GoldenSensitivity.Files)
        {
            var results = SensitivityFile.Read(file);
            var dataLines = File.ReadAllLines(file).Count(line => line.StartsWith('('));
            Assert.Equal(dataLines, results.Count);
            Assert.Equal(Enumerable.Range(0, dataLines), results.Select(r => r.Layer));
            Assert.All(results, r => Assert.Equal(SensitivityFile.RateFromFileName(file), r.Rate));
            Assert.All(results, r => Assert.Equal(results[0].PerClassMaps.Length, r.PerClassMaps.Length));
            Assert.All(results, r => Assert.InRange(r.Map, 0, 1));
        }
    }

    [Fact]
    public void RewritingAGoldenFileFromItsParsedContentsIsByteIdentical()
    {
        foreach (var file in GoldenSensitivity.Files)
        {
            var original = File.ReadAllBytes(file);
            var rewritten = System.Text.Encoding.ASCII.GetBytes(SensitivityFile.Format(SensitivityFile.Read(file)));
            Assert.Equal(original, rewritten);
        }
    }

    [Fact]
    public void WriteThenReadReturnsEqualResultsAndTheGoldenBytesUnderTheSameName()
    {
        using var folder = new TempFolder();
        foreach (var file in GoldenSensitivity.Files)
        {
            var results = SensitivityFile.Read(file);
            var rate = results[0].Rate;
            var written = SensitivityFile.Write(folder.Path, rate, results.Reverse());
            Assert.Equal(Path.GetFileName(file), Path.GetFileName(written));
            Assert.Equal(results, SensitivityFile.Read(written));
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(written));
        }
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(folder.Path, ".*")));
    }

    [Fact]
    public void UnusualNumbersRoundTripThroughTheFileFormat()
    {
        using var folder = new TempFolder();
        var timing = new SensitivityTiming(1e-05, 12345678901234567.0, 0.0, 320, 640, 1);
        var results = new[]
        {
            new SensitivityResult(0, 0.1, 0.1 + 0.2, 1e-300, 5e-324, double.Epsilon * 3, [double.NaN, double.PositiveInfinity, -0.0, 1.0], timing, 0, 1e16),
            new SensitivityResult(1, 0.1, 1.0 / 3, 2.0 / 3, 0.0001, 0.00001, [], timing, long.MaxValue, 123456789.125),
        };
        var path = SensitivityFile.Write(folder.Path, 0.1, results);
        Assert.Equal("output_10.txt", Path.GetFileName(path));
        var back = SensitivityFile.Read(path);
        Assert.Equal(results, back);
        Assert.Equal(File.ReadAllText(path), SensitivityFile.Format(back));
    }

    [Fact]
    public void NumbersAreWrittenInPythonReprStyle()
    {
        // Python's repr rules: exponent form below 1e-4 and from 1e16 on, two exponent digits, '.0' on whole numbers.
        Assert.Equal("1e-05", PythonRepr.Float(0.00001));
        Assert.Equal("0.0001", PythonRepr.Float(0.0001));
        Assert.Equal("1e+16", PythonRepr.Float(1e16));
        Assert.Equal("1000000000000000.0", PythonRepr.Float(1e15));
        Assert.Equal("1.5e-07", PythonRepr.Float(1.5e-7));
        Assert.Equal("0.30000000000000004", PythonRepr.Float(0.1 + 0.2));
        Assert.Equal("5e-324", PythonRepr.Float(double.Epsilon));
        Assert.Equal("1.7976931348623157e+308", PythonRepr.Float(double.MaxValue));
        Assert.Equal("640.0", PythonRepr.Float(640));
        Assert.Equal("-0.0", PythonRepr.Float(-0.0));
        Assert.Equal("inf", PythonRepr.Float(double.PositiveInfinity));
        Assert.Equal("nan", PythonRepr.Float(double.NaN));
        Assert.Equal("0.75", PythonRepr.Float(75 / 100.0));
    }

    [Fact]
    public void FileNameRoundsToWholePercentsAndRejectsRatesItCannotName()
    {
        Assert.Equal("output_25.txt", SensitivityFile.FileName(0.25));
        Assert.Equal("output_7.txt", SensitivityFile.FileName(0.07));
        // 100 * 0.29 is 28.999… in doubles: rounding names it output_29.txt, which reads back as 0.29.
        Assert.Equal("output_29.txt", SensitivityFile.FileName(0.29));
        Assert.Equal(0.29, SensitivityFile.RateFromFileName("/x/output_29.txt"));
        // 0.333 has no file name that reads back as 0.333.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SensitivityFile.FileName(0.333));
        Assert.Contains("output_33.txt", error.Message);
        Assert.NotNull(SensitivityFile.CheckRate(1.0));
        Assert.NotNull(SensitivityFile.CheckRate(0));
        Assert.Equal(0.75, SensitivityFile.RateFromFileName("/x/output_75.txt"));
        Assert.Null(SensitivityFile.RateFromFileName("/x/test_75.txt"));
    }

    [Fact]
    public void GarbageLineIsReportedWithFileAndLineNumber()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        var path = folder.File("output_50.txt");
        GoldenSensitivity.ReplaceLine(path, 7, line => line.Replace("), ", ") oops "));
        var error = Assert.Throws<SensitivityDataException>(() => SensitivityFile.Read(path));
        Assert.Equal(SensitivityProblem.Unparsable, error.Problem);
        Assert.Equal(7, error.Line);
        Assert.StartsWith($"{path}:7: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void UnfinishedAndTwiceAppendedFilesAreRejected()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        var unfinished = folder.File("output_25.txt");
        var text = File.ReadAllText(unfinished);
        File.WriteAllText(unfinished, text[..text.LastIndexOf(']')]);
        Assert.Contains("did not finish", Assert.Throws<SensitivityDataException>(() => SensitivityFile.Read(unfinished)).Message);

        var appended = folder.File("output_50.txt");
        var once = File.ReadAllText(appended);
        File.WriteAllText(appended, once + once);
        var error = Assert.Throws<SensitivityDataException>(() => SensitivityFile.Read(appended));
        Assert.Equal(once.Split('\n').Length, error.Line);
        Assert.Contains("second '['", error.Message);
    }

    [Fact]
    public void WriteRejectsResultsOfAnotherRateAndRepeatedLayers()
    {
        using var folder = new TempFolder();
        var results = SensitivityFile.Read(GoldenSensitivity.Files.First()).ToList();
        Assert.Throws<ArgumentException>(() => SensitivityFile.Write(folder.Path, results[0].Rate + 0.25, results));
        Assert.Throws<ArgumentException>(() => SensitivityFile.Write(folder.Path, results[0].Rate, results.Append(results[3])));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }
}
