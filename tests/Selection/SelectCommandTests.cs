using System.Text.Json;
using PruneCluster.Client.Commands;
using PruneCluster.Tests.Support;
using Spectre.Console;
using Spectre.Console.Cli;
using Xunit;

namespace PruneCluster.Tests.Selection;

public sealed class SelectCommandTests
{
    private static string GoldenCaseExpected()
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(SharedData.Golden("layer_selection/cases.json")));
        return cases.RootElement[0].GetProperty("expected").GetString()!;
    }

    private static (int ExitCode, string Output) Run(object? data, params string[] args)
    {
        var writer = new StringWriter();
        var console = PruneCluster.Tests.Support.PlainConsole.Create(writer);
        console.Profile.Width = 160;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.ConfigureConsole(console);
            var command = config.AddCommand<SelectCommand>("select");
            if (data is not null)
                command.WithData(data);
        });
        var exitCode = app.Run(args);
        return (exitCode, writer.ToString());
    }

    [Fact]
    public void PrintsThePapersListOnItsOwnLineThenTheTable()
    {
        var (exitCode, output) = Run(null, "select", "--output", GoldenSensitivity.Dir, "--params", "6219098", "--flops", "13.2");
        Assert.Equal(0, exitCode);
        var lines = output.Split('\n');
        Assert.Equal(GoldenCaseExpected(), lines[0].TrimEnd('\r'));
        Assert.Contains("chosen for", output);
    }

    [Fact]
    public void JsonOptionPrintsOneDocumentWithListAndTable()
    {
        var (exitCode, output) = Run(null, "select", "--output", GoldenSensitivity.Dir, "--params", "6219098", "--flops", "13.2", "--json");
        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        Assert.Equal(GoldenCaseExpected(), document.RootElement.GetProperty("pruning_params").GetString());
        Assert.Equal(document.RootElement.GetProperty("layers").GetArrayLength(), document.RootElement.GetProperty("table").GetArrayLength());
    }

    [Fact]
    public void MissingBaselinesWithoutWeightsOrRecordExitWithCode2NamingTheOptions()
    {
        var run = CliRunner.Run("select", "--output", GoldenSensitivity.Dir, "--flops", "13.2");
        Assert.Equal(2, run.ExitCode);
        var error = Assert.Single(run.Stderr.Trim().Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("--params required", error);
        Assert.DoesNotContain("--flops", error[..error.IndexOf(':', 7)]);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void WeightsUseTheModelStatsHookAtTheImageSizeOfTheFiles()
    {
        var asked = new List<(string, int)>();
        Func<string, int, (long Params, double Gflops, int PrunableLayers)> stats = (weights, img) =>
        {
            asked.Add((weights, img));
            return (6219098, 13.2, 55);
        };
        var weights = SharedData.Golden("yolov7-tiny-golden.pt");
        var (exitCode, output) = Run(stats, "select", "--output", GoldenSensitivity.Dir, "--weights", weights);
        Assert.Equal(0, exitCode);
        // The golden lines record (…, 640, 640, 32) in their timing tuples.
        Assert.Equal([(weights, 640)], asked);
        Assert.StartsWith(GoldenCaseExpected(), output);
    }

    [Fact]
    public void WeightsWithoutAHookExitWithCode2()
    {
        var (exitCode, output) = Run(null, "select", "--output", GoldenSensitivity.Dir, "--weights", SharedData.Golden("yolov7-tiny-golden.pt"));
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
    }

    [Fact]
    public void PlotOptionWritesThePngsIntoTheOutputFolderAndPrintsTheirPaths()
    {
        using var folder = new TempFolder();
        GoldenSensitivity.CopyTo(folder);
        var (exitCode, output) = Run(null, "select", "--output", folder.Path, "--params", "6219098", "--flops", "13.2", "--plot");
        Assert.Equal(0, exitCode);
        foreach (var name in PruneCluster.Engine.Plots.SensitivityPlots.FileNames)
        {
            Assert.True(File.Exists(folder.File(name)));
            Assert.Contains(folder.File(name), output);
        }
    }
}
