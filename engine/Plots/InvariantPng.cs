using System.Globalization;
using PruneCluster.Engine.Checkpoints;
using ScottPlot;

namespace PruneCluster.Engine.Plots;

/// <summary>
/// A figure as PNG with its tick labels in the invariant culture: ScottPlot formats them in the current thread's
/// culture, so a machine set to de-DE would draw 0,5 where every other file says 0.5.
/// </summary>
public static class InvariantPng
{
    public static byte[] Bytes(Plot plot, int width, int height) =>
        InInvariantCulture(() => plot.GetImageBytes(width, height, ImageFormat.Png));

    /// <summary>Writes the PNG atomically.</summary>
    public static void Save(Plot plot, string path, int width, int height)
    {
        var png = Bytes(plot, width, height);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>Writes a grid of plots as PNG atomically (a temporary file beside it, then a rename).</summary>
    public static void Save(Multiplot multiplot, string path, int width, int height)
    {
        var temporary = path + ".tmp.png";
        InInvariantCulture(() =>
        {
            multiplot.SavePng(temporary, width, height);
            return 0;
        });
        File.Move(temporary, path, overwrite: true);
    }

    private static T InInvariantCulture<T>(Func<T> render)
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // this thread only, restored below
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
