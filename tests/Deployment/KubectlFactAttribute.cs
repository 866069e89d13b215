namespace PruneCluster.Tests.Deployment;

/// <summary>A fact that needs <c>kubectl</c> (its built-in kustomize renders the overlays); skipped, saying why, where
/// kubectl is not installed.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (RenderedOverlay.Kubectl() is null)
            Skip = "kubectl is not installed (on PATH): it renders the kustomize overlays this test checks";
    }
}
