namespace PruneCluster.Tests.Deployment;

/// <summary>A theory that needs <c>kubectl</c>; skipped, saying why, where kubectl is not installed.</summary>
public sealed class KubectlTheoryAttribute : TheoryAttribute
{
    public KubectlTheoryAttribute()
    {
        if (RenderedOverlay.Kubectl() is null)
            Skip = "kubectl is not installed (on PATH): it renders the kustomize overlays this test checks";
    }
}
