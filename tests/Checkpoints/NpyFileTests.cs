using PruneCluster.Engine.Checkpoints;
using PruneCluster.Tests.Support;
using TorchSharp;
using Xunit;

namespace PruneCluster.Tests.Checkpoints;

public sealed class NpyFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Golden_input_batch_reads_as_float32_2x3x320x320_with_values_in_unit_range()
    {
        using var input = NpyFile.Read(SharedData.Golden("input_2x3x320x320.npy"));

        Assert.Equal(torch.ScalarType.Float32, input.dtype);
        Assert.Equal(new long[] { 2, 3, 320, 320 }, input.shape);
        Assert.InRange(input.min().item<float>(), 0f, 1f);
        Assert.InRange(input.max().item<float>(), 0f, 1f);
        Assert.True(input.max().item<float>() > input.min().item<float>());
    }

    [Fact]
    public void Golden_output_has_the_shape_stated_in_the_golden_json()
    {
        using var output = NpyFile.Read(SharedData.Golden("yolov7-tiny_output.npy"));

        Assert.Equal(new long[] { 2, 6300, 85 }, output.shape); // README: (2, 6300, 85)
    }

    [Theory]
    [InlineData(torch.ScalarType.Float32)]
    [InlineData(torch.ScalarType.Float64)]
    [InlineData(torch.ScalarType.Int64)]
    public void Written_array_reads_back_with_the_same_dtype_shape_and_values(torch.ScalarType dtype)
    {
        var path = _folder.File($"{dtype}.npy");
        using var original = (torch.arange(60, torch.ScalarType.Float64).reshape(3, 4, 5) - 17.25).to_type(dtype);
        using var transposed = original.permute(2, 0, 1); // a non-contiguous view is written in C order

        NpyFile.Write(path, transposed);
        using var back = NpyFile.Read(path);

        Assert.Equal(dtype, back.dtype);
        Assert.Equal(new long[] { 5, 3, 4 }, back.shape);
        Assert.True(back.allclose(transposed, rtol: 0, atol: 0));
        Assert.Equal(0, (new FileInfo(path).Length - back.numel() * back.element_size()) % 64); // numpy's aligned header
    }

    [Fact]
    public void Written_file_is_read_by_python_as_the_same_header_and_bytes()
    {
        if (!Python3.Available)
            return;
        var path = _folder.File("vector.npy");
        using var vector = torch.tensor(new[] { 1.5f, -2f, 3.25f });

        NpyFile.Write(path, vector);
        // numpy is not installed: parse the header with the format's own rule (a Python literal) and the data with struct.
        var report = Python3.Run("""
            import ast, struct, sys
            raw = open(sys.argv[1], 'rb').read()
            assert raw[:8] == b'\x93NUMPY\x01\x00'
            n = struct.unpack('<H', raw[8:10])[0]
            header = ast.literal_eval(raw[10:10 + n].decode('latin1'))
            count = 1
            for d in header['shape']: count *= d
            print(header['descr'], header['fortran_order'], header['shape'], struct.unpack('<%df' % count, raw[10 + n:]))
            """, path);

        Assert.Equal("<f4 False (3,) (1.5, -2.0, 3.25)", report.Trim());
    }

    [Fact]
    public void Bad_npy_files_give_a_one_line_exception_naming_the_file()
    {
        var missing = _folder.File("missing.npy");
        var text = _folder.File("text.npy");
        File.WriteAllText(text, "not numpy");
        var truncated = _folder.File("truncated.npy");
        var golden = File.ReadAllBytes(SharedData.Golden("input_2x3x320x320.npy"));
        File.WriteAllBytes(truncated, golden[..(golden.Length - 100)]);

        foreach (var (path, problem) in new[] { (missing, "not found"), (text, "not a .npy file"), (truncated, "truncated") })
        {
            var error = Assert.Throws<NpyFileException>(() => NpyFile.Read(path));
            Assert.StartsWith(path + ":", error.Message);
            Assert.Contains(problem, error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
    }
}
