using System.Text;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Sensitivity;

/// <summary>What a sensitivity folder records and how it refuses to mix analyses; the digests that identify model and data.</summary>
public sealed class SensitivityFolderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prunecluster-sfolder-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static readonly SensitivityIdentity Identity = new(new string('a', 64), new string('b', 64), 320, 16, 0.001, 0.65, 0, 0, "stored");

    private static SensitivityRecord Record(SensitivityIdentity identity) => new(SensitivityRecord.CurrentFormat, SensitivityRecord.CurrentToolVersion,
        "m.pt", "d.yaml", identity, [0.25, 0.5], 55, new SensitivityBaseline(0.5, 0.5, 0.6, 0.4, 100, 90, 1.5), [new SensitivityNoOp(0, 0.5, 2)]);

    [Fact]
    public void FileDigestIsTheSha256OfTheBytes()
    {
        var path = Path.Combine(folder, "abc.bin");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("abc"));
        // FIPS 180-2's test vector for "abc".
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", FileDigest.Sha256(path));
    }

    [Fact]
    public void DatasetDigestIgnoresWhereTheCopyLivesButSeesAChangedLabelFile()
    {
        string CopyOfThreeBccdImages(string root)
        {
            foreach (var kind in new[] { "images", "labels" })
                Directory.CreateDirectory(Path.Combine(root, kind, "val"));
            foreach (var image in Directory.GetFiles(SharedData.Dataset("bccd/images/val"), "*.jpg").Order(StringComparer.Ordinal).Take(3))
            {
                File.Copy(image, Path.Combine(root, "images", "val", Path.GetFileName(image)));
                File.Copy(YoloLabelPaths.ForImage(image), YoloLabelPaths.ForImage(Path.Combine(root, "images", "val", Path.GetFileName(image))));
            }
            var yaml = Path.Combine(root, "data.yaml");
            File.WriteAllText(yaml, $"train: {root}/images/val\nval: {root}/images/val\nnc: 3\nnames: ['RBC', 'WBC', 'Platelets']\n");
            return yaml;
        }
        var first = DataYaml.Load(CopyOfThreeBccdImages(Path.Combine(folder, "one")));
        var second = DataYaml.Load(CopyOfThreeBccdImages(Path.Combine(folder, "two", "deeper")));

        Assert.Equal(DatasetDigest.Of(first, "val"), DatasetDigest.Of(second, "val"));
        var label = Directory.GetFiles(Path.Combine(folder, "two", "deeper", "labels", "val")).Order(StringComparer.Ordinal).First();
        File.AppendAllText(label, "0 0.5 0.5 0.1 0.1\n");
        Assert.NotEqual(DatasetDigest.Of(first, "val"), DatasetDigest.Of(second, "val"));
    }

    [Fact]
    public void RecordRoundTripsAndRefusesOtherSettingsNamingEachDifference()
    {
        var sensitivity = new SensitivityFolder(folder);
        sensitivity.WriteRecord(Record(Identity));

        Assert.Equal(Record(Identity).ToJson(), sensitivity.ReadRecord()!.ToJson());
        Assert.True(sensitivity.ReadRecord()!.IsNoOp(0, 0.5));
        Assert.NotNull(sensitivity.CheckResumable(Identity));
        var error = Assert.Throws<SensitivityDataException>(() => sensitivity.CheckResumable(Identity with { Criterion = 1, Img = 192 }));
        Assert.Equal(SensitivityProblem.OtherSettings, error.Problem);
        Assert.Contains("img 320 → 192; criterion 0 → 1", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ResultsWithoutARecordCannotBeResumedButCanBeMovedAside()
    {
        var sensitivity = new SensitivityFolder(folder);
        Assert.Null(sensitivity.CheckResumable(Identity)); // an empty folder starts a new analysis
        File.Copy(SharedData.Golden("layer_selection/yolov7-tiny_sa/output_25.txt"), Path.Combine(folder, "output_25.txt"));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");

        Assert.Equal(SensitivityProblem.Unrecorded, Assert.Throws<SensitivityDataException>(() => sensitivity.CheckResumable(Identity)).Problem);
        var moved = sensitivity.MoveAside(["sensitivity.json"]);

        Assert.NotNull(moved);
        Assert.StartsWith(Path.Combine(folder, "previous-"), moved);
        Assert.True(File.Exists(Path.Combine(moved, "output_25.txt")));
        Assert.True(File.Exists(Path.Combine(folder, "notes.txt"))); // not an analysis file: left alone
        Assert.Null(sensitivity.CheckResumable(Identity));
    }

    [Fact]
    public void DamagedRecordIsAOneLineError()
    {
        File.WriteAllText(Path.Combine(folder, SensitivityRecord.FileName), "{ \"format\": 1, ");
        var error = Assert.Throws<SensitivityDataException>(() => new SensitivityFolder(folder).ReadRecord());
        Assert.Equal(SensitivityProblem.Unparsable, error.Problem);
        Assert.DoesNotContain('\n', error.Message);
    }
}
