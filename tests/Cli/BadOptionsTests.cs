using System.Collections.Concurrent;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Evaluation;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Cli;

/// <summary>
/// Every command's malformed and edge-case options, run through the real CLI process: each must give exit code 2,
/// exactly one line on stderr that names the input, nothing on stdout, and no stack trace (managed or libtorch's).
/// </summary>
public sealed class BadOptionsTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Every_malformed_or_edge_case_option_gives_exit_code_2_and_one_error_line_without_a_stack_trace()
    {
        var failures = new ConcurrentBag<string>();
        // Processes are independent (own temp files, read-only inputs); most rows fail before a model loads.
        Parallel.ForEach(Rows(), new ParallelOptions { MaxDegreeOfParallelism = 4 }, row =>
        {
            var run = PruneclusterProcess.Run(row.Args);
            if (Problem(run, row.Mentioned) is { } problem)
                failures.Add($"prunecluster {string.Join(' ', row.Args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a))}: {problem}");
        });
        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Order()));
    }

    private static string? Problem(PruneclusterProcess.Outcome run, string mentioned)
    {
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (run.ExitCode != 2)
            return $"exit code {run.ExitCode}, stderr: {run.Stderr}";
        if (lines.Length != 1)
            return $"{lines.Length} lines on stderr: {run.Stderr}";
        if (!lines[0].StartsWith("error: ", StringComparison.Ordinal) || !lines[0].Contains(mentioned, StringComparison.Ordinal))
            return $"'{lines[0]}' does not name '{mentioned}'";
        if (run.Stdout.Length > 0)
            return $"stdout is not empty: {run.Stdout}";
        return null;
    }

    private IEnumerable<(string[] Args, string Mentioned)> Rows()
    {
        var tiny = new[] { "--cfg", "yolov7-tiny" };
        var golden = SharedData.Golden("yolov7-tiny-golden.pt");
        var save = folder.File("never.pt");
        var output = folder.File("never.npy");
        var good = Npy("good.npy", 1, 3, 64, 64);
        var data = BccdGolden.DataYaml;
        var bccd = BccdGolden.Weights;
        var detections = SharedData.Golden("metrics_golden.json");
        var missing = folder.File("missing.json");
        var badCfg = Text("bad-cfg.yaml", "nc: 3\n");
        var notJson = Text("not.json", "{ this is not json");
        var badLayout = Text("bad-layout.json", "{\"nc\": 2, \"images\": [{\"labels\": [[0, 1]], \"predictions\": []}]}");

        string[] Info(params string[] more) => ["info", .. tiny, .. more];
        string[] Prune(params string[] more) => ["prune", .. tiny, "--pruning-params", "0.5", "--save", save, .. more];
        string[] Forward(string input, params string[] more) => ["forward", .. tiny, "--input", input, "--output", output, .. more];
        string[] Test(params string[] more) => ["test", "--data", data, "--weights", bccd, .. more];

        return
        [
            // The command line itself.
            (["frobnicate"], "frobnicate"),
            (Info("--bogus"), "--bogus"),
            (Info("-x"), "-x"),
            (["graph", .. tiny, "seed"], "seed"),
            (["prune", .. tiny, "--prune-params", "0.5", "--save", save], "--prune-params"),
            (Info("--img"), "--img needs a value"),
            (Info("--img", "abc"), "--img abc"),
            (Info("--img=1.5"), "--img=1.5"),
            // Where the model comes from, and where it runs.
            (["info"], "--weights"),
            (["info", "--weights", folder.File("missing.pt")], "missing.pt"),
            (["info", "--weights", folder.Path], folder.Path),
            (["info", "--cfg", "yolov9-imaginary"], "yolov9-imaginary"),
            (["info", "--cfg", "yolov7-tiny-silu"], "deploy/yolov7-tiny-silu"),
            (["info", "--cfg", badCfg], badCfg),
            (Info("--device", "tpu"), "--device tpu"),
            (["info", "--weights", golden, "--init-seed", "1"], "--init-seed"),
            (Info("--init-seed", "x"), "--init-seed x"),
            // --img: positive, bounded (non-multiples of the stride are rounded up with a warning, not an error).
            (Info("--img", "0"), "--img 0"),
            (Info("--img", "-32"), "--img -32"),
            (Info("--img", "100000"), "--img 100000"),
            (Prune("--img", "0"), "--img 0"),
            (Test("--img", "0"), "--img 0"),
            (["graph", .. tiny, "--format", "xml"], "--format xml"),
            // prune
            (["prune", .. tiny, "--save", save], "--pruning-params"),
            (["prune", .. tiny, "--pruning-params", "0.5"], "--save"),
            (Prune("--criterion", "7"), "--criterion 7"),
            (Prune("--seed", "1.5"), "--seed 1.5"),
            (["prune", .. tiny, "--pruning-params", "[(8, 0.5", "--save", save], "--pruning-params"),
            (["prune", .. tiny, "--pruning-params", "half", "--save", save], "--pruning-params"),
            // forward: the tensor must be what the model runs on.
            (["forward", .. tiny, "--output", output], "--input"),
            (Forward(folder.File("missing.npy")), "missing.npy"),
            (Forward(Npy("odd.npy", 1, 3, 200, 296)), "multiples of the model's max stride 32"),
            (Forward(Npy("float64.npy", ScalarType.Float64, 1, 3, 64, 64)), "float32"),
            (Forward(Npy("three-dims.npy", 3, 64, 64)), "[batch, 3, h, w]"),
            (Forward(Npy("one-channel.npy", 1, 1, 64, 64)), "[batch, 3, h, w]"),
            (Forward(Text("text.npy", "not an array")), "text.npy"),
            (Forward(good, "--pruning-params", "[(99, 0.5)]"), "99"),
            // test: every option checked before the model or the data load.
            (["test", "--weights", bccd], "--data"),
            (["test", "--data", folder.File("missing.yaml"), "--weights", bccd], "missing.yaml"),
            (Test("--task", "bogus"), "--task bogus"),
            (Test("--batch", "0"), "--batch 0"),
            (Test("--conf", "2"), "--conf 2"),
            (Test("--iou", "-1"), "--iou -1"),
            (Test("--coco-annotations", missing), missing),
            (Test("--save-predictions", folder.Path), folder.Path),
            // metrics
            (["metrics"], "--input"),
            (["metrics", "--input", missing], missing),
            (["metrics", "--input", folder.Path], folder.Path),
            (["metrics", "--input", notJson], notJson),
            (["metrics", "--input", badLayout], badLayout),
            (["metrics", "--input", detections, "--coco-annotations", missing], "--coco"),
            (["metrics", "--input", detections, "--coco", "--coco-annotations", missing], missing),
        ];
    }

    private string Npy(string name, params long[] shape) => Npy(name, ScalarType.Float32, shape);

    private string Npy(string name, ScalarType dtype, params long[] shape)
    {
        var path = folder.File(name);
        using var tensor = rand(shape, dtype);
        NpyFile.Write(path, tensor);
        return path;
    }

    private string Text(string name, string content)
    {
        var path = folder.File(name);
        File.WriteAllText(path, content);
        return path;
    }
}
