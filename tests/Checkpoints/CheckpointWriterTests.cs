using PruneCluster.Engine.Checkpoints;
using PruneCluster.Tests.Support;
using TorchSharp;
using Xunit;

namespace PruneCluster.Tests.Checkpoints;

public sealed class CheckpointWriterTests
{
    private static readonly Dictionary<string, object?> Metadata = new()
    {
        ["arch"] = "yolov7-tiny",
        ["iteration"] = 3L,
        ["huge"] = 1L << 40,
        ["negative"] = -70000L,
        ["map"] = 0.3837,
        ["fused"] = false,
        ["parent"] = null,
        ["pruning_params"] = new List<object?> { new List<object?> { 8L, 0.5 }, new List<object?> { 18L, 0.75 } },
        [CheckpointWriter.ModelYamlKey] = new Dictionary<string, object?> { ["nc"] = 3L, ["anchors"] = new List<object?> { 10L, 13L } },
        [CheckpointWriter.PruningCfgKey] = new List<object?> { new List<object?> { new List<object?> { 1L }, new List<object?> { 0L }, new List<object?>() } },
        [CheckpointWriter.ClassNamesKey] = new List<object?> { "RBC", "WBC", "Platelets" },
        ["unicode"] = "µ-Δ ✓",
    };

    [Fact]
    public void Written_golden_state_dict_reads_back_with_the_same_keys_shapes_values_and_metadata()
    {
        using var folder = new TempFolder();
        var path = folder.File("roundtrip.pt");
        using var golden = CheckpointReader.Read(SharedData.Golden("yolov7-tiny-golden.pt"));

        CheckpointWriter.Write(path, golden.StateDict, Metadata);
        using var back = CheckpointReader.Read(path);

        Assert.Equal(CheckpointFormat.PruneCluster, back.Format);
        Assert.Equal(golden.StateDict.Select(e => e.Key), back.StateDict.Select(e => e.Key));
        for (var i = 0; i < golden.StateDict.Count; i++)
        {
            var (expected, actual) = (golden.StateDict[i].Value, back.StateDict[i].Value);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(Same(expected, actual), $"{golden.StateDict[i].Key} differs after the round trip");
        }
        Assert.Equal(Metadata.Count, back.Metadata.Count);
        foreach (var (key, value) in Metadata)
            Assert.Equal(value, back.Metadata[key]);
        Assert.Equal(3L, back.ModelYaml!["nc"]);
        Assert.Equal(Metadata[CheckpointWriter.PruningCfgKey], back.PruningCfg);
        Assert.Equal(["RBC", "WBC", "Platelets"], back.ClassNames!);
    }

    [Fact]
    public void Strided_views_and_every_supported_dtype_are_written_as_their_values()
    {
        using var folder = new TempFolder();
        var path = folder.File("dtypes.pt");
        using var basis = torch.arange(24, torch.ScalarType.Float32).reshape(4, 6);
        var tensors = new List<KeyValuePair<string, torch.Tensor>>
        {
            new("transposed", basis.t()),
            new("column", basis[.., 2]),
            new("float64", basis.to_type(torch.ScalarType.Float64)),
            new("half", basis.to_type(torch.ScalarType.Float16)),
            new("int64", torch.tensor(new long[] { -3, 1L << 40 })),
            new("int32", torch.tensor(new[] { 7, -8 })),
            new("bool", torch.tensor(new[] { true, false })),
            new("bfloat16", basis.to_type(torch.ScalarType.BFloat16)),
            new("int16", torch.tensor(new short[] { -300, 300 })),
            new("int8", torch.tensor(new sbyte[] { -7, 7 })),
            new("uint8", torch.tensor(new byte[] { 0, 255 })),
            new("scalar", torch.tensor(5L)),
            new("empty", torch.zeros(0, 3)),
        };

        CheckpointWriter.Write(path, tensors, new Dictionary<string, object?>());
        using var back = CheckpointReader.Read(path);

        var read = back.StateDict.ToDictionary(e => e.Key, e => e.Value);
        Assert.True(Same(read["transposed"], basis.t()));
        Assert.True(Same(read["column"], basis[.., 2]));
        Assert.True(Same(read["float64"], basis)); // floating dtypes come back as float32
        Assert.True(Same(read["half"], basis));
        Assert.Equal(new long[] { -3, 1L << 40 }, read["int64"].data<long>().ToArray());
        Assert.Equal(torch.ScalarType.Int32, read["int32"].dtype);
        Assert.Equal(new[] { true, false }, read["bool"].data<bool>().ToArray());
        Assert.True(Same(read["bfloat16"], basis)); // small integers are exact in bfloat16
        Assert.Equal(new short[] { -300, 300 }, read["int16"].data<short>().ToArray());
        Assert.Equal(new sbyte[] { -7, 7 }, read["int8"].data<sbyte>().ToArray());
        Assert.Equal(new byte[] { 0, 255 }, read["uint8"].data<byte>().ToArray());
        Assert.Empty(read["scalar"].shape);
        Assert.Equal(5L, read["scalar"].item<long>());
        Assert.Equal(new long[] { 0, 3 }, read["empty"].shape);
        foreach (var tensor in tensors)
            tensor.Value.Dispose();
    }

