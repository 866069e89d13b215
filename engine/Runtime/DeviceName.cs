using static TorchSharp.torch;

namespace PruneCluster.Engine.Runtime;

/// <summary>The device strings the CLI takes (<c>cpu</c>, <c>cuda:N</c>), turned into a TorchSharp device.</summary>
public static class DeviceName
{
    /// <exception cref="NotSupportedException">CUDA was asked for but this build or machine has none.</exception>
    public static Device Resolve(string text)
    {
        if (text == "cpu")
            return CPU;
        if (!text.StartsWith("cuda", StringComparison.Ordinal))
            throw new NotSupportedException($"--device {text}: use cpu or cuda:N");
        if (!cuda.is_available())
            throw new NotSupportedException($"--device {text}: CUDA is not available in this build or on this machine; use --device cpu or build with -p:TorchBackend=cuda on a GPU node");
        return new Device(text);
    }
}
