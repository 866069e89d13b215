using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using OpenCvSharp;

namespace PruneCluster.Engine.Data.Synthetic;

/// <summary>
/// Writes a synthetic detection data set in YOLOv7's layout: <c>images/{train,val}/NNNNNN.png</c>,
/// <c>labels/{train,val}/NNNNNN.txt</c>, <c>data.yaml</c> (paths relative to itself) and <c>synth.json</c> (the
/// options and object counts, which also marks the folder as one this generator may overwrite).
/// <para>
/// PNG, not JPEG: lossless, so every decoder (OpenCV of any version, PIL) returns exactly the generated pixels — the
/// labels and masks match the pixels exactly, and YOLOv7 and this tool see the same images.
/// </para>
/// <para>
/// Atomic: everything is written into a hidden sibling folder which is renamed to the target at the end, so the
/// target is either absent, the old data set, or the complete new one. Deterministic: image i depends only on
/// (seed, i), so the files are byte-identical for a seed whatever the number of threads.
/// </para>
/// </summary>
public static class SyntheticDataset
{
    public const string DataYamlName = "data.yaml";
    public const string MarkerName = "synth.json";

    /// <summary>The split image <paramref name="index"/> belongs to: train for the first images, val for the last.</summary>
    public static string SplitOf(SyntheticDatasetOptions options, int index) => index < options.TrainImages ? "train" : "val";

    /// <summary>The file name stem of image <paramref name="index"/> (zero-padded, so names sort by index).</summary>
    public static string Stem(SyntheticDatasetOptions options, int index) =>
        index.ToString(CultureInfo.InvariantCulture).PadLeft(Math.Max(6, (options.Images - 1).ToString(CultureInfo.InvariantCulture).Length), '0');

    public static string ImagePath(string folder, SyntheticDatasetOptions options, int index) =>
        Path.Combine(folder, "images", SplitOf(options, index), Stem(options, index) + ".png");

    public static string LabelPath(string folder, SyntheticDatasetOptions options, int index) =>
        Path.Combine(folder, "labels", SplitOf(options, index), Stem(options, index) + ".txt");

    /// <summary>
    /// Why <paramref name="folder"/> cannot receive a data set, as one line naming the --out/--overwrite options, or
    /// null when it can: it must not be a file, and a non-empty folder is replaced only with <paramref name="overwrite"/>
    /// and only when it holds a <see cref="MarkerName"/> (a data set written here), so a mistyped path never deletes
    /// someone's files.
    /// </summary>
    public static string? TargetError(string folder, bool overwrite)
    {
        var full = Path.GetFullPath(folder);
        if (File.Exists(full))
            return $"--out {folder} is a file; pass a folder for the data set";
        if (!Directory.Exists(full) || !Directory.EnumerateFileSystemEntries(full).Any())
            return null;
        if (!overwrite)
            return $"--out {folder} exists and is not empty; choose a new folder, or add --overwrite to replace a data set written by 'dataset synth'";
        return File.Exists(Path.Combine(full, MarkerName))
            ? null
            : $"--out {folder} holds files not written by 'dataset synth' (no {MarkerName}); choose another folder or empty it yourself";
    }

