using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Client.Cluster;
using PruneCluster.Grains.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands.Campaign;

/// <summary><c>prunecluster campaign table ID [--iteration K] [--json|--csv]</c>: an iteration's ranked layer table, partial while it runs.</summary>
public sealed class CampaignTableCommand : AsyncCommand<CampaignTableCommand.Settings>
{
    public sealed class Settings : CampaignIdSettings
    {
        [CommandOption("--iteration <K>")]
        [Description("The iteration (1 = first); default: the latest")]
        public int? Iteration { get; init; }

        [CommandOption("--json")]
        [Description("One JSON document")]
        public bool Json { get; init; }

        [CommandOption("--csv")]
        [Description("CSV with a header row")]
        public bool Csv { get; init; }

        public override ValidationResult Validate() =>
            Json && Csv ? ValidationResult.Error("--json and --csv: choose one")
            : Iteration is < 1 ? ValidationResult.Error($"--iteration {Iteration}: iterations count from 1")
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var session = await CampaignSessions.Open(settings, settings.Id, cancellationToken);
        var status = await CampaignSessions.Status(session, settings.Id, cancellationToken);
        var table = await ClusterCalls.Retry(() => session.Grains.GetGrain<ICampaignGrain>(settings.Id).GetTable(settings.Iteration ?? 0), cancellationToken)
            ?? throw new ClusterException(settings.Iteration is { } k
                ? $"--iteration {k}: campaign '{settings.Id}' has {status.Iterations.Length} iteration(s) so far"
                : $"campaign '{settings.Id}' has no sensitivity results yet ({status.Step})");
        if (settings.Json)
            JsonOutput.Print(LayerTableView.Json(table));
        else if (settings.Csv)
            Console.Write(LayerTableView.Csv(table));
        else
            Console.WriteLine(LayerTableView.Text(table));
        return 0;
    }
}
