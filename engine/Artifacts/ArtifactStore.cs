using System.Security.Cryptography;
using PruneCluster.Engine.Checkpoints;

namespace PruneCluster.Engine.Artifacts;

/// <summary>
/// A content-addressed file store on a folder every silo sees (a shared disk, a ReadWriteMany volume): checkpoints,
/// sensitivity files and reports are put once and named by their SHA-256, <c>sha256:&lt;64 hex&gt;</c>, so grains pass
/// digests, never files. An artifact lives at <c>ROOT/sha256/&lt;first two hex&gt;/&lt;hex&gt;</c>.
/// <para>
/// Writes are atomic (copied into <c>ROOT/tmp</c>, hashed while copied, then renamed into place) and idempotent:
/// putting the same content twice, from any number of silos at once, leaves one file. Reads are verified: the content
/// is hashed again before it is handed out, so a damaged or truncated file is one clear error, never silently
/// different numbers. Nothing is held in memory; one instance may be shared by every thread.
/// </para>
/// </summary>
public sealed class ArtifactStore
{
    /// <summary>What every digest starts with.</summary>
    public const string Prefix = "sha256:";

    public ArtifactStore(string root)
    {
        if (string.IsNullOrWhiteSpace(root))
            throw new ArgumentException("the artifact store needs a folder", nameof(root));
        Root = System.IO.Path.GetFullPath(root);
    }

    /// <summary>The store's folder (absolute).</summary>
    public string Root { get; }

    /// <summary>The digest of a file's content, <c>sha256:&lt;hex&gt;</c> (what <see cref="Put(string)"/> returns for it).</summary>
    public static string DigestOf(string path) => Prefix + FileDigest.Sha256(path);

    /// <summary>Whether <paramref name="digest"/> is a well-formed digest (<c>sha256:</c> and 64 lowercase hex digits).</summary>
    public static bool IsDigest(string? digest) =>
        digest is { Length: 71 } && digest.StartsWith(Prefix, StringComparison.Ordinal) && !digest.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef");

    /// <summary>Copies the file at <paramref name="path"/> into the store and returns its digest.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public string Put(string path)
    {
        using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Put(source);
    }

    /// <summary>Copies <paramref name="content"/> (from its current position to its end) into the store and returns its digest.</summary>
    public string Put(Stream content)
    {
        var temporaryFolder = System.IO.Path.Combine(Root, "tmp");
        Directory.CreateDirectory(temporaryFolder);
        var temporary = System.IO.Path.Combine(temporaryFolder, $"{Guid.NewGuid():N}.tmp");
        try
        {
            string digest;
            using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = content.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    target.Write(buffer, 0, read);
                }
                target.Flush(flushToDisk: true);
                digest = Prefix + Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            var final = Path(digest);
            // Already there and intact: keep it (another silo may be reading it). A damaged copy is replaced.
            if (File.Exists(final) && Matches(final, digest))
                return digest;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(final)!);
            File.Move(temporary, final, overwrite: true);
            return digest;
        }
        finally
        {
            File.Delete(temporary); // no-op once moved
        }
    }

    /// <summary>Where the artifact <paramref name="digest"/> is (or would be) stored; not checked.</summary>
    /// <exception cref="ArtifactException">Not a digest.</exception>
    public string Path(string digest)
    {
        if (!IsDigest(digest))
            throw new ArtifactException(digest, Root, $"'{digest}' is not an artifact digest (expected sha256: and 64 lowercase hex digits)");
        var hex = digest[Prefix.Length..];
        return System.IO.Path.Combine(Root, "sha256", hex[..2], hex);
    }

    /// <summary>Whether the store has a file for <paramref name="digest"/> (its content is checked on read, not here).</summary>
    public bool Contains(string digest) => File.Exists(Path(digest));

    /// <summary>The artifact's content, verified against its digest first; positioned at the start.</summary>
    /// <exception cref="ArtifactException">Not a digest, not in the store, or its content does not hash to the digest.</exception>
    public Stream Open(string digest)
    {
        var path = Path(digest);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 20);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Missing(digest, path);
        }
        try
        {
            var actual = Prefix + Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != digest)
                throw new ArtifactException(digest, Root,
                    $"artifact {digest} in the artifact store {Root} is corrupt ({path} hashes to {actual}); delete that file and put the artifact again");
            stream.Position = 0;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The path of the artifact after verifying its content, for readers that take a file name (a checkpoint loader).
    /// </summary>
    /// <exception cref="ArtifactException">As <see cref="Open"/>.</exception>
    public string Verified(string digest)
    {
        using var _ = Open(digest);
        return Path(digest);
    }

    private ArtifactException Missing(string digest, string path) =>
        new(digest, Root, $"artifact {digest} is not in the artifact store {Root} (no {path}); put it there first, or point --artifacts at the store every silo shares");

    private static bool Matches(string path, string digest)
    {
        try
        {
            return Prefix + FileDigest.Sha256(path) == digest;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
