using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Measures;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Evaluation;
using PruneCluster.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace PruneCluster.Tests.Checkpoints;

/// <summary>
/// Damaged inputs, made by a fixed-seed fuzzer: bytes changed inside a real checkpoint's pickle stream (the zip itself
/// intact), numbers and characters changed in cfg yamls, and values changed in the architecture a checkpoint embeds.
/// Every case must do what <c>info</c> does (load, build, count parameters and FLOPs) or fail with one of the
/// one-line user-facing errors, within a time limit; a handful of failing cases also go through the real CLI.
/// </summary>
public sealed partial class DamagedInputFuzzTests : IDisposable
{
    // Generous: a loaded machine is slow, a hang is not.
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions SignatureJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly TempFolder _folder = new();
    private readonly ITestOutputHelper _output;

    public DamagedInputFuzzTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("yolov7-tiny_pruned_all_layers_50_l1.pt", 600, 3)]
    [InlineData("yolov7-tiny_pruned_readme_list_l2.pt", 200, 0)]
    [InlineData("yolov7-tiny-golden.pt", 200, 0)]
    public void CheckpointsWithAMutatedPickleStreamLoadOrGiveAOneLineError(string checkpoint, int cases, int viaCli)
    {
        var (entries, pickleName) = ReadZip(SharedData.Golden(checkpoint));
        var random = new Random(1303 + cases);
        var tally = new Tally();
        // Weight values live outside the pickle, so a case whose pickle describes an architecture, tensor shapes and
        // history that already loaded builds the same model: the reader runs in full, the build is not repeated.
        var loaded = new HashSet<string>();
        for (var i = 0; i < cases; i++)
        {
            var path = _folder.File($"case-{i}.pt");
            WriteZip(path, entries, pickleName, MutateBytes(entries[pickleName], random));
            tally.Add(i, RunInfo(() =>
            {
                string signature;
                using (var contents = CheckpointReader.Read(path))
                    signature = Signature(contents);
                if (loaded.Contains(signature))
                    return;
                Info(ModelFile.Load(path));
                loaded.Add(signature);
            }, $"{checkpoint} case {i}"), path);
        }
        tally.AssertBothOutcomesReached(cases, _output, $"{checkpoint}: {loaded.Count} distinct loadable pickles");
        AssertTheCliGivesTheSameOneLineErrors(tally.FailedPaths.Take(viaCli).Select(p => new[] { "info", "--weights", p }), viaCli);
    }

    [Theory]
    [InlineData("training/yolov7-tiny.yaml", 300, 2)]
    [InlineData("deploy/yolov7-tiny.yaml", 150, 0)]
    [InlineData("training/yolov7.yaml", 50, 0)]
    public void CfgYamlsWithMutatedTextBuildOrGiveAOneLineError(string cfgFile, int cases, int viaCli)
    {
        var text = File.ReadAllText(RepoFiles.Path("engine", "Models", "cfg", cfgFile));
        var random = new Random(7717 + cases);
        var tally = new Tally();
        for (var i = 0; i < cases; i++)
        {
            var path = _folder.File($"case-{i}.yaml");
            File.WriteAllText(path, MutateText(text, random));
            tally.Add(i, RunInfo(() => Info(Built(YoloCfg.FromFile(path))), $"{cfgFile} case {i}"), path);
        }
        tally.AssertBothOutcomesReached(cases, _output, cfgFile);
        AssertTheCliGivesTheSameOneLineErrors(tally.FailedPaths.Take(viaCli).Select(p => new[] { "info", "--cfg", p }), viaCli);
    }

    [Fact]
    public void ArchitecturesEmbeddedInACheckpointWithMutatedValuesBuildAgainstItsWeightsOrGiveAOneLineError()
    {
        var path = SharedData.Golden("yolov7-tiny_pruned_all_layers_50_l1.pt");
        using var contents = CheckpointReader.Read(path);
        var tensors = contents.StateDict.ToDictionary(kv => kv.Key, kv => kv.Value);
        var random = new Random(4242);
        var tally = new Tally();
        for (var i = 0; i < EmbeddedCases; i++)
        {
            var yaml = (Dictionary<string, object?>)MutateValue(contents.ModelYaml!, random, 1 + random.Next(3))!;
            tally.Add(i, RunInfo(() =>
            {
                var cfg = YoloCfg.FromDictionary(yaml, path);
                Info(new LoadedModel(path, ModelBuilder.FromWeights(cfg, tensors, path), null, Engine.Pruning.PruningPlan.Empty));
            }, $"embedded yaml case {i}"), null);
        }
        tally.AssertBothOutcomesReached(EmbeddedCases, _output, "embedded yaml");
    }

    private const int EmbeddedCases = 400;

    private static LoadedModel Built(YoloCfg cfg) => new(cfg.Source, ModelBuilder.Build(cfg), null, Engine.Pruning.PruningPlan.Empty);

    /// <summary>What <c>info</c> does after opening the model: count parameters and FLOPs (a probe forward).</summary>
    private static void Info(LoadedModel loaded)
    {
        using (loaded)
        {
            loaded.Model.eval();
            ModelMeasure.Measure(loaded.Model, 64);
        }
    }

    private static string Signature(CheckpointContents contents) =>
        JsonSerializer.Serialize(contents.ModelYaml, SignatureJson) + JsonSerializer.Serialize(contents.Metadata, SignatureJson)
        + string.Join(";", contents.StateDict.Select(kv => $"{kv.Key}:{kv.Value.dtype}[{string.Join(",", kv.Value.shape)}]"));

    /// <summary>Runs one case on a worker, so that a hang fails the case instead of the run.</summary>
    private static Exception? RunInfo(Action run, string name)
    {
        var work = Task.Run(run);
        try
        {
            Assert.True(work.Wait(PerCase), $"{name}: no result within {PerCase.TotalSeconds} s");
            return null;
        }
        catch (AggregateException e) when (e.InnerException is CheckpointException or ModelConfigException)
        {
            Assert.DoesNotContain('\n', e.InnerException.Message);
            return e.InnerException;
        }
        catch (AggregateException e)
        {
            Assert.Fail($"{name}: {e.InnerException!.GetType().Name}: {e.InnerException.Message}\n{e.InnerException.StackTrace}");
            return null;
        }
    }

    private static void AssertTheCliGivesTheSameOneLineErrors(IEnumerable<string[]> commands, int expected)
    {
        var ran = 0;
        foreach (var command in commands)
        {
            var outcome = PruneclusterProcess.Run(command);
            var lines = outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(outcome.ExitCode == 2 && lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal),
                $"{string.Join(' ', command)}: exit {outcome.ExitCode}, stderr:\n{outcome.Stderr}");
            ran++;
        }
        Assert.Equal(expected, ran);
    }

    private sealed class Tally
    {
        private int _loaded;
        private int _rejected;

        public List<string> FailedPaths { get; } = [];

        public void Add(int index, Exception? error, string? path)
        {
            if (error == null)
            {
                _loaded++;
                if (path != null)
                    File.Delete(path);
                return;
            }
            _rejected++;
            if (path != null && FailedPaths.Count < 3)
                FailedPaths.Add(path);
            else if (path != null)
                File.Delete(path);
        }

        // A fuzzer whose every case loads (or fails) tests nothing; both must happen.
        public void AssertBothOutcomesReached(int cases, ITestOutputHelper output, string what)
        {
            output.WriteLine($"{what}: {_loaded} loaded, {_rejected} rejected");
            Assert.Equal(cases, _loaded + _rejected);
            Assert.True(_loaded > 0 && _rejected > 0, $"{_loaded} loaded, {_rejected} rejected");
        }
    }

    private static (Dictionary<string, byte[]> Entries, string PickleName) ReadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var entries = new Dictionary<string, byte[]>();
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            entries[entry.FullName] = buffer.ToArray();
        }
        return (entries, entries.Keys.Single(k => k.EndsWith("/data.pkl", StringComparison.Ordinal)));
    }

    private static void WriteZip(string path, Dictionary<string, byte[]> entries, string pickleName, byte[] pickle)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            stream.Write(name == pickleName ? pickle : bytes);
        }
    }

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, (byte)'K', (byte)'J', (byte)'M', (byte)'h', (byte)'q', (byte)'(', (byte)'t', (byte)'X'];

    // One to four byte-level changes: overwrite, an interesting value, +/-1, delete or insert.
    private static byte[] MutateBytes(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (var n = 1 + random.Next(4); n > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] = InterestingBytes[random.Next(InterestingBytes.Length)]; break;
                case 2: bytes[at] = (byte)(bytes[at] + (random.Next(2) == 0 ? 1 : -1)); break;
                case 3: bytes.RemoveAt(at); break;
                default: bytes.Insert(at, (byte)random.Next(256)); break;
            }
        }
        return bytes.ToArray();
    }

    private static readonly string[] InterestingNumbers = ["-1000", "-3", "-2", "-1", "0", "1", "2", "3", "4", "5", "7", "8", "16", "255", "65536", "99999999999", "0.5", "1e30", "-0.0", "nan", ".inf"];
    private static readonly string[] InterestingText = ["[", "]", ",", " ", ":", "-", "'", "\"", "\n", "#", "{", "None", "nc", "anchors", "Conv", "IDetect", "x"];

    // One to three changes: a number replaced by an interesting one, or a character replaced, deleted or inserted.
    private static string MutateText(string original, Random random)
    {
        var text = original;
        for (var n = 1 + random.Next(3); n > 0; n--)
        {
            var numbers = NumberPattern().Matches(text);
            if (random.Next(3) > 0 && numbers.Count > 0)
            {
                var m = numbers[random.Next(numbers.Count)];
                text = text[..m.Index] + InterestingNumbers[random.Next(InterestingNumbers.Length)] + text[(m.Index + m.Length)..];
                continue;
            }
            var at = random.Next(text.Length);
            var insert = InterestingText[random.Next(InterestingText.Length)];
            text = random.Next(3) switch
            {
                0 => text[..at] + text[(at + 1)..],
                1 => text[..at] + insert + text[at..],
                _ => text[..at] + insert + text[(at + 1)..],
            };
        }
        return text;
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?")]
    private static partial Regex NumberPattern();

    private static readonly object?[] InterestingValues = [null, -1000L, -2L, -1L, 0L, 1L, 2L, 3L, 4L, 8L, 1024L, 1L << 40, 0.5, double.NaN, 1e300, "", "Conv", "nc", "anchors", "None", true, new List<object?>(), new List<object?> { 1L }];

    // Plain-value tree with n leaves or list lengths changed: a leaf replaced, a list element dropped or repeated.
    private static object? MutateValue(object? value, Random random, int n)
    {
        for (var i = 0; i < n; i++)
            value = MutateOnce(value, random);
        return value;
    }

    private static object? MutateOnce(object? value, Random random)
    {
        switch (value)
        {
            case Dictionary<string, object?> dict when dict.Count > 0:
            {
                var copy = new Dictionary<string, object?>(dict);
                var key = copy.Keys.ElementAt(random.Next(copy.Count));
                if (random.Next(20) == 0)
                    copy.Remove(key);
                else
                    copy[key] = MutateOnce(copy[key], random);
                return copy;
            }
            case List<object?> list when list.Count > 0:
            {
                var copy = new List<object?>(list);
                var at = random.Next(copy.Count);
                switch (random.Next(10))
                {
                    case 0: copy.RemoveAt(at); break;
                    case 1: copy.Insert(at, copy[at]); break;
                    default: copy[at] = MutateOnce(copy[at], random); break;
                }
                return copy;
            }
            default:
                return InterestingValues[random.Next(InterestingValues.Length)];
        }
    }
}
