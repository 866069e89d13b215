using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Training;
using PruneCluster.Engine.Training.Data;
using PruneCluster.Engine.Training.Hyp;
using PruneCluster.Engine.Training.Loss;
using PruneCluster.Engine.Training.Optim;
using PruneCluster.Tests.Selection;
using PruneCluster.Tests.Support;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Training;

/// <summary>The training loop on a few bccd images at a small size, from the trained bccd checkpoint.</summary>
public sealed class TrainerTests
{
    private static TrainingOptions Options(int epochs, bool adam = false) =>
        new(HyperparameterFile.Load("scratch.tiny"), "scratch.tiny", epochs, BatchSize: 4, ImageSize: 128, Workers: 2, Seed: 3, Adam: adam);

    private static IReadOnlyList<EpochResult> Train(string folder, string yaml, int epochs, bool resume, CancellationToken cancel = default, Action<TrainingProgress>? onProgress = null, bool adam = false)
    {
        using var loaded = ModelFile.Load(resume ? Path.Combine(folder, "weights", "last.pt") : SharedData.Golden("bccd-yolov7-tiny.pt"));
        var run = new TrainingRunFolder(folder, "{}");
        return new Trainer(run, Options(epochs, adam)).Run(loaded.Model, loaded.History, ["RBC", "WBC", "Platelets"], DataYaml.Load(yaml), resume,
            onProgress is null ? null : new Progress(onProgress), cancel);
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private static Dictionary<string, Tensor> Weights(string path)
    {
        using var loaded = ModelFile.Load(path);
        return StateDict.Ordered(loaded.Model).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // --adam
    public void AnInterruptedAndResumedRunEndsWithTheWeightsOfAnUninterruptedOne(bool adam)
    {
        using var data = new TempFolder();
        var yaml = BccdSlice.Write(data.Path, 8);
        using var straight = new TempFolder();
        var rows = Train(straight.Path, yaml, 2, resume: false, adam: adam);
        Assert.Equal([0, 1], rows.Select(r => r.Epoch));
        Assert.All(rows, r => Assert.NotNull(r.Map));

        using var interrupted = new TempFolder();
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Train(interrupted.Path, yaml, 2, resume: false, cancel.Token, p =>
        {
            if (p.Validated is not null)
                cancel.Cancel(); // after epoch 0 is saved
        }, adam));
        Assert.Single(new TrainingRunFolder(interrupted.Path, "{}").ReadResults());
        var resumed = Train(interrupted.Path, yaml, 2, resume: true, adam: adam);
        Assert.Equal([0, 1], resumed.Select(r => r.Epoch));

        var expected = Weights(Path.Combine(straight.Path, "weights", "last.pt"));
        var actual = Weights(Path.Combine(interrupted.Path, "weights", "last.pt"));
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (key, tensor) in expected)
            Assert.True(tensor.allclose(actual[key], rtol: 0, atol: 0), $"{key} differs after resume");
        Assert.Equal(rows[1].Map, resumed[1].Map);
        Assert.True(File.Exists(Path.Combine(interrupted.Path, "results.png")));
        // results.csv is read back and rewritten on resume: every column but the wall time equals the straight run's.
        static IEnumerable<string> WithoutSeconds(string folder) => File.ReadLines(Path.Combine(folder, "results.csv"))
            .Select(line => string.Join(",", line.Split(',').Where((_, i) => i != 13)));
        Assert.Equal(WithoutSeconds(straight.Path), WithoutSeconds(interrupted.Path));
    }

    [Fact]
    public void OptimizerStepsLowerTheLossOnAFixedBatch()
    {
        using var data = new TempFolder();
        var yaml = DataYaml.Load(BccdSlice.Write(data.Path, 4));
        using var loaded = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var model = loaded.Model;
        model.train();
        var hyp = HyperparameterFile.Load("scratch.tiny");
        using var loader = new TrainingLoader(TrainingSet.Load(yaml), new TrainingLoaderOptions { ImageSize = 128, BatchSize = 4, Workers = 1, Shuffle = false }, null);
        using var batch = loader.Epoch(0).First();
        var loss = new YoloLoss(model.Head, hyp.ScaledFor(model.Head.Levels, model.Nc, 128), YoloLossKind.Ota);
        using var sgd = new NesterovSgd(ParameterGroups.Of(model), 0.01, hyp.Momentum, hyp.WeightDecay);
        double Step()
        {
            using var scope = NewDisposeScope();
            sgd.ZeroGrad();
            using var output = loss.Compute(model.ForwardRaw(batch.Images, includeAux: false), batch.Targets, 128);
            output.Total.backward();
            sgd.Step();
            return output.Read().Loss;
        }
        var first = Step();
        for (var i = 0; i < 4; i++)
            Step();
        using var after = loss.Compute(model.ForwardRaw(batch.Images, includeAux: false), batch.Targets, 128);
        Assert.True(after.Read().Loss < first, $"loss {first} → {after.Read().Loss}");
    }

