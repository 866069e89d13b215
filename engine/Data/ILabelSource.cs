namespace PruneCluster.Engine.Data;

/// <summary>Where the labels of an image come from: YOLO .txt files beside the images, or a COCO instances json.</summary>
internal interface ILabelSource
{
    LabelRead Read(string imagePath, LabelPolicy policy);
}
