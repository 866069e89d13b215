using System.Runtime.CompilerServices;
using PruneCluster.Engine.Runtime;

namespace PruneCluster.Tests.Support;

// The tests run the engine in process like the CLI does, so they get the CLI's allocator settings (and CI time).
internal static class AllocatorSetup
{
    [ModuleInitializer]
    internal static void KeepLargeBuffers() => NativeAllocator.KeepLargeBuffers();
}
