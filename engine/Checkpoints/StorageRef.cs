namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// A storage named by a persistent id <c>('storage', type, key, location, numel)</c>: its bytes are the zip record
/// <c>&lt;root&gt;/data/&lt;key&gt;</c>. Nothing is read until a tensor that uses it is needed.
/// </summary>
internal sealed record StorageRef(string Key, TorchStorageType Type, long ElementCount, string Location);
