namespace PruneCluster.Engine.Data;

/// <summary>Labels from a COCO instances json instead of .txt files; issues name the json and the annotation id.</summary>
internal sealed class CocoLabelSource(CocoAnnotations annotations) : ILabelSource
{
    public LabelRead Read(string imagePath, LabelPolicy policy)
    {
        if (!annotations.HasImage(imagePath))
            return LabelRead.Missing(annotations.JsonPath);
        var rows = annotations.RowsFor(imagePath);
        if (rows.Count == 0)
            return new LabelRead(annotations.JsonPath, LabelFileState.Empty, []);
        return new LabelRead(annotations.JsonPath, LabelFileState.Found,
            rows.Select(r => LabelRow.Box(r.AnnotationId, r.Values)).ToList());
    }
}
