using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Pruning;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Models;

/// <summary>
/// Checkpoint ↔ model. Loading takes the architecture from the pickled <c>model.yaml</c> (or <c>--cfg</c> for a plain
/// state_dict) and every channel count from the tensor shapes, so official, paper-pruned and our own pruned files all
/// load as they are. Saving writes a state_dict that <c>torch.load(weights_only=True)</c> reads, plus the cfg and the
/// pruning history needed to rebuild the architecture.
/// </summary>
public static class ModelFile
{
    public const string HistoryKey = "pruning_history";

    public static LoadedModel Load(string path, string? cfgOverride = null)
    {
        using var contents = CheckpointReader.Read(path);
        var cfg = cfgOverride != null
            ? YoloCfg.Resolve(cfgOverride)
            : contents.ModelYaml != null
                ? YoloCfg.FromDictionary(contents.ModelYaml, path)
                : throw new ModelConfigException($"{path}: the file holds weights but no architecture; pass --cfg with a built-in name ({string.Join(", ", YoloCfg.BuiltInNames)}) or a cfg yaml");
        var tensors = contents.StateDict.ToDictionary(kv => kv.Key, kv => kv.Value);
        var headKey = tensors.Keys.FirstOrDefault(k => k.EndsWith(".m.0.weight", StringComparison.Ordinal));
        if (cfgOverride != null && headKey != null && tensors[headKey].shape.Length > 0)
            cfg = MatchClassCount(cfg, tensors[headKey].shape[0], path);
        var model = ModelBuilder.FromWeights(cfg, tensors, path);
        model.eval();
        model.StoredDtype = contents.StoredFloatType;
        var history = ReadHistory(contents.Metadata.GetValueOrDefault(HistoryKey), path);
        return new LoadedModel(path, model, contents.ClassNames, history);
    }

    public static void Save(string path, YoloModel model, PruningPlan history, IReadOnlyList<string>? classNames = null)
    {
        var metadata = new Dictionary<string, object?>
        {
            [CheckpointWriter.ModelYamlKey] = model.Cfg.Raw,
            ["conv_out_channels"] = model.ConvLayers.Select(l => l.Unit.OutChannels).ToList(),
            [HistoryKey] = history.Steps.Select(s => (object?)new List<object?> { (long)s.Layer, s.ChannelsBefore, s.Kept.ToList() }).ToList(),
        };
        if (classNames != null)
            metadata[CheckpointWriter.ClassNamesKey] = classNames.ToList();
        CheckpointWriter.Write(path, StateDict.Ordered(model), metadata);
    }

    // A plain state_dict used with a built-in cfg: take nc from the head so a custom-class model loads with --cfg.
    private static YoloCfg MatchClassCount(YoloCfg cfg, long headOutputs, string path)
    {
        var perAnchor = headOutputs / cfg.AnchorsPerLevel;
        if (headOutputs % cfg.AnchorsPerLevel != 0 || perAnchor < 6)
            throw new ModelConfigException($"{path}: the head has {headOutputs} outputs, which does not fit {cfg.AnchorsPerLevel} anchors; is --cfg the right architecture?");
        return perAnchor - 5 == cfg.Nc ? cfg : cfg.WithNc((int)(perAnchor - 5));
    }

    private static PruningPlan ReadHistory(object? value, string path)
    {
        if (value is not IReadOnlyList<object?> rows)
            return PruningPlan.Empty;
        var where = $"{path}: {HistoryKey}";
        return new PruningPlan(rows.Select(r =>
        {
            if (r is not IReadOnlyList<object?> { Count: 3 } parts || parts[2] is not IReadOnlyList<object?> kept)
                throw new ModelConfigException($"{where}: a step must be [layer, channels_before, kept], got {CfgValue.Describe(r)}; the file is damaged, save the checkpoint again");
            var channels = CfgLimits.Integer(parts[1], 1, CfgLimits.MaxChannels, where, "channels_before");
            return new PruningPlan.Step(
                (int)CfgLimits.Integer(parts[0], 0, int.MaxValue, where, "a layer index"),
                channels,
                kept.Select(v => CfgLimits.Integer(v, 0, channels - 1, where, "a kept filter")).ToList());
        }).ToList());
    }
}
