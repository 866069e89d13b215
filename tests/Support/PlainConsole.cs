using Spectre.Console;

namespace PruneCluster.Tests.Support;

/// <summary>A Spectre console that writes plain text (no colours, no ANSI) into a writer, for in-process command tests.</summary>
public static class PlainConsole
{
    public static IAnsiConsole Create(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(writer),
    });
}
