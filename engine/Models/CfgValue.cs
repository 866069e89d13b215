using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace PruneCluster.Engine.Models;

/// <summary>
/// Converts cfg content into the plain value model used everywhere in the engine: Dictionary&lt;string, object?&gt;,
/// List&lt;object?&gt;, string, long, double, bool and null. Both a cfg yaml on disk and the <c>model.yaml</c> dict pickled
/// inside a checkpoint end up in this shape, so the model builder has one input format.
/// </summary>
public static class CfgValue
{
    public static Dictionary<string, object?> FromYaml(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ModelConfigException($"{source}: not valid YAML ({e.Start.Line}:{e.Start.Column}: {e.Message}); fix the cfg file");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's parser reports some malformed documents (e.g. a stray flow token) this way.
            throw new ModelConfigException($"{source}: not valid YAML ({e.Message}); fix the cfg file");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ModelConfigException($"{source}: expected a YOLO model cfg (a mapping with nc, anchors, backbone, head); fix the cfg file");
        return (Dictionary<string, object?>)Convert(root, source)!;
    }

    private static object? Convert(YamlNode node, string source) => node switch
    {
        YamlMappingNode map => ConvertMapping(map, source),
        YamlSequenceNode seq => seq.Children.Select(child => Convert(child, source)).ToList(),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => null,
    };

    private static Dictionary<string, object?> ConvertMapping(YamlMappingNode map, string source)
    {
        var result = new Dictionary<string, object?>();
        foreach (var (key, value) in map.Children)
        {
            var name = key is YamlScalarNode { Value: { } text } ? text : throw new ModelConfigException($"{source}: a key at {key.Start.Line}:{key.Start.Column} is not a name; fix the cfg file");
            result[name] = Convert(value, source); // YamlDotNet itself rejects a key given twice
        }
        return result;
    }

    // PyYAML SafeLoader semantics for the scalars a cfg uses: plain ints, floats, booleans and null are typed;
    // everything else (None, nc, nn.LeakyReLU(0.1), quoted strings) stays a string for parse_model's eval step.
    private static object? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted)
            return text;
        if (text is "null" or "~" or "")
            return null;
        if (text is "true" or "True")
            return true;
        if (text is "false" or "False")
            return false;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return l;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return d;
        return text;
    }

    public static long ToLong(object? value, string what) => value switch
    {
        long l => l,
        int i => i,
        double d when d == Math.Floor(d) => (long)d,
        _ => throw new ModelConfigException($"cfg: {what} must be an integer, got '{value ?? "None"}'"),
    };

    public static double ToDouble(object? value, string what) => value switch
    {
        long l => l,
        int i => i,
        double d => d,
        _ => throw new ModelConfigException($"cfg: {what} must be a number, got '{value ?? "None"}'"),
    };

    public static IReadOnlyList<object?> ToList(object? value, string what) => value switch
    {
        IReadOnlyList<object?> list => list,
        System.Collections.IEnumerable e when value is not string => e.Cast<object?>().ToList(),
        _ => throw new ModelConfigException($"cfg: {what} must be a list, got '{value ?? "None"}'"),
    };

    public static string Describe(object? value) => value switch
    {
        null => "None",
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Describe)) + "]",
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
