using TorchSharp;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Runtime;
using static TorchSharp.torch;

namespace PruneCluster.Client.Cli;

/// <summary>Opens the model a command's <see cref="ModelSettings"/> describe, on the requested device.</summary>
public static class ModelSource
{
    /// <param name="classCount">For <c>--cfg</c> without weights: build the head for this many classes (train.py's
    /// <c>Model(cfg, nc=data['nc'])</c>); null keeps the cfg's <c>nc</c>.</param>
    public static LoadedModel Open(ModelSettings settings, int? classCount = null)
    {
        var device = DeviceName.Resolve(settings.Device);
        LoadedModel loaded;
        if (settings.Weights != null)
        {
            loaded = ModelFile.Load(settings.Weights, settings.Cfg);
        }
        else
        {
            var cfg = YoloCfg.Resolve(settings.Cfg!);
            if (classCount is { } nc && nc != cfg.Nc)
                cfg = cfg.WithNc(nc);
            // libtorch initialises layers from its global generator; seeding it here makes --cfg runs repeatable.
            // (The CLI process builds one model, so this process-wide state is the CLI's own, never the engine's.)
            random.manual_seed(settings.InitSeed ?? 0);
            var model = ModelBuilder.Build(cfg);
            model.eval();
            loaded = new LoadedModel(settings.Cfg!, model, null, PruningPlan.Empty);
        }
        loaded.Model.to(device);
        return loaded;
    }
}
