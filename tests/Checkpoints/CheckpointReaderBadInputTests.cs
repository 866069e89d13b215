using System.IO.Compression;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Tests.Support;
using Xunit;

namespace PruneCluster.Tests.Checkpoints;

public sealed class CheckpointReaderBadInputTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        AssertRejected(_folder.File("does-not-exist.pt"), "file not found");
    }

    [Fact]
    public void Empty_file_is_reported_as_empty()
    {
        var path = _folder.File("empty.pt");
        File.WriteAllBytes(path, []);

        AssertRejected(path, "empty");
    }

    [Fact]
    public void Truncated_copy_of_a_golden_checkpoint_is_reported_as_an_incomplete_zip()
    {
        var path = _folder.File("truncated.pt");
        var golden = File.ReadAllBytes(SharedData.Golden("yolov7-tiny-golden.pt"));
        File.WriteAllBytes(path, golden[..(golden.Length / 2)]);

        AssertRejected(path, "truncated or corrupt");
    }

    [Fact]
    public void Text_file_is_reported_as_not_a_checkpoint()
    {
        var path = _folder.File("notes.pt");
        File.WriteAllText(path, "this is not a checkpoint\nbut a text file\n");

        AssertRejected(path, "not a PyTorch checkpoint");
    }

    [Fact]
    public void Zip_without_data_pkl_is_reported_as_not_a_torch_save_checkpoint()
    {
        var path = _folder.File("other.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("archive/readme.txt").Open());
            writer.Write("hello");
        }

        AssertRejected(path, "no data.pkl");
    }

    [Fact]
    public void Legacy_non_zip_torch_file_is_reported_with_how_to_resave_it()
    {
        var path = _folder.File("legacy.pt");
        // torch < 1.6 files start with a protocol-2 pickle of the magic number 0x1950a86a20f9469cfc6c.
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);

        var error = AssertRejected(path, "legacy");
        Assert.Contains("torch.save", error.Message);
    }

    [Fact]
    public void Zip_whose_pickle_is_garbage_is_reported_without_a_library_stack_trace()
    {
        var path = _folder.File("garbage.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var stream = zip.CreateEntry("archive/data.pkl").Open();
            stream.Write([0x80, 0x02, 0x7d, 0x28, 0xff, 0xfe]); // PROTO 2, EMPTY_DICT, MARK, then invalid opcodes
        }

        AssertRejected(path, "cannot be unpickled");
    }

    private static CheckpointException AssertRejected(string path, string problem)
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.StartsWith(path + ":", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Contains("Fix:", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(path, error.FilePath);
        return error;
    }
}
