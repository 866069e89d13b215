// Before any tensor exists: keep libtorch's large buffers in the process (see NativeAllocator for why).
PruneCluster.Engine.Runtime.NativeAllocator.KeepLargeBuffers();
return PruneCluster.Client.Cli.CliApp.Run(args);
