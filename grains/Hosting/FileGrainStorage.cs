using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Orleans.Serialization;
using Orleans.Storage;
using PruneCluster.Engine.Checkpoints;

namespace PruneCluster.Grains.Hosting;

/// <summary>
/// Grain storage in a folder, one file per grain state (Orleans' own binary serialization, which every stored type
/// has), written atomically: the embedded cluster keeps its campaign's state under the campaign folder, so a campaign
/// interrupted by Ctrl-C or a crash resumes where it was. The ETag is a version number stored in the file; a write
/// from a stale activation is refused (<see cref="InconsistentStateException"/>). One process at a time per folder.
/// </summary>
public sealed class FileGrainStorage(string folder, Serializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        if (!File.Exists(path))
        {
            (grainState.RecordExists, grainState.ETag) = (false, null);
            return Task.CompletedTask;
        }
        var bytes = File.ReadAllBytes(path);
        var version = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        grainState.State = serializer.Deserialize<T>(bytes.AsMemory(sizeof(long)));
        (grainState.RecordExists, grainState.ETag) = (true, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var stored = File.Exists(path) ? BinaryPrimitives.ReadInt64LittleEndian(ReadHeader(path)) : (long?)null;
        if (stored?.ToString(System.Globalization.CultureInfo.InvariantCulture) != grainState.ETag)
            throw new InconsistentStateException($"grain state {path} was written by another activation", stored?.ToString(System.Globalization.CultureInfo.InvariantCulture), grainState.ETag);
        var version = (stored ?? 0) + 1;
        var payload = serializer.SerializeToArray(grainState.State);
        Directory.CreateDirectory(folder);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> header = stackalloc byte[sizeof(long)];
            BinaryPrimitives.WriteInt64LittleEndian(header, version);
            stream.Write(header);
            stream.Write(payload);
        });
        (grainState.RecordExists, grainState.ETag) = (true, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        File.Delete(PathOf(stateName, grainId));
        (grainState.RecordExists, grainState.ETag) = (false, null);
        return Task.CompletedTask;
    }

    private static byte[] ReadHeader(string path)
    {
        using var file = File.OpenRead(path);
        var header = new byte[sizeof(long)];
        file.ReadExactly(header);
        return header;
    }

    // Grain keys hold '/' and other characters file names cannot: name files by a readable prefix and a hash.
    private string PathOf(string stateName, GrainId grainId)
    {
        var id = $"{stateName}/{grainId}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];
        var readable = new string(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_').Take(80).ToArray());
        return Path.Combine(folder, $"{readable}-{hash}.bin");
    }
}