    [Fact]
    public void Writing_replaces_an_existing_file_and_leaves_no_temporary_files()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.pt");
        File.WriteAllText(path, "old content");
        using var weight = torch.ones(2, 2);

        CheckpointWriter.Write(path, [new("w", weight)], new Dictionary<string, object?> { ["step"] = 1L });

        using var back = CheckpointReader.Read(path);
        Assert.Equal(1L, back.Metadata["step"]);
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Metadata_with_a_reserved_key_or_a_non_plain_value_is_rejected_before_anything_is_written()
    {
        using var folder = new TempFolder();
        var path = folder.File("rejected.pt");
        using var weight = torch.ones(1);

        var reserved = Assert.Throws<ArgumentException>(() =>
            CheckpointWriter.Write(path, [new("w", weight)], new Dictionary<string, object?> { ["state_dict"] = 1L }));
        var nonPlain = Assert.Throws<ArgumentException>(() =>
            CheckpointWriter.Write(path, [new("w", weight)], new Dictionary<string, object?> { ["when"] = DateTime.Now }));

        Assert.Contains("state_dict", reserved.Message);
        Assert.Contains("when", nonPlain.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Written_file_has_torch_layout_and_its_pickle_only_uses_globals_and_opcodes_that_weights_only_load_allows()
    {
        if (!Python3.Available)
            return; // the check needs an independent pickle implementation; nothing to compare against without it
        using var folder = new TempFolder();
        var path = folder.File("check.pt");
        using var weight = torch.randn(3, 4);
        using var half = torch.randn(5).to_type(torch.ScalarType.Float16);
        using var count = torch.tensor(7L);
        // More than one pickle batch (1000 items) so batching is exercised on both sides.
        var many = Enumerable.Range(0, 1500).Select(i => new KeyValuePair<string, torch.Tensor>($"extra.{i}", torch.full(1, i))).ToList();

        CheckpointWriter.Write(path, [new("weight", weight), new("half", half), new("count", count), .. many], Metadata);
        var report = Python3.Run(WeightsOnlyCheckScript, path)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");

        Assert.Equal("archive/data.pkl archive/byteorder", string.Join(' ', report["NAMES"].Split(' ').Take(2)));
        Assert.EndsWith("archive/version", report["NAMES"]);
        Assert.Equal("0", report["COMPRESSED"]);
        Assert.Equal("0", report["MISALIGNED"]);
        Assert.Equal("2", report["PROTO"]);
        Assert.Equal("", report["FORBIDDEN_GLOBALS"]);
        Assert.Equal("", report["FORBIDDEN_OPCODES"]);
        Assert.Equal("prunecluster/1", report["FORMAT"]);
        Assert.Equal(string.Join(',', new[] { "weight", "half", "count" }.Concat(many.Select(m => m.Key))), report["KEYS"]);
        Assert.Equal("weight:float32:(3, 4):(4, 1) half:float16:(5,):(1,) count:int64:():()", report["FIRST3"]);
        Assert.Equal("3", report["VERSION"]);
        Assert.Equal("yolov7-tiny", report["ARCH"]);
        Assert.Equal(weight.data<float>().ToArray(), report["WEIGHT_VALUES"].Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var tensor in many)
            tensor.Value.Dispose();
    }

    private static bool Same(torch.Tensor a, torch.Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.allclose(b, rtol: 0, atol: 0);

    /// <summary>
    /// Loads the file the way torch.load(weights_only=True) does — a restricted unpickler that resolves only the
    /// allow-listed globals and storage persistent ids — using nothing but the standard library.
    /// </summary>
    private const string WeightsOnlyCheckScript = """
        import io, pickle, pickletools, struct, sys, zipfile
        path = sys.argv[1]
        allowed_globals = {'collections.OrderedDict', 'torch._utils._rebuild_tensor_v2'} | {
            'torch.' + n for n in ('HalfStorage', 'FloatStorage', 'DoubleStorage', 'BFloat16Storage', 'LongStorage',
                                   'IntStorage', 'ShortStorage', 'CharStorage', 'ByteStorage', 'BoolStorage')}
        # the opcodes torch/_weights_only_unpickler.py implements
        allowed_ops = {'APPEND', 'APPENDS', 'BINGET', 'BININT', 'BININT1', 'BININT2', 'BINPERSID', 'BINPUT',
                       'BINUNICODE', 'BUILD', 'EMPTY_DICT', 'EMPTY_LIST', 'EMPTY_SET', 'EMPTY_TUPLE', 'GLOBAL', 'LONG1',
                       'LONG_BINGET', 'LONG_BINPUT', 'MARK', 'NEWFALSE', 'NEWOBJ', 'NEWTRUE', 'NONE', 'PROTO', 'REDUCE',
                       'SETITEM', 'SETITEMS', 'SHORT_BINSTRING', 'STOP', 'TUPLE', 'TUPLE1', 'TUPLE2', 'TUPLE3'}
        z = zipfile.ZipFile(path)
        infos = z.infolist()
        print('NAMES', ' '.join(i.filename for i in infos))
        print('COMPRESSED', sum(i.compress_type != zipfile.ZIP_STORED for i in infos))
        raw = open(path, 'rb').read()
        def data_start(i):
            name_len, extra_len = struct.unpack('<HH', raw[i.header_offset + 26:i.header_offset + 30])
            return i.header_offset + 30 + name_len + extra_len
        print('MISALIGNED', sum(data_start(i) % 64 != 0 for i in infos))
        pkl = z.read('archive/data.pkl')
        ops = list(pickletools.genops(pkl))
        print('PROTO', ops[0][1])
        globals_used = {arg.replace(' ', '.') for op, arg, _ in ops if op.name in ('GLOBAL', 'STACK_GLOBAL', 'INST')}
        print('FORBIDDEN_GLOBALS', ','.join(sorted(globals_used - allowed_globals)))
        print('FORBIDDEN_OPCODES', ','.join(sorted({op.name for op, _, _ in ops} - allowed_ops)))
        class Storage:
            def __init__(self, kind, key, numel): self.kind, self.key, self.numel = kind, key, numel
        def rebuild(storage, offset, size, stride, requires_grad, hooks):
            return (storage, offset, size, stride)
        import collections
        class Restricted(pickle.Unpickler):
            def find_class(self, module, name):
                full = module + '.' + name
                if full not in allowed_globals: raise pickle.UnpicklingError('forbidden ' + full)
                if full == 'collections.OrderedDict': return collections.OrderedDict
                if full == 'torch._utils._rebuild_tensor_v2': return rebuild
                return name
            def persistent_load(self, pid):
                assert pid[0] == 'storage' and pid[3] == 'cpu'
                return Storage(pid[1], pid[2], pid[4])
        top = Restricted(io.BytesIO(pkl)).load()
        sd = top['state_dict']
        print('FORMAT', top['format'])
        print('ARCH', top['arch'])
        print('KEYS', ','.join(sd.keys()))
        dtypes = {'FloatStorage': ('float32', 'f', 4), 'HalfStorage': ('float16', 'e', 2), 'LongStorage': ('int64', 'q', 8)}
        first = list(sd.items())[:3]
        print('FIRST3', ' '.join('%s:%s:%s:%s' % (k, dtypes[v[0].kind][0], v[2], v[3]) for k, v in first))
        s = first[0][1][0]
        data = z.read('archive/data/' + s.key)
        assert len(data) == s.numel * 4
        print('WEIGHT_VALUES', ','.join(repr(x) for x in struct.unpack('<%df' % s.numel, data)))
        print('VERSION', z.read('archive/version').decode().strip())
        """;
}
