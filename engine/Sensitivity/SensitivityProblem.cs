namespace PruneCluster.Engine.Sensitivity;

/// <summary>What is wrong with sensitivity-analysis data, so callers (and tests) can tell problems apart.</summary>
public enum SensitivityProblem
{
    /// <summary>A line is not in the paper's format (or the <c>[</c>/<c>]</c> frame is broken).</summary>
    Unparsable,

    /// <summary>The folder or the file does not exist, or holds no <c>output_*.txt</c>.</summary>
    NotFound,

    /// <summary>The file name does not carry a rate as <c>output_{int(100·rate)}.txt</c>.</summary>
    BadFileName,

    /// <summary>A layer appears twice for the same rate.</summary>
    DuplicateLayer,

    /// <summary>Two files carry the same rate.</summary>
    DuplicateRate,

    /// <summary>Some layers have no line for a rate.</summary>
    MissingLayers,

    /// <summary>The lines cannot all come from one model evaluated one way (class count, image size, parameter counts).</summary>
    MixedModels,

    /// <summary>The folder holds an analysis measured with other settings (model, data, img, criterion …).</summary>
    OtherSettings,

    /// <summary>The folder holds results but no record of what they were measured with, so it cannot be resumed.</summary>
    Unrecorded,
}
