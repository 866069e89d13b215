using System.Diagnostics;
using System.Globalization;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Data.Synthetic;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using PruneCluster.Engine.Training;

namespace PruneCluster.Benchmarks;

/// <summary>
/// How soon a yolov7-tiny trained from scratch learns synthetic shapes (issue 9 §3): for each set of shape kinds, a
/// data set as <c>demo</c> makes it (one to three objects of 20–60 % of the image), trained with demo's recipe (Adam,
/// a step every batch, no warm-up floor, validation each epoch). Prints a table per set: mAP@.5 at a few epochs, the
/// first epoch at mAP@.5 ≥ 0.5, the class loss at the end (chance level for two classes is about 0.69 × the cls gain),
/// and the training time.
/// </summary>
public static class Learnability
{
    public static int Run(Arguments a)
    {
        var sets = (a.Optional("--kinds") ?? "circle,ring;circle,square").Split(';');
        var epochs = a.Int("--epochs", 20);
        var images = a.Int("--images", 512);
        var img = a.Int("--img", 64);
        var batch = a.Int("--batch", 8);
        var hyp = a.Optional("--hyp") ?? "synth.adam.tiny";
        var marks = new[] { 5, 10, 15, epochs }.Where(e => e <= epochs).Distinct().ToList(); // epochs whose mAP@.5 the table shows
        var root = Directory.CreateTempSubdirectory("prunecluster-learn-").FullName;
        try
        {
            var rows = new List<string>();
            foreach (var set in sets)
            {
                var kinds = SyntheticDatasetOptions.ParseKinds(set) ?? throw new ArgumentException($"--kinds {set}: unknown shape kind");
                var folder = Path.Combine(root, set.Replace(',', '-'));
                var data = SyntheticDataset.Write(Path.Combine(folder, "data"), new SyntheticDatasetOptions
                {
                    Images = images, Kinds = kinds, ImageSize = img, MinObjectSize = 0.2, MaxObjectSize = 0.6, MaxObjects = 3,
                });
                var initial = Path.Combine(folder, "initial.pt");
                TorchSharp.torch.random.manual_seed(0); // as the CLI's --cfg (its --init-seed 0): this harness builds one model at a time
                using (var fresh = ModelBuilder.Build(YoloCfg.Resolve("yolov7-tiny").WithNc(data.Names.Count)))
                    ModelFile.Save(initial, fresh, PruningPlan.Empty, data.Names);
                var spec = CampaignSpec.Default with
                {
                    Sensitivity = new SensitivitySpec(Img: img, Batch: 8),
                    FineTune = new FineTuneSpec(epochs, hyp, batch, MinWarmupIters: 0, NominalBatch: batch, Adam: true),
                };
                var results = new List<EpochResult>();
                var clock = Stopwatch.StartNew();
                new CampaignPhases(spec, data.DataYaml, "cpu").FineTune(initial, Path.Combine(folder, "run"), new SyncProgress<TrainingProgress>(p =>
                {
                    if (p.Validated is not { } row)
                        return;
                    results.Add(row);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{set}: epoch {row.Epoch + 1}/{epochs} mAP@.5 {row.Map50:0.000} cls {row.Cls:0.0000}"));
                }));
                var seconds = clock.Elapsed.TotalSeconds;
                string At(int epoch) => epoch <= results.Count ? (results[epoch - 1].Map50 ?? 0).ToString("0.00", CultureInfo.InvariantCulture) : "";
                var firstUseful = results.FindIndex(r => r.Map50 >= 0.5);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {set} | {string.Join(" / ", marks.Select(At))} | {(firstUseful < 0 ? "—" : (firstUseful + 1).ToString(CultureInfo.InvariantCulture))} | {results[^1].Cls:0.0000} | {seconds / 60:0.0} |"));
                Console.Error.WriteLine(rows[^1]);
            }
            Console.WriteLine($"| kinds ({images} images at {img} px, {hyp}, batch {batch}) | mAP@.5 after epoch {string.Join(" / ", marks)} | first epoch ≥ 0.5 | cls loss, last epoch | training (min) |");
            Console.WriteLine("|---|---|---|---|---|");
            rows.ForEach(Console.WriteLine);
            Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
