using System.Globalization;

namespace PruneCluster.Engine.Data;

/// <summary>
/// YOLO label files (<see cref="YoloLabelPaths.ForImage"/>): one row per object, "class xc yc w h" normalised, or
/// "class x1 y1 x2 y2 ..." polygons that become their bounding box.
/// </summary>
internal sealed class YoloTextLabelSource : ILabelSource
{
    // YOLOv7 switches a whole file to polygon reading when any row has more than 8 columns.
    private const int PolygonColumnThreshold = 8;

    public LabelRead Read(string imagePath, LabelPolicy policy)
    {
        var file = YoloLabelPaths.ForImage(imagePath);
        if (!File.Exists(file))
            return LabelRead.Missing(file);
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LabelRead(file, LabelFileState.Unreadable, [], e.Message);
        }
        var lines = SplitRows(text, policy);
        if (lines.Count == 0)
            return new LabelRead(file, LabelFileState.Empty, []);
        var rows = policy == LabelPolicy.YoloV7 ? ParseLikeYoloV7(lines) : ParseRowByRow(lines);
        return new LabelRead(file, LabelFileState.Found, rows);
    }

    /// <summary>
    /// Python's text.strip().splitlines() then row.split(): blank lines at the ends vanish. Under the YOLOv7 policy a
    /// blank line between rows stays as an empty row (YOLOv7 then fails on the ragged array and drops the image);
    /// the lenient policy just skips it.
    /// </summary>
    private static List<(int Line, string[] Fields)> SplitRows(string text, LabelPolicy policy)
    {
        var rows = text.Split('\n')
            .Select((line, i) => (Line: i + 1, Fields: line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
            .ToList();
        var first = rows.FindIndex(r => r.Fields.Length > 0);
        if (first < 0)
            return [];
        var last = rows.FindLastIndex(r => r.Fields.Length > 0);
        var kept = rows.GetRange(first, last - first + 1);
        return policy == LabelPolicy.YoloV7 ? kept : kept.Where(r => r.Fields.Length > 0).ToList();
    }

    /// <summary>
    /// YOLOv7: if any row has more than 8 columns, EVERY row is read as "class x y x y ..." (so a plain 5-column box
    /// row in such a file becomes the 2-point polygon (xc,yc),(w,h) — a YOLOv7 quirk kept for fidelity); otherwise
    /// every row must have exactly 5 columns.
    /// </summary>
    private static List<LabelRow> ParseLikeYoloV7(List<(int Line, string[] Fields)> lines)
    {
        var polygons = lines.Any(l => l.Fields.Length > PolygonColumnThreshold);
        return lines.Select(l => polygons ? ParsePolygon(l.Line, l.Fields) : ParseBox(l.Line, l.Fields)).ToList();
    }

    /// <summary>Lenient: 5 columns is a box; a class plus an even number (at least 6) of coordinates is a polygon.</summary>
    private static List<LabelRow> ParseRowByRow(List<(int Line, string[] Fields)> lines) =>
        lines.Select(l => l.Fields.Length == 5 ? ParseBox(l.Line, l.Fields)
            : l.Fields.Length >= 7 && l.Fields.Length % 2 == 1 ? ParsePolygon(l.Line, l.Fields)
            : LabelRow.Bad(l.Line, DatasetIssueKind.WrongColumnCount,
                $"row has {l.Fields.Length} columns; expected 5 (class xc yc w h) or a class and x y polygon pairs"))
        .ToList();

    private static LabelRow ParseBox(int line, string[] fields)
    {
        if (fields.Length != 5)
            return LabelRow.Bad(line, DatasetIssueKind.WrongColumnCount,
                $"row has {fields.Length} columns; YOLOv7 requires 5 columns (class xc yc w h) in every row");
        var values = new float[5];
        for (var i = 0; i < 5; i++)
        {
            if (!TryParse(fields[i], out values[i]))
                return NotANumber(line, fields[i]);
        }
        return LabelRow.Box(line, values);
    }

    /// <summary>YOLOv7's segments2boxes: the polygon's min/max corners, then centre and size, in float32.</summary>
    private static LabelRow ParsePolygon(int line, string[] fields)
    {
        var coordinates = fields.Length - 1;
        if (coordinates == 0 || coordinates % 2 != 0)
            return LabelRow.Bad(line, DatasetIssueKind.WrongColumnCount,
                $"polygon row has {coordinates} coordinates; expected a class followed by x y pairs");
        if (!TryParse(fields[0], out var cls))
            return NotANumber(line, fields[0]);
        float minX = float.PositiveInfinity, minY = float.PositiveInfinity;
        float maxX = float.NegativeInfinity, maxY = float.NegativeInfinity;
        for (var i = 1; i < fields.Length; i += 2)
        {
            if (!TryParse(fields[i], out var x))
                return NotANumber(line, fields[i]);
            if (!TryParse(fields[i + 1], out var y))
                return NotANumber(line, fields[i + 1]);
            (minX, maxX) = (Math.Min(minX, x), Math.Max(maxX, x));
            (minY, maxY) = (Math.Min(minY, y), Math.Max(maxY, y));
        }
        return LabelRow.Box(line, [cls, (minX + maxX) / 2f, (minY + maxY) / 2f, maxX - minX, maxY - minY]);
    }

    /// <summary>numpy turns the text into a double and then rounds it to float32; do the same.</summary>
    private static bool TryParse(string text, out float value)
    {
        var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed);
        value = (float)parsed;
        return ok && float.IsFinite(value);
    }

    private static LabelRow NotANumber(int line, string text) =>
        LabelRow.Bad(line, DatasetIssueKind.NotANumber, $"'{text}' is not a finite number");
}
