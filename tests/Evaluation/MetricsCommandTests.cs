using System.Text.Json;
using PruneCluster.Client.Commands;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Tests.Support;
using Spectre.Console;
using Spectre.Console.Cli;
using Xunit;

namespace PruneCluster.Tests.Evaluation;

/// <summary>`prunecluster metrics` run in-process through Spectre's CommandApp on the golden detections.</summary>
public sealed class MetricsCommandTests : IDisposable
{
    private static readonly string GoldenPath = SharedData.Golden("metrics_golden.json");
    private readonly string _dir = Directory.CreateTempSubdirectory("metrics-command-tests").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TablePrintsTestPyHeaderAllRowAndOneRowPerClass()
    {
        var expected = MetricsFile.Read(GoldenPath).Expected!;

        var (exitCode, output) = Run("metrics", "--input", GoldenPath);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, exitCode);
        Assert.Equal("               Class      Images      Labels           P           R      mAP@.5  mAP@.5:.95", lines[0]);
        var all = PrintfFormat.String("all", 20) + PrintfFormat.Integer(60, 12) + PrintfFormat.Integer(expected.Nt.Sum(), 12)
            + PrintfFormat.General(expected.Mp, 3, 12) + PrintfFormat.General(expected.Mr, 3, 12)
            + PrintfFormat.General(expected.Map50, 3, 12) + PrintfFormat.General(expected.Map, 3, 12);
        Assert.Equal(all, lines[1]);
        Assert.Equal(2 + expected.ApClass.Length, lines.Length);
        Assert.StartsWith(PrintfFormat.String("5", 20) + PrintfFormat.Integer(60, 12) + PrintfFormat.Integer(expected.Nt[5], 12), lines[^1]);
    }

    [Fact]
    public void JsonOptionPrintsOneDocumentWithTheGoldenMetrics()
    {
        var expected = MetricsFile.Read(GoldenPath).Expected!;

        var (exitCode, output) = Run("metrics", "--input", GoldenPath, "--json");

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.Equal(60, root.GetProperty("images").GetInt32());
        Assert.Equal(expected.Nt.Sum(), root.GetProperty("labels").GetInt64());
        Assert.Equal(expected.Mp, root.GetProperty("mp").GetDouble(), 9);
        Assert.Equal(expected.Mr, root.GetProperty("mr").GetDouble(), 9);
        Assert.Equal(expected.Map50, root.GetProperty("map50").GetDouble(), 9);
        Assert.Equal(expected.Map, root.GetProperty("map").GetDouble(), 9);
        var maps = root.GetProperty("maps").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(expected.Maps.Length, maps.Length);
        Assert.All(expected.Maps.Zip(maps), pair => Assert.Equal(pair.First, pair.Second, 9));
    }

    [Fact]
    public void HelpListsBothOptions()
    {
        var (exitCode, output) = Run("metrics", "--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("--input", output);
        Assert.Contains("--json", output);
    }

    [Fact]
    public void MissingInputFileIsRejectedBeforeAnyWork()
    {
        var missing = Path.Combine(_dir, "missing.json");

        var (exitCode, output) = Run("metrics", "--input", missing);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("does not exist", output);
    }

    [Fact]
    public void MissingInputOptionIsRejected()
    {
        var (exitCode, output) = Run("metrics");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--input is required", output);
    }

    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = PruneCluster.Tests.Support.PlainConsole.Create(writer);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.ConfigureConsole(console);
            config.AddCommand<MetricsCommand>("metrics");
        });
        var exitCode = app.Run(args);
        return (exitCode, writer.ToString().Replace("\r", ""));
    }
}
