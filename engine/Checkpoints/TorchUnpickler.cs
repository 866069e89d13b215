using Razorvine.Pickle;
using Razorvine.Pickle.Objects;

namespace PruneCluster.Engine.Checkpoints;

/// <summary>
/// Razorvine's unpickler taught torch.save's persistent ids: a storage is referenced as
/// <c>('storage', torch.XxxStorage, key, location, numel)</c> and its bytes live in the zip, so it becomes a
/// <see cref="StorageRef"/> that is read only when a tensor is materialised.
/// </summary>
internal sealed class TorchUnpickler : Unpickler
{
    private readonly string _path;
    private readonly Dictionary<string, StorageRef> _storages = [];

    private static readonly object RegistrationLock = new();

    public TorchUnpickler(string path)
    {
        EnsureConstructorsRegistered();
        _path = path;
    }

    /// <summary>
    /// Razorvine's constructor table is process-wide, and another component (e.g. TorchSharp.PyBridge) may register
    /// its own constructors for the same torch names; make sure ours are the ones in place. Reads of the table are
    /// lock-free, so writes only happen when something is missing or was replaced.
    /// </summary>
    private static void EnsureConstructorsRegistered()
    {
        bool IsOurs((string Module, string Name, IObjectConstructor Constructor) c) =>
            objectConstructors.TryGetValue(c.Module + "." + c.Name, out var current) && ReferenceEquals(current, c.Constructor);

        if (TorchPickleConstructors.All.All(IsOurs))
            return;
        lock (RegistrationLock)
        {
            foreach (var constructor in TorchPickleConstructors.All.Where(c => !IsOurs(c)))
                registerConstructor(constructor.Module, constructor.Name, constructor.Constructor);
        }
    }

    protected override object persistentLoad(object pid)
    {
        if (pid is not object[] { Length: 5 } id || id[0] is not "storage")
            throw new CheckpointException(_path, "the pickle references an external object that is not a torch storage",
                "save the checkpoint with torch.save");
        if (id[1] is not ClassDictConstructor storageClass)
            throw new CheckpointException(_path, "a storage's type is not a torch storage class",
                "save the checkpoint with torch.save");
        var type = TorchStorageType.FromPickleName(storageClass.module, storageClass.name)
            ?? throw new CheckpointException(_path,
                $"unsupported storage type {storageClass.module}.{storageClass.name} (supported: {TorchStorageType.SupportedNames})",
                "convert the tensors to a supported dtype (e.g. model.float()) and save again");
        var key = Convert.ToString(id[2], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        // torch.save writes each storage once and refers back to it through the memo; a second id with the same
        // key must describe the same storage.
        if (_storages.TryGetValue(key, out var known))
            return known;
        var storage = new StorageRef(key, type, Convert.ToInt64(id[4]), Convert.ToString(id[3]) ?? "cpu");
        _storages[key] = storage;
        return storage;
    }
}
