using System.Security.Cryptography;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Tests.Checkpoints;

namespace PruneCluster.Tests.Artifacts;

public sealed class ArtifactStoreTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private ArtifactStore Store() => new(folder.File("store"));

    private string Source(string name, byte[] content)
    {
        var path = folder.File(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Bytes(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => (byte)(i * 31 + seed))];

    [Fact]
    public void Put_names_the_content_by_its_sha256_and_open_returns_the_same_bytes()
    {
        var content = Bytes(3_000_000, 7);
        var store = Store();

        var digest = store.Put(Source("weights.pt", content));

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)), digest);
        Assert.True(store.Contains(digest));
        Assert.Equal(store.Path(digest), Path.Combine(store.Root, "sha256", digest[7..9], digest[7..]));
        using var read = store.Open(digest);
        using var copy = new MemoryStream();
        read.CopyTo(copy);
        Assert.Equal(content, copy.ToArray());
        Assert.Equal(digest, ArtifactStore.DigestOf(store.Verified(digest)));
    }

    [Fact]
    public void Putting_the_same_content_again_from_many_threads_leaves_one_file_and_no_temporaries()
    {
        var content = Bytes(500_000, 3);
        var source = Source("a.pt", content);
        var store = Store();
        var first = store.Put(source);
        var written = File.GetLastWriteTimeUtc(store.Path(first));

        var digests = Enumerable.Range(0, 8).AsParallel().Select(_ => store.Put(new MemoryStream(content))).ToList();

        Assert.All(digests, d => Assert.Equal(first, d));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(store.Root, "sha256"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(store.Root, "tmp")));
        Assert.Equal(written, File.GetLastWriteTimeUtc(store.Path(first))); // an intact copy is left alone
    }

    [Fact]
    public void Different_contents_get_different_digests()
    {
        var store = Store();
        Assert.NotEqual(store.Put(Source("a", Bytes(100, 1))), store.Put(Source("b", Bytes(100, 2))));
    }

    [Fact]
    public void A_corrupt_artifact_is_one_error_naming_the_digest_and_the_store_and_putting_it_again_repairs_it()
    {
        var content = Bytes(10_000, 5);
        var store = Store();
        var digest = store.Put(Source("w.pt", content));
        var damaged = (byte[])content.Clone();
        damaged[1234] ^= 0xff;
        File.WriteAllBytes(store.Path(digest), damaged);

        var error = Assert.Throws<ArtifactException>(() => store.Open(digest));
        Assert.Contains(digest, error.Message);
        Assert.Contains(store.Root, error.Message);
        Assert.Contains("corrupt", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Throws<ArtifactException>(() => store.Verified(digest));

        Assert.Equal(digest, store.Put(new MemoryStream(content)));
        using var repaired = store.Open(digest);
        Assert.Equal(content.Length, repaired.Length);
    }

    [Fact]
    public void A_truncated_artifact_is_refused()
    {
        var store = Store();
        var digest = store.Put(Source("w.pt", Bytes(10_000, 9)));
        File.WriteAllBytes(store.Path(digest), Bytes(5_000, 9));
        Assert.Contains("corrupt", Assert.Throws<ArtifactException>(() => store.Open(digest)).Message);
    }

    [Fact]
    public void A_missing_artifact_is_one_error_naming_the_digest_and_the_store()
    {
        var store = Store();
        var digest = "sha256:" + new string('a', 64);

        Assert.False(store.Contains(digest));
        var error = Assert.Throws<ArtifactException>(() => store.Open(digest));
        Assert.Equal(digest, error.Digest);
        Assert.Contains(digest, error.Message);
        Assert.Contains(store.Root, error.Message);
        Assert.Contains("--artifacts", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("sha256:xyz")]
    [InlineData("md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256:../../../../etc/passwd0123456789abcdef0123456789abcdef01234")]
    public void Something_that_is_not_a_digest_is_refused_before_touching_the_disk(string digest)
    {
        var store = Store();
        Assert.False(ArtifactStore.IsDigest(digest));
        Assert.Contains("not an artifact digest", Assert.Throws<ArtifactException>(() => store.Contains(digest)).Message);
        Assert.Throws<ArtifactException>(() => store.Open(digest));
    }

    [Fact]
    public void A_missing_source_file_is_file_not_found()
    {
        Assert.Throws<FileNotFoundException>(() => Store().Put(folder.File("nope.pt")));
    }
}
