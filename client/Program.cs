return PruneCluster.Client.Cli.CliApp.Run(args);