    [Fact]
    public void PruneThenTrainKeepsThePrunedShapesAndHistory()
    {
        using var data = new TempFolder();
        var yaml = BccdSlice.Write(data.Path, 4);
        using var loaded = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var plan = Pruner.Prune(Engine.Graph.ConnectivityGraph.Build(loaded.Model), [new LayerRate(3, 0.5)], new FilterImportance(Criterion.SmallestL2));
        using var run = new TempFolder();
        new Trainer(new TrainingRunFolder(run.Path, "{}"), Options(1)).Run(loaded.Model, plan, ["RBC", "WBC", "Platelets"], DataYaml.Load(yaml), false);
        using var saved = ModelFile.Load(Path.Combine(run.Path, "weights", "best.pt"));
        Assert.Equal(loaded.Model.ConvLayers[3].Unit.OutChannels, saved.Model.ConvLayers[3].Unit.OutChannels);
        Assert.Equal(plan.Steps.Select(s => s.Layer), saved.History.Steps.Select(s => s.Layer));
    }

    [Fact]
    public void TheResumeStateRestoresAdamsAveragesAndStepsAndRefusesTheOtherOptimizer()
    {
        using var loaded = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var model = loaded.Model;
        using var adam = new AdamL2(ParameterGroups.Of(model), 0.001, 0.937, 0.0005);
        using var ema = new ModelEma(model, updates: 3);
        for (var step = 0; step < 3; step++)
        {
            foreach (var p in model.parameters())
                p.grad = full_like(p, 0.1 * (step + 1));
            adam.Step();
        }
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "state.pt");
        TrainingState.Save(path, model, ema, adam, epoch: 2, bestFitness: 0.5, runJson: "{}");

        using var other = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        using var otherEma = new ModelEma(other.Model);
        using var restored = new AdamL2(ParameterGroups.Of(other.Model), 0.5, 0.5, 0.5);
        TrainingState.Restore(path, other.Model, otherEma.Model, restored);
        Assert.Equal(adam.State.Keys.Order(), restored.State.Keys.Order());
        foreach (var (key, tensor) in adam.State)
            Assert.True(tensor.to(restored.State[key].dtype).allclose(restored.State[key], rtol: 0, atol: 0), key);
        Assert.Equal(3L, restored.State[adam.State.Keys.First(k => k.StartsWith("step/"))].item<long>());
        Assert.Equal(adam.Groups.Select(g => (g.Lr, g.Momentum, g.WeightDecay)), restored.Groups.Select(g => (g.Lr, g.Momentum, g.WeightDecay)));

