using PruneCluster.Engine.Models;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Models;

/// <summary>
/// A model built from a cfg starts as YOLOv7's Model.__init__ leaves it: the head's objectness and class biases
/// carry the focal-loss prior (<c>_initialize_biases</c>, <c>_initialize_aux_biases</c> on the auxiliary convs too) and
/// the implicit layers are drawn around 0 and 1 with std 0.02. Training from scratch depends on it: without the
/// prior every cell starts claiming an object with probability 0.5.
/// </summary>
public sealed class FreshModelInitTests
{
    [Theory]
    [InlineData("yolov7-tiny", 2)]
    [InlineData("yolov7-w6", 80)] // IAuxDetect: four levels, auxiliary convs m2
    public void HeadBiasesCarryYolov7sPriorAroundTheDefaultConvInitialisation(string cfgName, int classes)
    {
        using var scope = NewDisposeScope();
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfgName).WithNc(classes));
        var head = model.Head;
        var parameters = head.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var convs = parameters.Keys.Where(n => n.EndsWith(".bias", StringComparison.Ordinal) && (n.StartsWith("m.") || n.StartsWith("m2."))).ToList();
        Assert.Equal(cfgName == "yolov7-w6" ? 2 * head.Levels : head.Levels, convs.Count);
        foreach (var name in convs)
        {
            var level = int.Parse(name.Split('.')[1]);
            var weight = parameters[name.Replace(".bias", ".weight")];
            // PyTorch's (and libtorch's) default conv bias is uniform in ±1/sqrt(fan_in); the prior is added to it.
            var bound = 1 / Math.Sqrt(weight.shape[1]);
            var perAnchor = parameters[name].detach().view(head.AnchorsPerLevel, -1);
            var obj = Math.Log(8 / Math.Pow(640 / head.Strides[level], 2));
            var cls = Math.Log(0.6 / (classes - 0.99));
            AssertWithin(perAnchor[.., ..4], 0, bound, name + " box");
            AssertWithin(perAnchor[.., 4], obj, bound, name + " obj");
            AssertWithin(perAnchor[.., 5..], cls, bound, name + " cls");
        }
    }

    [Fact]
    public void ImplicitLayersAreDrawnAroundZeroAndOneWithStd002()
    {
        using var scope = NewDisposeScope();
        using var model = ModelBuilder.Build(YoloCfg.Resolve("yolov7-tiny"));
        var implicits = model.Head.named_parameters().Where(p => p.name.EndsWith(".implicit", StringComparison.Ordinal)).ToList();
        Assert.Equal(2 * model.Head.Levels, implicits.Count);
        foreach (var (mean, prefix) in new[] { (0.0, "ia."), (1.0, "im.") })
        {
            var values = cat(implicits.Where(p => p.name.StartsWith(prefix)).Select(p => p.parameter.detach().flatten()).ToList());
            Assert.InRange(values.mean().item<float>(), mean - 0.005, mean + 0.005);
            Assert.InRange(values.std().item<float>(), 0.015, 0.025);
        }
    }

    private static void AssertWithin(Tensor values, double centre, double bound, string what)
    {
        var deviation = (values - centre).abs().max().item<float>();
        Assert.True(deviation <= bound + 1e-6, $"{what}: {deviation} from {centre}, beyond the default init bound {bound}");
    }
}
