using PruneCluster.Engine.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Data;

/// <summary>
/// YOLOv7's training DataLoader (create_dataloader with augment=True, rect=False): each epoch visits every image
/// once — in sorted order as YOLOv7's single-process loader (no sampler, no shuffle), or reshuffled per epoch with
/// <see cref="TrainingLoaderOptions.Shuffle"/> — in batches of <see cref="TrainingLoaderOptions.BatchSize"/> (the last one may be
/// smaller). Worker threads build whole batches ahead of the consumer — at most Prefetch of them — and the consumer
/// receives them in order. A batch depends only on (seed, epoch, its images), never on the number of workers or on
/// scheduling. A failure in a worker reaches the consumer as the original exception (naming the file) when it asks
/// for that batch.
/// </summary>
public sealed class TrainingLoader : IDisposable
{
    private readonly TrainingLoaderOptions _options;
    private readonly TrainingImages _images;
    private readonly TrainingSampleBuilder _builder;

    /// <param name="augmentation">The hyp's augmentation; null turns augmentation off (letterbox only, like augment=False).</param>
    public TrainingLoader(TrainingSet set, TrainingLoaderOptions options, AugmentationOptions? augmentation)
    {
        options.Validate();
        augmentation?.Validate();
        Set = set;
        _options = options;
        _images = new TrainingImages(set.Images, options.ImageSize, augment: augmentation is not null, options.CacheImages);
        _builder = new TrainingSampleBuilder(new SampleSource(_images, set.Labels, options.ImageSize), augmentation, set.Images);
    }

    public TrainingSet Set { get; }

    /// <summary>Batches per epoch: ceil(images / batch size).</summary>
    public int BatchCount => (Set.Count + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>The image indices of an epoch in visiting order (Fisher–Yates from the epoch's own stream).</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, Set.Count).ToArray();
        if (!_options.Shuffle)
            return order;
        var rng = SampleRandom.ForShuffle(_options.Seed, epoch);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.Below(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Builds one sample on the calling thread, exactly as the workers would in <paramref name="epoch"/>.</summary>
    public TrainingSample Sample(int index, int epoch) => Build(index, epoch);

    /// <summary>
    /// The batches of one epoch. Leaving the loop early (or cancelling) stops the workers and disposes the batches
    /// built ahead; each batch handed out belongs to the caller.
    /// </summary>
    public IEnumerable<TrainingBatch> Epoch(int epoch, CancellationToken cancellationToken = default)
    {
        var order = Order(epoch);
        var batches = BatchCount;
        var slots = Enumerable.Range(0, batches)
            .Select(_ => new TaskCompletionSource<TrainingBatch>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        using var window = new SemaphoreSlim(_options.EffectivePrefetch);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(_options.Workers, batches)).Select(_ => Task.Factory.StartNew(() =>
        {
            while (true)
            {
                window.Wait(stop.Token);
                var b = Interlocked.Increment(ref next);
                if (b >= batches)
                    return;
                try
                {
                    slots[b].SetResult(BuildBatch(b, order, epoch));
                }
                catch (Exception e)
                {
                    slots[b].SetException(e);
                }
            }
        }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var handedOut = 0;
        try
        {
            for (var b = 0; b < batches; b++)
            {
                var batch = slots[b].Task.WaitAsync(stop.Token).GetAwaiter().GetResult();
                handedOut = b + 1;
                window.Release();
                yield return batch;
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
            {
                // Workers waiting for room in the window end by cancellation.
            }
            foreach (var slot in slots.Skip(handedOut))
            {
                if (slot.Task.IsCompletedSuccessfully)
                    slot.Task.Result.Dispose();
            }
        }
    }

    public void Dispose() => _images.Dispose();

    private TrainingBatch BuildBatch(int b, int[] order, int epoch)
    {
        var members = order.Skip(b * _options.BatchSize).Take(_options.BatchSize).ToArray();
        var samples = members.Select(i => Build(i, epoch)).ToList();
        var s = _options.ImageSize;
        var pixels = new byte[samples.Count * 3 * s * s];
        for (var i = 0; i < samples.Count; i++)
            samples[i].Rgb.CopyTo(pixels, i * 3 * s * s);
        var rows = samples.SelectMany((sample, i) => sample.Labels.SelectMany(l =>
            new[] { i, (float)l.Class, l.CenterX, l.CenterY, l.Width, l.Height })).ToArray();
        using var scope = NewDisposeScope();
        var images = torch.frombuffer(pixels, ScalarType.Byte).view(samples.Count, 3, s, s).to_type(ScalarType.Float32).div_(255f);
        var targets = torch.tensor(rows, [rows.Length / 6, 6]);
        if (_options.Device is { } device)
            (images, targets) = (images.to(device), targets.to(device));
        return new TrainingBatch(b, images.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope(), samples);
    }

    private TrainingSample Build(int index, int epoch)
    {
        try
        {
            return _builder.Build(index, _options.Seed, epoch);
        }
        catch (Exception e) when (e is not DatasetException)
        {
            throw new DatasetException($"{Set.Images[index]}: building its training sample failed ({e.Message}); check the image and its labels", e);
        }
    }
}
