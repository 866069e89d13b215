using PruneCluster.Engine.Sensitivity;
using Xunit;

namespace PruneCluster.Tests.Selection;

public sealed class SensitivityStoreTests
{
    [Fact]
    public void GoldenFolderLoadsIntoACompleteLayerByRateTable()
    {
        var table = new SensitivityStore(GoldenSensitivity.Dir).Load();
        var files = GoldenSensitivity.Files.ToList();
        Assert.Equal(files.Select(f => SensitivityFile.RateFromFileName(f)!.Value).Order(), table.Rates);
        var first = SensitivityFile.Read(files[0]);
        Assert.Equal(first.Count, table.LayerCount);
        Assert.Equal(first[0].PerClassMaps.Length, table.ClassCount);
        Assert.Equal(first[7], table.Get(7, first[7].Rate));
        Assert.Equal(new SensitivitySource(files[0], 9), table.SourceOf(7, first[7].Rate));
    }

    [Fact]
    public void ExpectedLayerCountTurnsMissingTrailingLayersIntoAnError()
    {
        var layers = new SensitivityStore(GoldenSensitivity.Dir).Load().LayerCount;
        Assert.Equal(layers, new SensitivityStore(GoldenSensitivity.Dir).Load(layers).LayerCount);
        var error = Assert.Throws<SensitivityDataException>(() => new SensitivityStore(GoldenSensitivity.Dir).Load(layers + 1));
        Assert.Equal(SensitivityProblem.MissingLayers, error.Problem);
        Assert.Contains($"layers {layers} missing", error.Message);
    }

    [Fact]
    public void MissingLayerLineIsReportedForItsFile()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        var path = folder.File("output_50.txt");
        GoldenSensitivity.ReplaceLine(path, 12, _ => null); // layer 10
        var error = Assert.Throws<SensitivityDataException>(() => new SensitivityStore(folder.Path).Load());
        Assert.Equal(SensitivityProblem.MissingLayers, error.Problem);
        Assert.Equal(path, error.Path);
        Assert.Contains("layers 10 missing", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void DuplicateLayerLineIsReportedWithItsLineNumber()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        var path = folder.File("output_75.txt");
        var layer3 = File.ReadAllLines(path)[4];
        GoldenSensitivity.ReplaceLine(path, 6, line => line + "\n" + layer3); // layer 3 again as line 7
        var error = Assert.Throws<SensitivityDataException>(() => new SensitivityStore(folder.Path).Load());
        Assert.Equal(SensitivityProblem.DuplicateLayer, error.Problem);
        Assert.Equal(path, error.Path);
        Assert.Equal(7, error.Line);
        Assert.Contains("first at line 5", error.Message);
    }

    [Fact]
    public void DifferentPerClassListLengthsAreReportedAsMixedModels()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        var path = folder.File("output_75.txt");
        GoldenSensitivity.ReplaceLine(path, 20, line => line.Replace("[", "[0.5, "));
        var error = Assert.Throws<SensitivityDataException>(() => new SensitivityStore(folder.Path).Load());
        Assert.Equal(SensitivityProblem.MixedModels, error.Problem);
        Assert.Equal((path, 20), (error.Path, error.Line));
        Assert.Contains("per-class", error.Message);
    }

    [Fact]
    public void ParameterCountsOfAnotherModelAreReportedAsMixedModels()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        // Rate 0.75 from a larger model: each layer keeps more parameters than at rate 0.5, which one model cannot do.
        var path = folder.File("output_75.txt");
        var bigger = SensitivityFile.Read(path).Select(r => r with { Params = r.Params + 1_000_000 });
        SensitivityFile.Write(folder.Path, 0.75, bigger);
        var error = Assert.Throws<SensitivityDataException>(() => new SensitivityStore(folder.Path).Load());
        Assert.Equal(SensitivityProblem.MixedModels, error.Problem);
        Assert.Equal(path, error.Path);
        Assert.NotNull(error.Line);
        Assert.Contains("different models", error.Message);
    }

    [Fact]
    public void GarbageLineInTheFolderIsReportedWithFileAndLine()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        var path = folder.File("output_25.txt");
        GoldenSensitivity.ReplaceLine(path, 30, _ => "Traceback (most recent call last):");
        var error = Assert.Throws<SensitivityDataException>(() => new SensitivityStore(folder.Path).Load());
        Assert.Equal(SensitivityProblem.Unparsable, error.Problem);
        Assert.Equal((path, 30), (error.Path, error.Line));
    }

    [Fact]
    public void EmptyOrMissingFolderIsReported()
    {
        using var folder = new TempFolder();
        Assert.Equal(SensitivityProblem.NotFound, Assert.Throws<SensitivityDataException>(() => new SensitivityStore(folder.Path).Load()).Problem);
        Assert.Equal(SensitivityProblem.NotFound, Assert.Throws<SensitivityDataException>(() => new SensitivityStore(folder.File("nope")).Load()).Problem);
    }

    [Fact]
    public void TwoFilesForOneRateAreReported()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        File.Copy(folder.File("output_25.txt"), folder.File("output_025.txt"));
        var error = Assert.Throws<SensitivityDataException>(() => new SensitivityStore(folder.Path).Load());
        Assert.Equal(SensitivityProblem.DuplicateRate, error.Problem);
    }

    [Fact]
    public void InMemoryResultsBuildTheSameTableAsTheFiles()
    {
        var fromFiles = new SensitivityStore(GoldenSensitivity.Dir).Load();
        var fromResults = SensitivityTable.FromResults(GoldenSensitivity.Files.SelectMany(SensitivityFile.Read).Reverse());
        Assert.Equal(fromFiles.Rates, fromResults.Rates);
        foreach (var rate in fromFiles.Rates)
            Assert.Equal(fromFiles.ForRate(rate), fromResults.ForRate(rate));
        Assert.Null(fromResults.SourceOf(0, fromResults.Rates[0]));
    }
}
