using PruneCluster.Engine.Models.Modules;

namespace PruneCluster.Engine.Models;

/// <summary>
/// The <c>yaml</c> a YOLOv7 checkpoint carries (<c>Model.yaml</c>, which YOLOv7's train.py rebuilds the network
/// from), written for the model as it is now: each Conv, RepConv, SPPCSPC and DownC row's channel argument is the
/// pruned count wherever YOLOv7's <c>parse_model</c> (<c>make_divisible(c2 · width_multiple, 8)</c>, SPPCSPC's and
/// DownC's fixed inner widths) builds exactly that count from it; other rows keep their argument.
/// </summary>
/// <param name="Yaml">The cfg dict in YOLOv7's key order (<c>nc</c>, multiples, anchors, backbone, head, …, <c>ch</c>).</param>
/// <param name="Pruned">Whether some conv has another width than the cfg's own arguments give (the model was pruned).</param>
/// <param name="RebuildsExactly">Whether YOLOv7 builds every conv with the model's width from <see cref="Yaml"/>.</param>
public sealed record Yolov7Yaml(IReadOnlyDictionary<string, object?> Yaml, bool Pruned, bool RebuildsExactly)
{
    private static readonly string[] KeyOrder = ["nc", "depth_multiple", "width_multiple", "anchors", "backbone", "head"];

    public static Yolov7Yaml Describe(YoloModel model)
    {
        var cfg = model.Cfg;
        var raw = cfg.Raw;
        var backbone = (IReadOnlyList<object?>)raw["backbone"]!;
        var rows = backbone.Concat((IReadOnlyList<object?>)raw["head"]!).Select(r => ((IReadOnlyList<object?>)r!).ToList()).ToList();
        var (pruned, exact) = (false, true);
        for (var i = 0; i < rows.Count && i < model.Layers.Count; i++)
        {
            var actual = model.Layers[i].ConvUnits.Select(u => u.Unit.OutChannels).ToList();
            if (actual.Count == 0 || model.Layers[i] is DetectHead || rows[i][3] is not IReadOnlyList<object?> args
                || args.Count == 0 || args[0] is not (long or int))
                continue;
            var written = Convert.ToInt64(args[0]);
            if (Widths(model, i, written).SequenceEqual(actual))
                continue;
            pruned = true;
            var candidate = MainWidth(model.Layers[i], actual);
            if (cfg.WidthMultiple == 1.0 && Widths(model, i, candidate).SequenceEqual(actual))
                rows[i][3] = new List<object?> { candidate }.Concat(args.Skip(1)).ToList();
            else
                exact = false;
        }
        var yaml = new Dictionary<string, object?>();
        foreach (var key in KeyOrder.Concat(raw.Keys.Except(KeyOrder).Where(k => k != "ch")))
            yaml[key] = key switch
            {
                "backbone" => rows.Take(backbone.Count).Cast<object?>().ToList(),
                "head" => rows.Skip(backbone.Count).Cast<object?>().ToList(),
                _ => raw.GetValueOrDefault(key),
            };
        yaml["ch"] = (long)cfg.InputChannels; // Model.__init__ adds it
        return new Yolov7Yaml(yaml, pruned, exact);
    }

    // The row's own width as parse_model reads it: the output of Conv/RepConv/SPPCSPC, twice a DownC branch.
    private static long MainWidth(YoloLayer layer, IReadOnlyList<long> actual) => layer switch
    {
        SPPCSPC => actual[^1],
        DownC => actual[1] + actual[2],
        _ => actual[0],
    };

    // The widths of the row's convs (in ConvUnits order) that YOLOv7 builds from channel argument c2.
    private static List<long> Widths(YoloModel model, int row, long c2)
    {
        var no = model.Cfg.AnchorsPerLevel * (model.Cfg.Nc + 5);
        var c = c2 == no ? c2 : ModelBuilder.MakeDivisible(c2 * model.Cfg.WidthMultiple, 8);
        var layer = model.Layers[row];
        return layer switch
        {
            SPPCSPC => [c, c, c, c, c, c, c],
            DownC => [layer.ConvUnits.First().Unit.InChannels, c / 2, c / 2],
            _ => [c],
        };
    }
}
