namespace PruneCluster.Engine.Data;

/// <summary>Counts label files like YOLOv7's nf / nm / ne (an empty file counts as found and as empty), over the images that stay in the set.</summary>
internal sealed class LabelTally
{
    public int Found { get; private set; }

    public int Missing { get; private set; }

    public int Empty { get; private set; }

    public void Count(LabelFileState state)
    {
        switch (state)
        {
            case LabelFileState.Found: Found++; break;
            case LabelFileState.Missing: Missing++; break;
            case LabelFileState.Empty: Found++; Empty++; break;
        }
    }
}
