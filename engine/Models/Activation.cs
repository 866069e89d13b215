using System.Globalization;
using System.Text.RegularExpressions;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PruneCluster.Engine.Models;

/// <summary>Turns a cfg's activation argument (<c>True</c>, <c>nn.LeakyReLU(0.1)</c>, <c>nn.SiLU()</c> …) into a module factory.</summary>
public static partial class Activation
{
    public static Func<Module<Tensor, Tensor>> Parse(object? spec, string where)
    {
        switch (spec)
        {
            case true:
                return () => SiLU();
            case false or null:
                return () => Identity();
            case string text:
                var match = CallPattern().Match(text.Replace(" ", ""));
                if (!match.Success)
                    break;
                var arg = match.Groups[2].Value;
                double Number(double fallback) => arg.Length == 0
                    ? fallback
                    : double.TryParse(arg.Split('=').Last(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n)
                        ? n
                        : throw new ModelConfigException($"{where}: activation argument '{arg}' is not a number; fix the cfg");
                switch (match.Groups[1].Value)
                {
                    case "SiLU": return () => SiLU();
                    case "ReLU": return () => ReLU();
                    case "Identity": return () => Identity();
                    case "Hardswish": return () => Hardswish();
                    case "Mish": return () => Mish();
                    case "Sigmoid": return () => Sigmoid();
                    case "LeakyReLU":
                        var slope = Number(0.01);
                        return () => new Modules.LeakyRelu(slope);
                }
                break;
        }
        throw new ModelConfigException($"{where}: unsupported activation '{CfgValue.Describe(spec)}'; use True, nn.SiLU(), nn.ReLU(), nn.LeakyReLU(slope), nn.Hardswish(), nn.Mish() or nn.Identity()");
    }

    [GeneratedRegex(@"^(?:nn\.|torch\.nn\.)?(\w+)\((.*)\)$")]
    private static partial Regex CallPattern();
}