    /// <summary>Generates and writes the data set (see the type's remarks); throws <see cref="DatasetException"/> for bad options or target.</summary>
    public static SyntheticDatasetSummary Write(string folder, SyntheticDatasetOptions options, bool overwrite = false,
        IProgress<SyntheticProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        if (TargetError(folder, overwrite) is { } error)
            throw new DatasetException(error);
        var target = Path.GetFullPath(folder);
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.synth-{Guid.NewGuid():N}");
        try
        {
            foreach (var kind in new[] { "images", "labels" })
            foreach (var split in new[] { "train", "val" })
                Directory.CreateDirectory(Path.Combine(staging, kind, split));

            var counts = WriteImages(staging, options, progress, cancellationToken);
            var names = options.ClassNames;
            var train = Tally(counts.Take(options.TrainImages), names.Count);
            var val = Tally(counts.Skip(options.TrainImages), names.Count);
            File.WriteAllText(Path.Combine(staging, DataYamlName), DataYamlText(options, names));
            File.WriteAllText(Path.Combine(staging, MarkerName), MarkerText(options, names, train, val));
            Replace(staging, target);
            return new SyntheticDatasetSummary(target, Path.Combine(target, DataYamlName), options.TrainImages, options.ValImages, names, train, val);
        }
        catch
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Encodes a scene as written: PNG with zlib level 1 and only the "sub" row filter — about 40 % less encoding
    /// time than OpenCV's default (every filter tried per row), and no larger files (benchmarks/README.md).
    /// All settings are explicit, so a change of OpenCV's defaults cannot change the files.
    /// </summary>
    public static byte[] EncodePng(SyntheticScene scene)
    {
        using var image = new Mat(scene.Size, scene.Size, MatType.CV_8UC3);
        Marshal.Copy(scene.Bgr, 0, image.Data, scene.Bgr.Length);
        Cv2.ImEncode(".png", image, out var png,
            new ImageEncodingParam(ImwriteFlags.PngCompression, 1),
            new ImageEncodingParam(ImwriteFlags.PngStrategy, (int)ImwritePNGFlags.StrategyDefault),
            new ImageEncodingParam(PngFilter, PngFilterSub));
        return png;
    }

    // cv::IMWRITE_PNG_FILTER and cv::IMWRITE_PNG_FILTER_SUB (OpenCV 4.11+), which OpenCvSharp does not name.
    private const ImwriteFlags PngFilter = (ImwriteFlags)19;
    private const int PngFilterSub = 16;

    private static int[][] WriteImages(string staging, SyntheticDatasetOptions options, IProgress<SyntheticProgress>? progress,
        CancellationToken cancellationToken)
    {
        var counts = new int[options.Images][];
        var done = 0;
        var reportLock = new object();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.Threads ?? Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        Parallel.For(0, options.Images, parallel, index =>
        {
            var scene = SyntheticSceneGenerator.Render(options, index);
            File.WriteAllBytes(ImagePath(staging, options, index), EncodePng(scene));
            File.WriteAllText(LabelPath(staging, options, index), scene.LabelText());
            counts[index] = scene.Objects.Select(o => o.ClassId).ToArray();
            if (progress != null)
                lock (reportLock) // reports arrive in order, one at a time
                    progress.Report(new SyntheticProgress(++done, options.Images));
        });
        return counts;
    }

    private static int[] Tally(IEnumerable<int[]> classIds, int classes)
    {
        var tally = new int[classes];
        foreach (var id in classIds.SelectMany(ids => ids))
            tally[id]++;
        return tally;
    }

    private static string DataYamlText(SyntheticDatasetOptions options, IReadOnlyList<string> names) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            # Synthetic shapes written by 'prunecluster dataset synth' (seed {options.Seed}, {options.Images} images at {options.ImageSize}).
            # Paths are relative to this file (YOLOv7's own scripts resolve them from their working folder).
            train: images/train
            val: images/val
            nc: {names.Count}
            names: [{string.Join(", ", names.Select(n => $"'{n}'"))}]

            """);

    private static string MarkerText(SyntheticDatasetOptions options, IReadOnlyList<string> names, int[] train, int[] val)
    {
        var marker = new Dictionary<string, object>
        {
            ["generator"] = "prunecluster dataset synth",
            ["format"] = 1,
            ["seed"] = options.Seed,
            ["images"] = options.Images,
            ["train_images"] = options.TrainImages,
            ["val_images"] = options.ValImages,
            ["img"] = options.ImageSize,
            ["val_fraction"] = options.ValFraction,
            ["object_size"] = new[] { options.MinObjectSize, options.MaxObjectSize },
            ["max_objects"] = options.MaxObjects,
            ["min_visible"] = options.MinVisible,
            ["names"] = names,
            ["train_objects"] = train,
            ["val_objects"] = val,
        };
        return JsonSerializer.Serialize(marker, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>Puts the finished staging folder in place of <paramref name="target"/>; an old data set is moved aside first and deleted last.</summary>
    private static void Replace(string staging, string target)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }
        var old = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.old-{Guid.NewGuid():N}");
        Directory.Move(target, old);
        Directory.Move(staging, target);
        Directory.Delete(old, recursive: true);
    }
}
