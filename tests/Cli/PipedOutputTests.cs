using PruneCluster.Tests.Evaluation;

namespace PruneCluster.Tests.Cli;

/// <summary>
/// Tables written to a pipe (the test process reads stdout through one) keep every row on one line: Spectre would
/// otherwise assume 80 columns and wrap rows, splitting numbers. An exported COLUMNS is honoured.
/// </summary>
public sealed class PipedOutputTests
{
    // yolov7-tiny has 58 conv layers (55 prunable + 3 head convs); the table is about 93 columns wide.
    private const int ConvLayers = 58;

    [Theory]
    [InlineData(null)]
    [InlineData("300")]
    public void Info_table_in_a_pipe_has_one_line_per_conv_layer(string? columns)
    {
        var run = PruneclusterProcess.RunWith(new Dictionary<string, string?> { ["COLUMNS"] = columns }, "info", "--cfg", "yolov7-tiny");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var rows = lines.Where(l => l.StartsWith('│')).ToList();
        Assert.Equal(1 + ConvLayers, rows.Count);
        Assert.Single(rows.Select(r => r.Length).Distinct());
        Assert.True(rows[0].Length > 80, $"the table is {rows[0].Length} columns wide; widen it beyond 80 for this test");
        Assert.Contains(rows, r => r.Contains("model.77.m.2", StringComparison.Ordinal) && r.Contains("130,815", StringComparison.Ordinal));
        Assert.Matches(@"^55 prunable conv layers, params 6,228,762 \(fused 6,221,370\), \d+\.\d{3} GFLOPs at 640×640$", lines[^1]);
    }

    [Fact]
    public void An_exported_COLUMNS_narrower_than_the_table_is_honoured()
    {
        var run = PruneclusterProcess.RunWith(new Dictionary<string, string?> { ["COLUMNS"] = "80" }, "info", "--cfg", "yolov7-tiny");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.All(run.Stdout.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 80, l));
    }
}
