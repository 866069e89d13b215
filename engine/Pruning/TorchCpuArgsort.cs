namespace PruneCluster.Engine.Pruning;

/// <summary>
/// <c>torch.argsort</c> of a 1-D CPU tensor in PyTorch 1.13, ties included. That version sorts (value, index) pairs with
/// libstdc++'s <c>std::sort</c> (introsort: median-of-three quicksort down to 16 elements, heapsort past the depth
/// limit, then one insertion sort) comparing values only, so equal values end up in an order that depends on the
/// algorithm's exact steps, which are reproduced here one for one. Checked against torch 1.13 on thousands of
/// tie-heavy arrays; it is what makes float16 rankings (hundreds of equal norms) keep the paper's filters.
/// </summary>
public static class TorchCpuArgsort
{
    private const int Threshold = 16;

    public static int[] Argsort(ReadOnlySpan<float> values)
    {
        var items = new Item[values.Length];
        for (var i = 0; i < items.Length; i++)
            items[i] = new Item(values[i], i);
        if (items.Length > 0)
        {
            IntroSortLoop(items, 0, items.Length, 2 * Log2(items.Length));
            FinalInsertionSort(items, 0, items.Length);
        }
        return Array.ConvertAll(items, item => item.Index);
    }

    private readonly record struct Item(float Value, int Index);

    // KeyValueCompAsc: NaN sorts last.
    private static bool Less(Item a, Item b) => (!float.IsNaN(a.Value) && float.IsNaN(b.Value)) || a.Value < b.Value;

    private static int Log2(int n) => 31 - int.LeadingZeroCount(n);

    private static void IntroSortLoop(Item[] a, int first, int last, int depthLimit)
    {
        while (last - first > Threshold)
        {
            if (depthLimit == 0)
            {
                HeapSort(a, first, last);
                return;
            }
            depthLimit--;
            var cut = PartitionPivot(a, first, last);
            IntroSortLoop(a, cut, last, depthLimit);
            last = cut;
        }
    }

    private static int PartitionPivot(Item[] a, int first, int last)
    {
        MoveMedianToFirst(a, first, first + 1, first + (last - first) / 2, last - 1);
        return UnguardedPartition(a, first + 1, last, first);
    }

    private static void MoveMedianToFirst(Item[] a, int result, int x, int y, int z)
    {
        int median;
        if (Less(a[x], a[y]))
            median = Less(a[y], a[z]) ? y : Less(a[x], a[z]) ? z : x;
        else
            median = Less(a[x], a[z]) ? x : Less(a[y], a[z]) ? z : y;
        (a[result], a[median]) = (a[median], a[result]);
    }

    private static int UnguardedPartition(Item[] a, int first, int last, int pivot)
    {
        while (true)
        {
            while (Less(a[first], a[pivot]))
                first++;
            last--;
            while (Less(a[pivot], a[last]))
                last--;
            if (first >= last)
                return first;
            (a[first], a[last]) = (a[last], a[first]);
            first++;
        }
    }

    private static void FinalInsertionSort(Item[] a, int first, int last)
    {
        if (last - first > Threshold)
        {
            InsertionSort(a, first, first + Threshold);
            for (var i = first + Threshold; i < last; i++)
                UnguardedLinearInsert(a, i);
        }
        else
        {
            InsertionSort(a, first, last);
        }
    }

    private static void InsertionSort(Item[] a, int first, int last)
    {
        for (var i = first + 1; i < last; i++)
        {
            if (Less(a[i], a[first]))
            {
                var value = a[i];
                Array.Copy(a, first, a, first + 1, i - first);
                a[first] = value;
            }
            else
            {
                UnguardedLinearInsert(a, i);
            }
        }
    }

    private static void UnguardedLinearInsert(Item[] a, int last)
    {
        var value = a[last];
        var next = last - 1;
        while (Less(value, a[next]))
        {
            a[last] = a[next];
            last = next;
            next--;
        }
        a[last] = value;
    }

    // std::__partial_sort(first, last, last): make_heap, then sort_heap.
    private static void HeapSort(Item[] a, int first, int last)
    {
        var length = last - first;
        if (length >= 2)
        {
            for (var parent = (length - 2) / 2; ; parent--)
            {
                AdjustHeap(a, first, parent, length, a[first + parent]);
                if (parent == 0)
                    break;
            }
        }
        while (last - first > 1)
        {
            last--;
            var value = a[last];
            a[last] = a[first];
            AdjustHeap(a, first, 0, last - first, value);
        }
    }

    private static void AdjustHeap(Item[] a, int first, int hole, int length, Item value)
    {
        var top = hole;
        var child = hole;
        while (child < (length - 1) / 2)
        {
            child = 2 * (child + 1);
            if (Less(a[first + child], a[first + child - 1]))
                child--;
            a[first + hole] = a[first + child];
            hole = child;
        }
        if ((length & 1) == 0 && child == (length - 2) / 2)
        {
            child = 2 * (child + 1);
            a[first + hole] = a[first + child - 1];
            hole = child - 1;
        }
        var parent = (hole - 1) / 2;
        while (hole > top && Less(a[first + parent], value))
        {
            a[first + hole] = a[first + parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }
        a[first + hole] = value;
    }
}
