using System.Globalization;
using Spectre.Console;

namespace PruneCluster.Client.Cli;

/// <summary>
/// The width Spectre renders stdout at. On a terminal Spectre reads the window; when stdout is a pipe or a file it
/// assumes 80 columns and wraps every wider table row, splitting numbers and module paths across lines. Redirected
/// output therefore gets <c>COLUMNS</c> when the user exported it, and otherwise no limit, so a row stays one line.
/// </summary>
public static class OutputWidth
{
    /// <summary>Wide enough for any table this tool prints; Spectre lays out a table only as wide as its content.</summary>
    public const int Unbounded = 32_767;

    public static void Apply()
    {
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Columns() ?? Unbounded;
    }

    private static int? Columns() =>
        int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0
            ? columns
            : null;
}
