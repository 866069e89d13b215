using PruneCluster.Engine.Models;
using PruneCluster.Tests.Support;

namespace PruneCluster.Tests.Models;

/// <summary>
/// One damaged value in yolov7-tiny's cfg, as a corrupted checkpoint or a mistyped yaml would hold it, gives a
/// one-line <see cref="ModelConfigException"/> naming what is wrong, before anything is allocated.
/// </summary>
public class DamagedCfgTests
{
    [Theory]
    [InlineData("[[74, 75, 76], 1, 'IDetect'", "[[74, 75, 96], 1, 'IDetect'", "layer 77: a 'from' index is 96, outside -78..76")]
    [InlineData("[57, 1, 'Conv', [128, 3, 1,", "[-99, 1, 'Conv', [128, 3, 1,", "layer 74: a 'from' index is -99")]
    [InlineData("[[-1, 37], 1, 'Concat', [1]]  # 67", "[[-1, 14], 1, 'Concat', [1]]  # 67", "must have the same stride")]
    [InlineData("[[74, 75, 76], 1, 'IDetect'", "[[74, 75], 1, 'IDetect'", "the head reads 2 layers but the cfg's 3 anchor rows need 3")]
    [InlineData("[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "[-1, 1, 'Conv', [32, 4, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "odd kernel")]
    [InlineData("[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "[-1, 1, 'Conv', [32, 3, 3, None, 1, nn.LeakyReLU(0.1)]]  # 0", "the stride is 3; it must be one of 1, 2, 4, 8")]
    [InlineData("[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1.1)]]  # 0", "activation argument '0.1.1' is not a number")]
    [InlineData("[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "[-1, 1, 'Conv', [0, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "the output channel count is 0, outside 1..16384")]
    [InlineData("[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "[-1, 1, 'Conv', [32, 3, 2, None, 3, nn.LeakyReLU(0.1)]]  # 0", "3 groups do not divide 3 input and 32 output channels")]
    [InlineData("[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1), 7]]  # 0", "7 arguments")]
    [InlineData("[-1, 1, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "[-1, 3, 'Conv', [32, 3, 2, None, 1, nn.LeakyReLU(0.1)]]  # 0", "number (repeats; YOLOv7 cfgs use 1) is 3")]
    [InlineData("width_multiple: 1.0", "width_multiple: 7.5", "over 200,000,000 parameters")]
    [InlineData("width_multiple: 1.0", "width_multiple: -1", "width_multiple is -1, outside (0, 8]")]
    [InlineData("nc: 80", "nc: 0", "nc is 0, outside 1..100000")]
    [InlineData("  - [10, 13, 16, 30, 33, 23]", "  - [10, 13, 16, 30, 33]", "same number of (w, h) pairs")]
    [InlineData("  - [10, 13, 16, 30, 33, 23]", "  - [10, 13, 16, -30, 33, 23]", "an anchor of level 0 is -30")]
    [InlineData("nc: 80", "nc: 80\nnc: 81", "Duplicate key")]
    [InlineData("nc: 80", "nc: 80\n[1]: 2", "is not a name")]
    public void OneDamagedValueIsAOneLineErrorNamingIt(string original, string damaged, string expected)
    {
        var text = File.ReadAllText(RepoFiles.Path("engine", "Models", "cfg", "training", "yolov7-tiny.yaml"));
        Assert.Contains(original, text);

        var error = Assert.Throws<ModelConfigException>(() =>
            ModelBuilder.Build(YoloCfg.FromDictionary(CfgValue.FromYaml(text.Replace(original, damaged), "damaged.yaml"), "damaged.yaml")).Dispose());

        Assert.Contains(expected, error.Message);
        Assert.StartsWith("damaged.yaml", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
