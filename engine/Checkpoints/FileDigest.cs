using System.Security.Cryptography;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// SHA-256 of a file's bytes, as lowercase hex (what <c>sha256sum</c> prints). Names a weights file by its content,
/// so results measured on one model are never mixed with another's, wherever the file lives.
/// </summary>
public static class FileDigest
{
    /// <summary>The digest of the file at <paramref name="path"/>, read in a stream (checkpoints can be large).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
