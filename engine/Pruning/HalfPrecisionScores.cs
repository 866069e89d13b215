using PruneCluster.Engine.Models.Modules;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Pruning;

/// <summary>
/// Filter scores computed the way the paper's <c>determine_pruned_indices</c> computes them on a float16 model on the
/// CPU with PyTorch 1.13, bit for bit: <c>torch.norm(w, p, dim=[1, 2, 3])</c> there accumulates in float16 (each square
/// rounded to float16, then each partial sum rounded, in memory order; the square root taken in float32 and rounded),
/// and every <c>+=</c>, <c>-=</c> and product of the score is one float16 operation. The sums are done here with
/// <see cref="Half"/> rather than with libtorch's half kernels, whose accumulation order and width are not those of
/// 1.13 in every version (float32 holds every sum and product of two halves closely enough that rounding it to
/// float16 gives the correctly rounded result). Weights are rounded to float16 first, which is exact for weights read
/// from a float16 checkpoint.
/// </summary>
internal static class HalfPrecisionScores
{
    public static Half[] Of(IReadOnlyList<IConvUnit> units, Criterion criterion)
    {
        var score = new Half[units[0].OutChannels];
        foreach (var unit in units)
        {
            switch (criterion)
            {
                case Criterion.SmallestL2: foreach (var w in unit.FilterWeights) Accumulate(score, Norms(w, 2), +1); break;
                case Criterion.LargestL2: foreach (var w in unit.FilterWeights) Accumulate(score, Norms(w, 2), -1); break;
                case Criterion.SmallestL1: foreach (var w in unit.FilterWeights) Accumulate(score, Norms(w, 1), +1); break;
                case Criterion.LargestL1: foreach (var w in unit.FilterWeights) Accumulate(score, Norms(w, 1), -1); break;
                case Criterion.SmallestBnScale: foreach (var bn in unit.Norms) Accumulate(score, Scales(bn), +1); break;
                case Criterion.SmallestBnScaleTimesL1:
                    foreach (var (w, bn) in unit.FilterWeights.Zip(unit.Norms))
                        Accumulate(score, Products(Scales(bn), Norms(w, 1)), +1);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(criterion), criterion, "not a norm or batch-norm criterion");
            }
        }
        return score;
    }

    private static void Accumulate(Half[] score, Half[] term, int sign)
    {
        for (var i = 0; i < score.Length; i++)
            score[i] = (Half)((float)score[i] + sign * (float)term[i]);
    }

    private static Half[] Products(Half[] a, Half[] b)
    {
        var result = new Half[a.Length];
        for (var i = 0; i < a.Length; i++)
            result[i] = (Half)((float)a[i] * (float)b[i]);
        return result;
    }

    private static Half[] Scales(BatchNorm2d bn) => Array.ConvertAll(Values(bn.weight!), v => (Half)v);

    // One norm per filter, reducing each filter's weights in memory order (in·kh·kw) as PyTorch 1.13's CPU kernel does.
    // The element-wise roundings (weight, square) are libtorch's float16 casts (round to nearest even, as Half's);
    // only the sequential sum needs the loop.
    private static Half[] Norms(Tensor weight, int p)
    {
        float[] terms;
        using (var scope = NewDisposeScope())
        {
            var x = weight.detach().cpu().to(ScalarType.Float16).to(ScalarType.Float32);
            terms = Values(p == 2 ? (x * x).to(ScalarType.Float16).to(ScalarType.Float32) : x.abs());
        }
        var filters = (int)weight.shape[0];
        var size = filters == 0 ? 0 : terms.Length / filters;
        var norms = new Half[filters];
        for (var f = 0; f < filters; f++)
        {
            var sum = 0f;
            foreach (var term in terms.AsSpan(f * size, size))
                sum = (float)(Half)(sum + term);
            norms[f] = p == 2 ? (Half)MathF.Sqrt(sum) : (Half)sum;
        }
        return norms;
    }

    private static float[] Values(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
    }
}