        using var sgd = new NesterovSgd(ParameterGroups.Of(other.Model), 0.01, 0.937, 0.0005);
        var error = Assert.Throws<CheckpointException>(() => TrainingState.Restore(path, other.Model, otherEma.Model, sgd));
        Assert.Contains("adam", error.Message);
    }

    [Fact]
    public void TheResumeStateRestoresGroupSettingsMomentumAndTheEma()
    {
        using var loaded = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        var model = loaded.Model;
        using var sgd = new NesterovSgd(ParameterGroups.Of(model), 0.01, 0.937, 0.0005);
        using var ema = new ModelEma(model, updates: 41);
        foreach (var p in model.parameters())
            p.grad = ones_like(p);
        sgd.Step();
        sgd.SetLearningRate(0, 0.0123);
        sgd.SetMomentum(2, 0.85);
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "state.pt");
        TrainingState.Save(path, model, ema, sgd, epoch: 7, bestFitness: 0.25, runJson: "{\"x\": 1}");

        using var other = ModelFile.Load(SharedData.Golden("bccd-yolov7-tiny.pt"));
        using var otherEma = new ModelEma(other.Model);
        using var restored = new NesterovSgd(ParameterGroups.Of(other.Model), 0.5, 0.5, 0.5);
        var (epoch, best, updates, run) = TrainingState.Restore(path, other.Model, otherEma.Model, restored);
        Assert.Equal((7, 0.25, 41L, "{\"x\": 1}"), (epoch, best, updates, run));
        Assert.Equal(sgd.Groups.Select(g => (g.Lr, g.Momentum, g.WeightDecay, g.InitialLr)), restored.Groups.Select(g => (g.Lr, g.Momentum, g.WeightDecay, g.InitialLr)));
        Assert.Equal(sgd.MomentumBuffers.Keys.Order(), restored.MomentumBuffers.Keys.Order());
        foreach (var (name, buffer) in sgd.MomentumBuffers)
            Assert.True(buffer.allclose(restored.MomentumBuffers[name], rtol: 0, atol: 0), name);
        var trained = StateDict.Ordered(model).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, tensor) in StateDict.Ordered(other.Model))
            Assert.True(tensor.allclose(trained[key], rtol: 0, atol: 0), key);
    }

    [Fact]
    public void TrainCommandWritesARunThatResumesFromItsOwnSettings()
    {
        using var data = new TempFolder();
        var yaml = BccdSlice.Write(data.Path, 4);
        using var runs = new TempFolder();
        var first = Evaluation.PruneclusterProcess.Run("train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml,
            "--epochs", "1", "--batch-size", "4", "--img", "64", "--workers", "1", "--project", runs.Path, "--name", "r");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var folder = Path.Combine(runs.Path, "r");
        foreach (var file in new[] { "run.json", "hyp.yaml", "results.csv", "results.png", "weights/last.pt", "weights/best.pt", "weights/last.state.pt" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        Assert.Contains(Path.GetFullPath(yaml), File.ReadAllText(Path.Combine(folder, "run.json")));
        // The same name again is refused; --resume reads run.json and hyp.yaml and finds nothing left to train.
        var again = Evaluation.PruneclusterProcess.Run("train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml, "--project", runs.Path, "--name", "r");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--resume", again.Stderr);
        var resumed = Evaluation.PruneclusterProcess.Run("train", "--resume", "--project", runs.Path, "--name", "r");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming", resumed.Stderr);
        var bad = Evaluation.PruneclusterProcess.Run("train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml, "--linear-lr", "--epochs", "1", "--project", runs.Path, "--name", "s");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--linear-lr", bad.Stderr);
    }
    [Fact]
    public void MinWarmupItersShortensTheWarmupSoTheWeightsLrRisesFaster()
    {
        using var data = new TempFolder();
        var yaml = BccdSlice.Write(data.Path, 4);
        using var runs = new TempFolder();
        double SecondEpochWeightsLr(string name, params string[] extra)
        {
            var run = Evaluation.PruneclusterProcess.Run(["train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml,
                "--epochs", "2", "--batch-size", "4", "--img", "64", "--workers", "1", "--notest", "--project", runs.Path, "--name", name, .. extra]);
            Assert.True(run.ExitCode == 0, run.Stderr);
            var header = File.ReadLines(Path.Combine(runs.Path, name, "results.csv")).First().Split(',').Select(c => c.Trim()).ToList();
            var row = File.ReadLines(Path.Combine(runs.Path, name, "results.csv")).ElementAt(2).Split(',');
            return double.Parse(row[header.IndexOf("x/lr1")], System.Globalization.CultureInfo.InvariantCulture);
        }

        // One batch per epoch: the second epoch's batch is integrated batch 1, inside either warm-up. hyp.scratch.tiny has
        // warmup_epochs 3, so without the floor the warm-up is 3 batches long instead of train.py's 1000.
        var trainPy = SecondEpochWeightsLr("floor1000");
        var noFloor = SecondEpochWeightsLr("floor0", "--min-warmup-iters", "0");
        Assert.True(trainPy > 0);
        Assert.Equal(1000.0 / 3, noFloor / trainPy, 6);
        Assert.Contains("\"min_warmup_iters\": 0", File.ReadAllText(Path.Combine(runs.Path, "floor0", "run.json")));

        var bad = Evaluation.PruneclusterProcess.Run("train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml, "--min-warmup-iters", "-1", "--project", runs.Path, "--name", "bad");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--min-warmup-iters -1", bad.Stderr);
    }

    [Fact]
    public void NominalBatchSetsHowManyBatchesMakeOneOptimizerStep()
    {
        using var data = new TempFolder();
        var yaml = BccdSlice.Write(data.Path, 8);
        using var runs = new TempFolder();
        long OptimizerSteps(string name, params string[] extra)
        {
            var run = Evaluation.PruneclusterProcess.Run(["train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml,
                "--epochs", "1", "--batch-size", "2", "--img", "64", "--workers", "1", "--notest", "--min-warmup-iters", "0",
                "--project", runs.Path, "--name", name, .. extra]);
            Assert.True(run.ExitCode == 0, run.Stderr);
            // The EMA is updated once per optimizer step; the resume state keeps the count as train.py's "updates".
            using var checkpoint = CheckpointReader.Read(Path.Combine(runs.Path, name, "weights", "last.state.pt"));
            return Convert.ToInt64(checkpoint.Metadata["updates"]);
        }

        // Four batches of 2 in a warm-up of round(3 · 4) = 12 batches: with train.py's nbs 64 the accumulation rises
        // from 1 towards 32, so only the first batch steps; with a nominal batch of 2 every batch does.
        Assert.Equal(1, OptimizerSteps("nbs64"));
        Assert.Equal(4, OptimizerSteps("nbs2", "--nominal-batch", "2"));
        Assert.Contains("\"nominal_batch\": 2", File.ReadAllText(Path.Combine(runs.Path, "nbs2", "run.json")));

        var bad = Evaluation.PruneclusterProcess.Run("train", "--weights", SharedData.Golden("bccd-yolov7-tiny.pt"), "--data", yaml, "--nominal-batch", "0", "--project", runs.Path, "--name", "bad");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--nominal-batch 0", bad.Stderr);
    }
}
