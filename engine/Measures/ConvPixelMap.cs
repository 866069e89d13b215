using PruneCluster.Engine.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Measures;

/// <summary>
/// Output pixels of every Conv2d for one image of the model's largest stride, measured once with forward hooks on a
/// tiny input and scaled like yolov7's model_info. Pixel counts do not change when filters are pruned, so one map
/// serves every pruned variant of the model.
/// </summary>
public sealed class ConvPixelMap
{
    private readonly Dictionary<string, long> pixels;

    private ConvPixelMap(Dictionary<string, long> pixels, int probe)
    {
        this.pixels = pixels;
        Probe = probe;
    }

    /// <summary>The probe image side (the model's largest stride).</summary>
    public int Probe { get; }

    public static ConvPixelMap Measure(YoloModel model)
    {
        var probe = (int)model.Head.Strides.Max();
        var seen = new Dictionary<string, long>();
        var hooks = new List<Action>();
        foreach (var (name, module) in model.named_modules())
        {
            if (module is Conv2d conv)
            {
                var path = name;
                var remover = conv.register_forward_hook((_, _, output) =>
                {
                    seen[path] = output.shape[2] * output.shape[3];
                    return output;
                });
                hooks.Add(remover.remove);
            }
        }
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var wasTraining = model.training;
            model.eval();
            var device = model.parameters().First().device;
            model.ForwardRaw(zeros(1, model.Cfg.InputChannels, probe, probe, device: device), includeAux: true);
            model.train(wasTraining);
        }
        finally
        {
            foreach (var remove in hooks)
                remove();
        }
        return new ConvPixelMap(seen, probe);
    }

    /// <summary>Output pixels of the Conv2d at <paramref name="path"/> for an img×img input.</summary>
    public double PixelsAt(string path, int img) => pixels[path] * (img / (double)Probe) * (img / (double)Probe);

    public IEnumerable<string> ConvPaths => pixels.Keys;
}
