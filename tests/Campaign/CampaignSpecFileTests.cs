using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Selection;

namespace PruneCluster.Tests.Campaign;

public sealed class CampaignSpecFileTests
{
    private static CampaignSpec LoadText(string yaml)
    {
        using var folder = new TempFolder();
        var path = folder.File("campaign.yaml");
        File.WriteAllText(path, yaml);
        return CampaignSpecFile.Load(path);
    }

    [Fact]
    public void AnEmptyFileIsThePapersDefaults() => Assert.Equal(
        (CampaignSpec.Default.Sensitivity.Rates, CampaignSpec.Default.Selection, CampaignSpec.Default.FineTune, CampaignSpec.Default.Stop, ModelFileFormat.Yolov7),
        (LoadText("").Sensitivity.Rates, LoadText("").Selection, LoadText("").FineTune, LoadText("").Stop, LoadText("").Output.Format));

    [Fact]
    public void ReadsEverySection()
    {
        var spec = LoadText("""
            sensitivity:
              rates: [0.75, 0.25]
              criterion: 2
              img: 320
              batch: 16
            selection:
              mode: target
              gflops_step: 0.2
              round_to: 8
            fine_tune:
              epochs: 3
              hyp: scratch.p5
              min_warmup_iters: 0
              nominal_batch: 16
            stop:
              target_gflops_reduction: 0.4
              map_floor: 0.3
              max_iterations: 4
            output:
              format: state-dict
            """);
        Assert.Equal([0.25, 0.75], spec.Sensitivity.Rates);
        Assert.Equal((2, 320, 16, 0.001, 0.65), (spec.Sensitivity.Criterion, spec.Sensitivity.Img, spec.Sensitivity.Batch, spec.Sensitivity.Conf, spec.Sensitivity.Iou));
        Assert.Equal(new SelectionSpec(SelectionMode.Target, GflopsStep: 0.2, RoundTo: 8), spec.Selection);
        Assert.Equal(new FineTuneSpec(3, "scratch.p5", 16, MinWarmupIters: 0, NominalBatch: 16), spec.FineTune);
        Assert.Equal(new StopRules(null, 0.4, 0.3, null, 4), spec.Stop);
        Assert.Equal(new OutputSpec(ModelFileFormat.StateDict), spec.Output);
    }

    [Fact]
    public void ARecordWrittenBeforeTheOutputSectionReadsAsYolov7AndMatchesADefaultSpec()
    {
        var json = CampaignRecordFile.ToJson(CampaignRecord.Start(CampaignSpec.Default));
        Assert.Contains("\"output\": {", json);
        var old = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        old["record"]!["spec"]!.AsObject().Remove("output");
        var read = CampaignRecordFile.FromJson(old.ToJsonString(), "old campaign.json");
        Assert.Equal(ModelFileFormat.Yolov7, read.Spec.Output.Format);
        Assert.Equal(json, CampaignRecordFile.ToJson(read));
    }

    [Theory]
    [InlineData("sensitivity:\n  rate: [0.5]\n", ":2: sensitivity.rate: unknown key; use one of rates, criterion")]
    [InlineData("sensitivity:\n  rates: [0.5, 1.5]\n", ":2: sensitivity.rates: 1.5 is out of range")]
    [InlineData("sensitivity:\n  rates: [0.251, 0.25]\n", "would share output_25.txt")]
    [InlineData("sensitivity:\n  criterion: 9\n", ":2: sensitivity.criterion: 9 is out of range; use 0-6")]
    [InlineData("sensitivity:\n  img: 330\n", "sensitivity.img: 330 is not a multiple of 32 (the model's largest stride); use 352")]
    [InlineData("selection:\n  mode: greedy\n", ":2: selection.mode: 'greedy' is not a mode; use paper or target")]
    [InlineData("selection:\n  gflops_step: 1\n", "selection.gflops_step: 1 is out of range; use a value above 0 below 1")]
    [InlineData("selection:\n  round_to: 0\n", ":2: selection.round_to: 0 is out of range; use a filter count from 1")]
    [InlineData("selection:\n  round_to: 8.5\n", ":2: selection.round_to: '8.5' is not a whole number")]
    [InlineData("stop:\n  max_iterations: two\n", ":2: stop.max_iterations: 'two' is not a whole number")]
    [InlineData("stop:\n  map_floor: 0.3\n  map_floor: 0.2\n", "Duplicate key")]
    [InlineData("fine_tune: 3\n", ":1: fine_tune: expected a section")]
    [InlineData("fine_tune:\n  min_warmup_iters: -1\n", ":2: fine_tune.min_warmup_iters: -1 is out of range; use 0 or more (train.py: 1000)")]
    [InlineData("fine_tune:\n  nominal_batch: 0\n", ":2: fine_tune.nominal_batch: 0 is out of range; use 1 or more (train.py: 64)")]
    [InlineData("budget: 3\n", ":1: budget: unknown key; use one of sensitivity, selection, fine_tune, stop")]
    [InlineData("sensitivity: [0.5\n", "not valid YAML")]
    [InlineData("output:\n  format: onnx\n", ":2: output.format: 'onnx' is not a checkpoint format; use one of yolov7, state-dict")]
    [InlineData("output:\n  formats: yolov7\n", ":2: output.formats: unknown key; use one of format")]
    public void BadValuesNameFileLineAndKey(string yaml, string expected)
    {
        var error = Assert.Throws<CampaignSpecException>(() => LoadText(yaml));
        Assert.Contains("campaign.yaml", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AMissingFileSaysSo() =>
        Assert.Contains("does not exist", Assert.Throws<CampaignSpecException>(() => CampaignSpecFile.Load("/nonexistent/campaign.yaml")).Message);

    [Fact]
    public void ADamagedRecordIsOneClearError()
    {
        var json = CampaignRecordFile.ToJson(CampaignRecord.Start(CampaignSpec.Default));
        Assert.Contains("not a campaign record", Assert.Throws<CampaignSpecException>(() => CampaignRecordFile.FromJson(json[..^20], "c.json")).Message);
        Assert.Contains("format", Assert.Throws<CampaignSpecException>(() => CampaignRecordFile.FromJson(json.Replace("prunecluster-campaign/1", "x/9"), "c.json")).Message);
    }
}
