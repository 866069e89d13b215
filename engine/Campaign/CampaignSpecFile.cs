using System.Globalization;
using PruneCluster.Engine.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PruneCluster.Engine.Campaign;

/// <summary>
/// Reads <c>campaign.yaml</c>: five optional sections (<c>sensitivity</c>, <c>selection</c>, <c>fine_tune</c>,
/// <c>stop</c>, <c>output</c>) whose keys are the CLI option names in snake_case; anything left out keeps the paper's default
/// (<see cref="CampaignSpec.Default"/>). Every value is checked before a campaign starts: an unknown key, a wrong
/// type or an out-of-range value is one <see cref="CampaignSpecException"/> naming file, line and key.
/// </summary>
public static class CampaignSpecFile
{
    public static CampaignSpec Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new CampaignSpecException($"campaign config {full} does not exist; pass a campaign.yaml (see README, Campaigns) or leave --config out for the defaults");
        return Parse(File.ReadAllText(full), full);
    }

    /// <summary>Reads campaign.yaml text (the cluster sends it as text); <paramref name="source"/> names it in errors.</summary>
    public static CampaignSpec Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            throw new CampaignSpecException($"{source}: not valid YAML ({e.Message.ReplaceLineEndings(" ")}); fix the syntax", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            return CampaignSpec.Default;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new CampaignSpecException($"{source}: expected a mapping with sections sensitivity, selection, fine_tune, stop, output");
        return Parse(new Reader(source), root);
    }

    private static CampaignSpec Parse(Reader file, YamlMappingNode root)
    {
        var sections = file.Keys(root, "", "sensitivity", "selection", "fine_tune", "stop", "output");
        var d = CampaignSpec.Default;

        var s = d.Sensitivity;
        if (sections.TryGetValue("sensitivity", out var sNode))
        {
            var keys = file.Keys(file.Mapping(sNode, "sensitivity"), "sensitivity.", "rates", "criterion", "seed", "img", "batch", "conf", "iou");
            s = new SensitivitySpec(
                keys.TryGetValue("rates", out var rates) ? file.Rates(rates) : s.Rates,
                file.Int(keys, "criterion", s.Criterion, 0, 6, "sensitivity.", "use 0-6 (see prunecluster prune --help)"),
                file.Int(keys, "seed", (int)s.Seed, 0, int.MaxValue, "sensitivity.", "use a whole number ≥ 0"),
                file.Img(keys, s.Img),
                file.Int(keys, "batch", s.Batch, 1, 4096, "sensitivity.", "use 1 or more"),
                file.Number(keys, "conf", s.Conf, 0, 1, "sensitivity.", lowOpen: false, highOpen: true),
                file.Number(keys, "iou", s.Iou, 0, 1, "sensitivity.", lowOpen: true, highOpen: false));
        }

        var sel = d.Selection;
        if (sections.TryGetValue("selection", out var selNode))
        {
            var keys = file.Keys(file.Mapping(selNode, "selection"), "selection.", "mode", "params_layers", "flops_layers", "params_map", "flops_map", "gflops_step", "round_to");
            sel = new SelectionSpec(
                keys.TryGetValue("mode", out var mode) ? file.Mode(mode) : sel.Mode,
                file.Int(keys, "params_layers", sel.ParamsLayers, 0, 10_000, "selection.", "use 0 or more"),
                file.Int(keys, "flops_layers", sel.FlopsLayers, 0, 10_000, "selection.", "use 0 or more"),
                file.Number(keys, "params_map", sel.ParamsMap, 0, 1e6, "selection.", lowOpen: false, highOpen: false),
                file.Number(keys, "flops_map", sel.FlopsMap, 0, 1e6, "selection.", lowOpen: false, highOpen: false),
                file.Number(keys, "gflops_step", sel.GflopsStep, 0, 1, "selection.", lowOpen: true, highOpen: true),
                file.Int(keys, "round_to", sel.RoundTo, 1, 4096, "selection.", "use a filter count from 1 (no rounding) to 4096, e.g. 8"));
        }

        var ft = d.FineTune;
        if (sections.TryGetValue("fine_tune", out var ftNode))
        {
            var keys = file.Keys(file.Mapping(ftNode, "fine_tune"), "fine_tune.", "epochs", "hyp", "batch_size", "min_warmup_iters", "nominal_batch", "adam");
            ft = new FineTuneSpec(
                file.Int(keys, "epochs", ft.Epochs, 0, 100_000, "fine_tune.", "use 0 (prune only) or more"),
                keys.TryGetValue("hyp", out var hyp) ? file.Text(hyp, "fine_tune.hyp") : ft.Hyp,
                file.Int(keys, "batch_size", ft.BatchSize, 1, 4096, "fine_tune.", "use 1 or more"),
                file.Int(keys, "min_warmup_iters", ft.MinWarmupIters, 0, 1_000_000, "fine_tune.", "use 0 or more (train.py: 1000)"),
                file.Int(keys, "nominal_batch", ft.NominalBatch, 1, 4096, "fine_tune.", "use 1 or more (train.py: 64)"),
                file.Bool(keys, "adam", ft.Adam, "fine_tune."));
        }

        var stop = d.Stop;
        if (sections.TryGetValue("stop", out var stopNode))
        {
            var keys = file.Keys(file.Mapping(stopNode, "stop"), "stop.", "target_params_reduction", "target_gflops_reduction", "map_floor", "max_map_drop", "max_iterations");
            stop = new StopRules(
                file.OptionalNumber(keys, "target_params_reduction", 0, 1, "stop.", lowOpen: true, highOpen: true),
                file.OptionalNumber(keys, "target_gflops_reduction", 0, 1, "stop.", lowOpen: true, highOpen: true),
                file.OptionalNumber(keys, "map_floor", 0, 1, "stop.", lowOpen: false, highOpen: false),
                file.OptionalNumber(keys, "max_map_drop", 0, 1, "stop.", lowOpen: false, highOpen: false),
                file.Int(keys, "max_iterations", stop.MaxIterations, 1, 1000, "stop.", "use 1 or more"));
        }
        var output = d.Output;
        if (sections.TryGetValue("output", out var outputNode))
        {
            var keys = file.Keys(file.Mapping(outputNode, "output"), "output.", "format");
            if (keys.TryGetValue("format", out var format))
                output = new OutputSpec(file.Format(format));
        }
        return new CampaignSpec(s, sel, ft, stop, output);
    }

    /// <summary>Typed reads that name the file, line and key of a bad value.</summary>
    private sealed class Reader(string path)
    {
        public Dictionary<string, YamlNode> Keys(YamlMappingNode map, string prefix, params string[] known)
        {
            var found = new Dictionary<string, YamlNode>();
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                if (!known.Contains(name))
                    throw Bad(key, $"{prefix}{name}", $"unknown key; use one of {string.Join(", ", known)}");
                found[name] = value; // YamlDotNet already rejects a key given twice
            }
            return found;
        }

        public YamlMappingNode Mapping(YamlNode node, string key) =>
            node as YamlMappingNode ?? throw Bad(node, key, "expected a section of key: value lines");

        public int Int(Dictionary<string, YamlNode> keys, string key, int fallback, int min, int max, string prefix, string fix)
        {
            if (!keys.TryGetValue(key, out var node))
                return fallback;
            if (node is not YamlScalarNode { Value: { } text } || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                throw Bad(node, prefix + key, $"'{Show(node)}' is not a whole number; {fix}");
            if (value < min || value > max)
                throw Bad(node, prefix + key, $"{value} is out of range; {fix}");
            return value;
        }

        public bool Bool(Dictionary<string, YamlNode> keys, string key, bool fallback, string prefix)
        {
            if (!keys.TryGetValue(key, out var node))
                return fallback;
            return Show(node) switch
            {
                "true" or "True" => true,
                "false" or "False" => false,
                var other => throw Bad(node, prefix + key, $"'{other}' is not true or false"),
            };
        }

        public int Img(Dictionary<string, YamlNode> keys, int fallback)
        {
            var img = Int(keys, "img", fallback, 32, 8192, "sensitivity.", "use a multiple of 32, e.g. 320 or 640");
            return img % 32 == 0 ? img : throw Bad(keys["img"], "sensitivity.img", $"{img} is not a multiple of 32 (the model's largest stride); use {(img + 31) / 32 * 32}");
        }

        public double Number(Dictionary<string, YamlNode> keys, string key, double fallback, double min, double max, string prefix, bool lowOpen, bool highOpen) =>
            keys.TryGetValue(key, out var node) ? Number(node, prefix + key, min, max, lowOpen, highOpen) : fallback;

        public double? OptionalNumber(Dictionary<string, YamlNode> keys, string key, double min, double max, string prefix, bool lowOpen, bool highOpen) =>
            keys.TryGetValue(key, out var node) && !IsNull(node) ? Number(node, prefix + key, min, max, lowOpen, highOpen) : null;

        public IReadOnlyList<double> Rates(YamlNode node)
        {
            var items = node is YamlSequenceNode list ? list.Children.ToList() : [node];
            if (items.Count == 0)
                throw Bad(node, "sensitivity.rates", "empty; give rates such as [0.25, 0.5, 0.75]");
            var rates = items.Select(n => Number(n, "sensitivity.rates", 0, 1, lowOpen: true, highOpen: true)).ToList();
            // Results are filed as output_{int(100·rate)}.txt, as in the paper; two rates sharing a file would mix.
            var clash = rates.GroupBy(r => (int)(100 * r)).FirstOrDefault(g => g.Count() > 1);
            if (clash is not null)
                throw Bad(node, "sensitivity.rates", $"{string.Join(" and ", clash)} would share output_{clash.Key}.txt; use rates that differ in the first two decimals");
            return rates.Order().ToList();
        }

        public SelectionMode Mode(YamlNode node) => Show(node) switch
        {
            "paper" => SelectionMode.Paper,
            "target" => SelectionMode.Target,
            var other => throw Bad(node, "selection.mode", $"'{other}' is not a mode; use paper or target"),
        };

        public ModelFileFormat Format(YamlNode node) =>
            ModelFileFormats.Parse(node is YamlScalarNode scalar ? scalar.Value : null)
            ?? throw Bad(node, "output.format", $"'{Show(node)}' is not a checkpoint format; use one of {ModelFileFormats.Names}");

        public string Text(YamlNode node, string key) =>
            node is YamlScalarNode { Value: { Length: > 0 } text } ? text : throw Bad(node, key, "expected a name or a path");

        private double Number(YamlNode node, string key, double min, double max, bool lowOpen, bool highOpen)
        {
            if (node is not YamlScalarNode { Value: { } text }
                || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                throw Bad(node, key, $"'{Show(node)}' is not a number");
            var low = lowOpen ? value <= min : value < min;
            var high = highOpen ? value >= max : value > max;
            if (low || high)
                throw Bad(node, key, $"{text} is out of range; use a value {(lowOpen ? "above" : "from")} {min.ToString(CultureInfo.InvariantCulture)} {(highOpen ? "below" : "to")} {max.ToString(CultureInfo.InvariantCulture)}");
            return value;
        }

        private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "null" or "~" };

        private static string Show(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "" : node.NodeType.ToString().ToLowerInvariant();

        private CampaignSpecException Bad(YamlNode node, string key, string problem) =>
            new($"{path}:{node.Start.Line}: {key}: {problem}");
    }
}
