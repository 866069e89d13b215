using System.Text.RegularExpressions;
using PruneCluster.Client.Cluster;
using PruneCluster.Engine.Artifacts;
using PruneCluster.Engine.Campaign;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Export;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Training.Hyp;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cli;

/// <summary>
/// Turns an exception into the one line a user needs (what input, what is wrong, how to fix it) and an exit code:
/// 2 for bad input, 1 for anything unexpected (whose stack trace then helps a bug report).
/// </summary>
public static partial class UserErrors
{
    public const int BadInput = 2;
    public const int Failure = 1;

    /// <param name="args">The command line, so that a value Spectre could not convert is reported with its option.</param>
    public static int Report(Exception exception, IReadOnlyList<string> args)
    {
        var inner = exception is CommandRuntimeException or CommandParseException or CommandConfigurationException ? exception : Unwrap(exception);
        switch (inner)
        {
            case CheckpointException or NpyFileException or ModelConfigException or PruningException or DatasetException or EvaluationException
                or MetricsFileException or SensitivityDataException or HyperparameterException or FileNotFoundException or DirectoryNotFoundException
                or CommandRuntimeException or CommandParseException or InvalidDataException or NotSupportedException
                or ClusterException or CampaignSpecException or ArtifactException or OnnxExportException:
                Console.Error.WriteLine($"error: {WithOption(inner.Message, args)}");
                return BadInput;
            default:
                Console.Error.WriteLine($"error: {inner.GetType().Name}: {inner.Message}");
                Console.Error.WriteLine(inner.StackTrace);
                return Failure;
        }
    }

    // Spectre says "Failed to convert 'abc' to Int32." without naming the option; find it on the command line.
    private static string WithOption(string message, IReadOnlyList<string> args)
    {
        if (UnknownOption().Match(message) is { Success: true } unknown)
            return $"{(unknown.Groups["name"].Length == 1 ? "-" : "--")}{unknown.Groups["name"].Value}: unknown option; see prunecluster {(args.Count > 0 ? args[0] + " " : "")}--help";
        var match = ConversionFailure().Match(message);
        if (!match.Success)
            return message;
        var value = match.Groups["value"].Value;
        var expected = match.Groups["type"].Value switch
        {
            "Int32" or "Int64" => "a whole number",
            "Double" or "Single" or "Decimal" or "Nullable`1" => "a number",
            var type => $"a {type} value",
        };
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0 && args[i] == value && args[i - 1].StartsWith('-'))
                return $"{args[i - 1]} {value}: expected {expected}";
            if (args[i].StartsWith('-') && args[i].EndsWith($"={value}", StringComparison.Ordinal))
                return $"{args[i]}: expected {expected}";
        }
        // Spectre names a placeholder when the value is missing after the last option.
        if (args.Count > 0 && args[^1].StartsWith('-'))
            return $"{args[^1]} needs a value: {expected}";
        return $"'{value}': expected {expected}";
    }

    [GeneratedRegex(@"^Unknown option '(?<name>[^']+)'\.?$")]
    private static partial Regex UnknownOption();

    [GeneratedRegex(@"^Failed to convert '(?<value>.*)' to (?<type>[\w`]+)\.?$")]
    private static partial Regex ConversionFailure();

    private static Exception Unwrap(Exception e) =>
        e is AggregateException or System.Reflection.TargetInvocationException && e.InnerException != null ? Unwrap(e.InnerException) : e;
}
