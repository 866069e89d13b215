using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Data;

/// <summary>A throw-away YOLO dataset in a temp folder (images copied from bccd), deleted on dispose.</summary>
internal sealed class TempDataset : IDisposable
{
    public static readonly string SampleJpeg = SharedData.Dataset("bccd/images/val/BloodImage_00000.jpg");

    public TempDataset()
    {
        Root = Path.Combine(Path.GetTempPath(), $"prunecluster-data-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Writes images/&lt;split&gt;/&lt;name&gt;.jpg (a real bccd photo) and, when given, its label file.</summary>
    public string AddImage(string split, string name, string? labels = null)
    {
        var image = PathOf($"images/{split}/{name}.jpg");
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        File.Copy(SampleJpeg, image);
        if (labels is not null)
            WriteFile($"labels/{split}/{name}.txt", labels);
        return image;
    }

    public string WriteFile(string relative, string text)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string WriteYaml(string val = "images/val", int nc = 3, string names = "['RBC', 'WBC', 'Platelets']") =>
        WriteFile("data.yaml", $"val: {val}\nnc: {nc}\nnames: {names}\n");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
