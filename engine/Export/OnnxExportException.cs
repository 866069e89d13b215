namespace PruneCluster.Engine.Export;

/// <summary>A model feature the ONNX export cannot express, or a bad export option; the message is one line naming the fix.</summary>
public sealed class OnnxExportException(string message) : Exception(message);
