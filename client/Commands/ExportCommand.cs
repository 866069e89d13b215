using System.ComponentModel;
using PruneCluster.Client.Cli;
using PruneCluster.Engine.Export;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PruneCluster.Client.Commands;

/// <summary><c>prunecluster export</c>: the fused (optionally pruned) model as an ONNX file.</summary>
public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : PruningSettings
    {
        [CommandOption("--onnx <PATH>")]
        [Description("Where to write the .onnx file (written atomically).")]
        public string? Onnx { get; init; }

        [CommandOption("--img <SIZE>")]
        [Description("Square input size (default 640), rounded up to a multiple of the model's max stride.")]
        [DefaultValue(640)]
        public int Img { get; init; } = 640;

        [CommandOption("--batch <N>")]
        [Description("Fixed batch size of the input (default 1).")]
        [DefaultValue(1)]
        public int Batch { get; init; } = 1;

        [CommandOption("--dynamic-batch")]
        [Description("Symbolic batch dimension 'batch': any batch size runs.")]
        public bool DynamicBatch { get; init; }

        [CommandOption("--no-decode")]
        [Description("Stop at the raw per-level head outputs raw0..rawL [B, anchors, ny, nx, nc+5] (decode on the host).")]
        public bool NoDecode { get; init; }

        [CommandOption("--opset <N>")]
        [Description("ONNX opset of the default domain (14-21, default 17).")]
        [DefaultValue(OnnxExportOptions.DefaultOpset)]
        public int Opset { get; init; } = OnnxExportOptions.DefaultOpset;

        public override ValidationResult Validate()
        {
            if (Onnx == null)
                return ValidationResult.Error("--onnx PATH is required: where to write the .onnx file");
            if (Batch is < 1 or > 4096)
                return ValidationResult.Error($"--batch {Batch}: use 1..4096");
            if (DynamicBatch && Batch != 1)
                return ValidationResult.Error($"--batch {Batch} with --dynamic-batch: a dynamic batch has no fixed size; drop one of them");
            if (Opset is < OnnxExportOptions.MinOpset or > OnnxExportOptions.MaxOpset)
                return ValidationResult.Error($"--opset {Opset}: use {OnnxExportOptions.MinOpset}..{OnnxExportOptions.MaxOpset}");
            return ImageSizeOption.Validate(Img) is { Successful: false } error ? error : base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var deploy = DeployModel.Open(settings);
        var img = ImageSizeOption.ForModel(deploy.Model, settings.Img);
        var options = new OnnxExportOptions(img, settings.Batch, settings.DynamicBatch, !settings.NoDecode, settings.Opset,
            deploy.Loaded.ClassNames, DeployModel.Describe(settings, deploy.History));
        var onnx = OnnxExporter.Build(deploy.Model, options);
        OnnxExporter.Write(settings.Onnx!, onnx);
        string Shape(Onnx.ValueInfoProto v) => "[" + string.Join(", ", v.Type.TensorType.Shape.Dim.Select(d => d.DimParam is { Length: > 0 } p ? p : d.DimValue.ToString())) + "]";
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(settings.Onnx!)}[/] ({new FileInfo(settings.Onnx!).Length / 1e6:F1} MB, opset {settings.Opset}, {onnx.Graph.Node.Count} nodes)");
        foreach (var input in onnx.Graph.Input)
            AnsiConsole.MarkupLine($"  input  {Markup.Escape(input.Name)} {Markup.Escape(Shape(input))} float32");
        foreach (var output in onnx.Graph.Output)
            AnsiConsole.MarkupLine($"  output {Markup.Escape(output.Name)} {Markup.Escape(Shape(output))} float32");
        return 0;
    }
}
