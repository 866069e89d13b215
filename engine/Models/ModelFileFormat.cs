namespace PruneCluster.Engine.Models;

/// <summary>How <see cref="ModelFile.Save"/> lays out a checkpoint.</summary>
public enum ModelFileFormat
{
    /// <summary>
    /// YOLOv7's own layout, <c>{'model': models.yolo.Model (float16), 'ema': None, 'optimizer': None, 'epoch': -1, ...}</c>
    /// (as YOLOv7's strip_optimizer leaves a finished run), which YOLOv7's attempt_load, detect.py, test.py, export.py
    /// and train.py read as they are; plain <c>torch.load</c> with YOLOv7's code importable.
    /// </summary>
    Yolov7,

    /// <summary><c>{'format': 'prunecluster/1', 'state_dict': ..., 'model_yaml': ...}</c>, float32, for <c>torch.load(weights_only=True)</c>.</summary>
    StateDict,
}
