using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace PruneCluster.Engine.Export;

/// <summary>
/// Appends nodes and constant initializers to an ONNX graph (OnnxSharp's generated protobuf types), giving every
/// value a unique name. Only default-domain operators are written.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private int counter;

    public GraphProto Graph { get; } = new() { Name = "prunecluster" };

    /// <summary>Adds one node; returns the name of its (single) output, <paramref name="output"/> when given.</summary>
    public string Node(string op, IEnumerable<string> inputs, string? name = null, string? output = null, params AttributeProto[] attributes)
    {
        var id = counter++;
        var node = new NodeProto { OpType = op, Name = name ?? $"{op}_{id}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output ?? $"{node.Name}_out");
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node.Output[0];
    }

    /// <summary>A float32 initializer of the given shape.</summary>
    public string Floats(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float32 scalar constant (a 0-d initializer), broadcast by element-wise operators.</summary>
    public string Scalar(float value) => Floats("const", [value]);

    /// <summary>An int64 initializer (shapes, slice bounds, axes).</summary>
    public string Longs(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.Add(values.Length);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float32 graph input or output; a null dimension is the symbolic <c>batch</c>.</summary>
    public static ValueInfoProto Value(string name, params long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is { } v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private string Unique(string name) => $"{name}_{counter++}";
}
