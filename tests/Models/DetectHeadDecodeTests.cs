using PruneCluster.Engine.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Models;

/// <summary>
/// The head decodes each level in place (sigmoid, then xy and wh rewritten) and sensitivity variants decode only the
/// levels they reach: the result must be YOLOv7's formula, value for value, whichever way it is assembled.
/// </summary>
public sealed class DetectHeadDecodeTests
{
    [Theory]
    [InlineData("yolov7-tiny")]
    [InlineData("yolov7-w6")] // four levels, IAuxDetect
    public void LevelByLevelInPlaceDecodingEqualsYolov7sConcatenatedFormulaExactly(string cfg)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var model = ModelBuilder.Build(YoloCfg.Resolve(cfg));
        var head = model.Head;
        var anchorGrid = head.named_buffers().Single(b => b.name == "anchor_grid").buffer;
        var generator = new Generator(11);
        var raw = Enumerable.Range(0, head.Levels)
            .Select(i => 4 * randn([2, head.AnchorsPerLevel, 6 >> Math.Min(i, 2), 7 >> Math.Min(i, 2), head.Outputs], generator: generator))
            .ToList();
        var rawBefore = raw.Select(r => r.clone()).ToList();

        var decoded = head.Decode(raw);
        var byLevel = Enumerable.Range(0, head.Levels).Select(i => head.DecodeLevel(i, raw[i])).ToList();

        // IDetect.forward as written in YOLOv7 (out of place, then concatenated).
        var reference = cat(Enumerable.Range(0, head.Levels).Select(i =>
        {
            var (bs, ny, nx) = (raw[i].shape[0], raw[i].shape[2], raw[i].shape[3]);
            var y = raw[i].sigmoid();
            var mesh = meshgrid([arange(ny), arange(nx)], indexing: "ij");
            var grid = stack([mesh[1], mesh[0]], 2).view(1, 1, ny, nx, 2).to(ScalarType.Float32);
            var xy = (y[TensorIndex.Ellipsis, TensorIndex.Slice(0, 2)] * 2.0 - 0.5 + grid) * head.Strides[i];
            var wh = (y[TensorIndex.Ellipsis, TensorIndex.Slice(2, 4)] * 2).pow(2) * anchorGrid[i];
            return cat([xy, wh, y[TensorIndex.Ellipsis, TensorIndex.Slice(4, null)]], -1).view(bs, -1, head.Outputs);
        }).ToList(), 1);

        Assert.Equal(reference.data<float>().ToArray(), decoded.data<float>().ToArray());
        Assert.Equal(decoded.data<float>().ToArray(), cat(byLevel, 1).data<float>().ToArray());
        Assert.All(raw.Zip(rawBefore), p => Assert.Equal(p.Second.data<float>().ToArray(), p.First.data<float>().ToArray()));
    }
}
