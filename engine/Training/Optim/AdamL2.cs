using PruneCluster.Engine.Runtime;
using static TorchSharp.torch;

namespace PruneCluster.Engine.Training.Optim;

/// <summary>
/// train.py's <c>--adam</c>: torch.optim.Adam with <c>betas=(hyp momentum, 0.999)</c>, eps 1e-8, L2 weight decay
/// added to the gradient (hence the name: not AdamW's decoupled decay), no amsgrad. State per parameter: <c>exp_avg/NAME</c>,
/// <c>exp_avg_sq/NAME</c> and the step count <c>step/NAME</c>. Adam moves every weight by about lr per step whatever
/// its gradient's scale, which is why a model trained from scratch on a small set learns far sooner with it (train.py's
/// users pair it with lr0 0.001).
/// </summary>
public sealed class AdamL2(ParameterGroups parameters, double lr, double beta1, double weightDecay, double beta2 = 0.999, double eps = 1e-8)
    : TrainingOptimizer(parameters, lr, beta1, weightDecay)
{
    private const string ExpAvg = "exp_avg", ExpAvgSq = "exp_avg_sq", Steps = "step";

    public override string Kind => "adam";

    /// <summary>Adam's groups have betas, not momentum: train.py's warm-up leaves them alone.</summary>
    public override void SetMomentum(int group, double momentum) { }

    protected override void Update(Group group, string name, Tensor parameter, Tensor grad)
    {
        using var n = new KeptScalars();
        var beta1 = group.Momentum;
        var g = group.WeightDecay != 0 ? grad.add(parameter, n.Of(group.WeightDecay)) : grad;
        var average = StateOf(ExpAvg, name, () => zeros_like(parameter));
        var squares = StateOf(ExpAvgSq, name, () => zeros_like(parameter));
        var count = StateOf(Steps, name, () => zeros(1, ScalarType.Int64)); // on the CPU: read every step
        count.add_(n.One, n.One);
        var step = count.item<long>();
        average.mul_(n.Of(beta1)).add_(g, n.Of(1 - beta1));
        squares.mul_(n.Of(beta2)).addcmul_(g, g, n.Of(1 - beta2));
        var stepSize = group.Lr / (1 - Math.Pow(beta1, step));
        var denominator = squares.sqrt().div_(n.Of(Math.Sqrt(1 - Math.Pow(beta2, step)))).add_(n.Of(eps), n.One);
        parameter.addcdiv_(average, denominator, n.Of(-stepSize));
    }

    protected override bool StateFits(string kind, Tensor tensor, Tensor parameter) => kind switch
    {
        ExpAvg or ExpAvgSq => parameter.shape.SequenceEqual(tensor.shape),
        Steps => tensor.numel() == 1,
        _ => false,
    };
}
