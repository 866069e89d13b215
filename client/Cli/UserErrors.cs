using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Data;
using PruneCluster.Engine.Evaluation;
using PruneCluster.Engine.Sensitivity;
using PruneCluster.Engine.Models;
using PruneCluster.Engine.Pruning;
using PruneCluster.Engine.Training.Hyp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Cli;

/// <summary>
/// Turns an exception into the one line a user needs (what input, what is wrong, how to fix it) and an exit code:
/// 2 for bad input, 1 for anything unexpected (whose stack trace then helps a bug report).
/// </summary>
public static class UserErrors
{
    public const int BadInput = 2;
    public const int Failure = 1;

    public static int Report(Exception exception)
    {
        var inner = exception is CommandRuntimeException or CommandParseException or CommandConfigurationException ? exception : Unwrap(exception);
        switch (inner)
        {
            case CheckpointException or NpyFileException or ModelConfigException or PruningException or DatasetException or EvaluationException
                or MetricsFileException or SensitivityDataException or HyperparameterException or FileNotFoundException or DirectoryNotFoundException
                or CommandRuntimeException or CommandParseException or InvalidDataException or NotSupportedException:
                Console.Error.WriteLine($"error: {inner.Message}");
                return BadInput;
            default:
                Console.Error.WriteLine($"error: {inner.GetType().Name}: {inner.Message}");
                Console.Error.WriteLine(inner.StackTrace);
                return Failure;
        }
    }

    private static Exception Unwrap(Exception e) =>
        e is AggregateException or System.Reflection.TargetInvocationException && e.InnerException != null ? Unwrap(e.InnerException) : e;
}
