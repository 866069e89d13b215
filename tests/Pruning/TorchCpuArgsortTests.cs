using System.Globalization;
using PruneCluster.Engine.Pruning;
using PruneCluster.Tests.Checkpoints;

namespace PruneCluster.Tests.Pruning;

/// <summary>The tie order of PyTorch 1.13's CPU argsort, checked against the installed torch 1.13 (python3-torch).</summary>
public class TorchCpuArgsortTests
{
    [Fact]
    public void TiedValuesComeOutInTorch113sOrder()
    {
        Assert.True(Python3.TorchAvailable, "this test compares with real PyTorch 1.13: install python3-torch (see README, Tests)");
        var random = new Random(5);
        // Sizes across the insertion-sort threshold (16) and deep partitions; few distinct values make many ties.
        var arrays = Enumerable.Range(0, 300).Select(i =>
        {
            var n = i < 40 ? i + 1 : random.Next(1, 1500);
            var distinct = random.Next(1, 40);
            return Enumerable.Range(0, n).Select(_ => (float)(Half)(random.Next(distinct) * 0.125f - 1)).ToArray();
        }).ToList();
        var expected = TorchArgsort(arrays);
        for (var i = 0; i < arrays.Count; i++)
            Assert.Equal(expected[i], TorchCpuArgsort.Argsort(arrays[i]));
    }

    [Fact]
    public void DistinctValuesAreSortedAscendingWithNaNLast()
    {
        float[] values = [3, float.NaN, -1, 2, 0.5f];
        Assert.Equal([2, 4, 3, 0, 1], TorchCpuArgsort.Argsort(values));
    }

    // One python3 run sorts every array with torch.argsort on float16 tensors, as the paper's scores are.
    private static List<int[]> TorchArgsort(IReadOnlyList<float[]> arrays)
    {
        var input = Path.Combine(Path.GetTempPath(), $"argsort-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllLines(input, arrays.Select(a => string.Join(" ", a.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
            const string script = "import sys, torch\n" +
                                  "for line in open(sys.argv[1]).read().splitlines():\n" +
                                  "    t = torch.tensor([float(v) for v in line.split()], dtype=torch.float16)\n" +
                                  "    print(' '.join(str(i) for i in torch.argsort(t).tolist()))\n";
            var output = Python3.RunWithTorch(script, input);
            return output.TrimEnd('\n').Split('\n').Select(l => l.Split(' ').Select(int.Parse).ToArray()).ToList();
        }
        finally
        {
            File.Delete(input);
        }
    }
}
