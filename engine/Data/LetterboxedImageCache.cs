using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenCvSharp;

namespace PruneCluster.Engine.Data;

/// <summary>
/// Keys decoded stores and keeps them in a cache file per key (in memory, <see cref="DecodedImageCache"/> shares them).
/// The key hashes a format version, the OpenCV version (its decoders and resizers define the pixels), the
/// preprocessing settings and every image's path, size and modification time, so any change rebuilds.
/// </summary>
internal static class LetterboxedImageCache
{
    private const int FormatVersion = 1;
    private const string Magic = "PruneCluster letterboxed images";

    public static string Key(IReadOnlyList<string> paths, int imgSize, int batchSize, int stride, double pad)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"v{FormatVersion}|opencv {Cv2.GetVersionString()}|img {imgSize}|batch {batchSize}|stride {stride}|pad {pad:R}\n");
        foreach (var path in paths)
        {
            var info = new FileInfo(path);
            text.Append(CultureInfo.InvariantCulture,
                $"{path}|{(info.Exists ? info.Length : -1)}|{(info.Exists ? info.LastWriteTimeUtc.Ticks : 0)}\n");
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static string FilePath(string directory, string key) => Path.Combine(directory, $"letterbox-{key[..32]}.bin");

    /// <summary>The store saved under <paramref name="key"/>, or null when there is none or it is damaged or stale.</summary>
    public static LetterboxedImageStore? FromDisk(string directory, string key)
    {
        var path = FilePath(directory, key);
        if (!File.Exists(path))
            return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            return reader.ReadString() == Magic && reader.ReadInt32() == FormatVersion && reader.ReadString() == key ? ReadBody(reader, key) : null;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ArgumentException or OverflowException)
        {
            return null; // damaged: rebuild and overwrite
        }
    }

    public static void Save(string directory, LetterboxedImageStore store)
    {
        var path = FilePath(directory, store.Key);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(directory);
            using (var writer = new BinaryWriter(File.Create(temporary)))
            {
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write(store.Key);
                WriteBody(writer, store);
            }
            File.Move(temporary, path, overwrite: true); // readers never see a half-written file
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new DatasetException($"cannot write the image cache {path} ({e.Message}); set the cache folder to a writable one or to null", e);
        }
    }

    private static void WriteBody(BinaryWriter writer, LetterboxedImageStore store)
    {
        writer.Write(store.Images.Count);
        foreach (var image in store.Images)
        {
            writer.Write(image.FailureKind is { } kind ? (int)kind : -1);
            writer.Write(image.FailureReason ?? "");
            writer.Write(image.OriginalHeight);
            writer.Write(image.OriginalWidth);
            writer.Write(image.ResizedHeight);
            writer.Write(image.ResizedWidth);
            writer.Write(image.Batch);
            writer.Write(image.Slot);
        }
        writer.Write(store.Batches.Count);
        foreach (var batch in store.Batches)
        {
            writer.Write(batch.Height);
            writer.Write(batch.Width);
            writer.Write(batch.ImageIndices.Length);
            foreach (var index in batch.ImageIndices)
                writer.Write(index);
            writer.Write(batch.Pixels);
        }
    }

    private static LetterboxedImageStore ReadBody(BinaryReader reader, string key)
    {
        var images = new StoredImage[reader.ReadInt32()];
        for (var i = 0; i < images.Length; i++)
        {
            var kind = reader.ReadInt32();
            var reason = reader.ReadString();
            images[i] = new StoredImage(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), null,
                reader.ReadInt32(), reader.ReadInt32(), kind < 0 ? null : (DatasetIssueKind)kind, kind < 0 ? null : reason);
        }
        var batches = new LetterboxedBatch[reader.ReadInt32()];
        for (var b = 0; b < batches.Length; b++)
        {
            var (height, width) = (reader.ReadInt32(), reader.ReadInt32());
            var indices = new int[reader.ReadInt32()];
            for (var i = 0; i < indices.Length; i++)
                indices[i] = reader.ReadInt32();
            var pixels = reader.ReadBytes(indices.Length * 3 * height * width);
            if (pixels.Length != indices.Length * 3 * height * width)
                throw new EndOfStreamException();
            batches[b] = new LetterboxedBatch(height, width, indices, pixels);
        }
        // The letterbox plan is a pure function of the resized size and the batch shape: recompute it.
        for (var i = 0; i < images.Length; i++)
        {
            if (images[i].Decoded)
            {
                var batch = batches[images[i].Batch];
                images[i] = images[i] with
                {
                    Letterbox = Letterbox.Plan(images[i].ResizedHeight, images[i].ResizedWidth, batch.Height, batch.Width, scaleUp: false),
                };
            }
        }
        return new LetterboxedImageStore(key, images, batches);
    }
}
