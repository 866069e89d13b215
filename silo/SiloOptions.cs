using System.Globalization;
using System.Net;

namespace PruneCluster.Silo;

/// <summary>
/// The silo's command line, validated before anything starts. Bad input is a <see cref="SiloOptionException"/>: one
/// line naming the option and the fix, exit code 2.
/// </summary>
public sealed class SiloOptions
{
    public string? Redis { get; private set; }
    public string? RedisPassword { get; private set; }
    public IReadOnlyList<string> Devices { get; private set; } = ["cpu"];
    public int SlotsPerDevice { get; private set; } = 1;
    public string? Evaluator { get; private set; }
    public double SimulatedMsPerGflop { get; private set; } = 10;
    public string? Artifacts { get; private set; }
    public int SiloPort { get; private set; } = 11111;
    public int GatewayPort { get; private set; } = 30000;
    public IPAddress Advertise { get; private set; } = IPAddress.Loopback;
    public int DashboardPort { get; private set; } = 8080;
    public string ClusterId { get; private set; } = "prunecluster";
    public string ServiceId { get; private set; } = "prunecluster";
    public bool LogJson { get; private set; }
    public bool Help { get; private set; }
    public string? LogDir { get; private set; }
    public int? LivenessSeconds { get; private set; }

    public const string Usage =
        "usage: prunecluster-silo [--redis host:port] [--redis-password-file F] [--devices cpu|cuda:0,cuda:1] [--slots-per-device N]\n" +
        "       [--evaluator engine|simulated] [--artifacts DIR] [--simulated-ms-per-gflop X] [--silo-port N] [--gateway-port N] [--advertise IP]\n" +
        "       [--dashboard-port N] [--cluster-id ID] [--service-id ID] [--log-json] [--log-dir DIR]\n" +
        "       [--liveness-seconds N]";

    public static SiloOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var o = new SiloOptions { RedisPassword = environment("REDIS_PASSWORD") };
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i] : throw new SiloOptionException($"{name} needs a value");
            switch (name)
            {
                case "--redis": o.Redis = Endpoint(name, Value()); break;
                case "--redis-password-file": o.RedisPassword = PasswordFile(name, Value()); break;
                case "--devices": o.Devices = DeviceList(name, Value()); break;
                case "--slots-per-device": o.SlotsPerDevice = Int(name, Value(), 0, 64); break;
                case "--evaluator": o.Evaluator = Value() is "engine" or "simulated" ? args[i] : throw new SiloOptionException($"{name}: '{args[i]}' is not an evaluator; use engine or simulated"); break;
                case "--artifacts": o.Artifacts = Value(); break;
                case "--simulated-ms-per-gflop": o.SimulatedMsPerGflop = Double(name, Value()); break;
                case "--silo-port": o.SiloPort = Int(name, Value(), 1, 65535); break;
                case "--gateway-port": o.GatewayPort = Int(name, Value(), 1, 65535); break;
                case "--advertise": o.Advertise = IPAddress.TryParse(Value(), out var ip) ? ip : throw new SiloOptionException($"{name}: '{args[i]}' is not an IP address"); break;
                case "--dashboard-port": o.DashboardPort = Int(name, Value(), 1, 65535); break;
                case "--cluster-id": o.ClusterId = Value(); break;
                case "--service-id": o.ServiceId = Value(); break;
                case "--log-json": o.LogJson = true; break;
                case "--help" or "-h": o.Help = true; return o;
                case "--log-dir": o.LogDir = Value(); break;
                case "--liveness-seconds": o.LivenessSeconds = Int(name, Value(), 1, 3600); break;
                default: throw new SiloOptionException($"unknown option '{name}' (--help lists the options)");
            }
        }
        if (o.SlotsPerDevice > 0)
            o.Evaluator ??= "engine";
        if (o.SlotsPerDevice > 0 && o.Evaluator == "engine" && o.Artifacts is null)
            throw new SiloOptionException("the engine evaluator reads models from the artifact store: pass --artifacts DIR (the folder every silo shares), or --evaluator simulated for trials, or --slots-per-device 0");
        if (o.Artifacts is not null && !Directory.Exists(o.Artifacts))
            throw new SiloOptionException($"--artifacts {o.Artifacts}: folder not found; create it or mount the shared volume there");
        if (new[] { o.SiloPort, o.GatewayPort, o.DashboardPort }.Distinct().Count() < 3)
            throw new SiloOptionException("--silo-port, --gateway-port and --dashboard-port must differ");
        return o;
    }

    private static string Endpoint(string name, string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? value : throw new SiloOptionException($"{name}: '{value}' is not host:port (e.g. 127.0.0.1:6379)");
    }

    private static string PasswordFile(string name, string path) =>
        File.Exists(path) ? File.ReadAllText(path).Trim() : throw new SiloOptionException($"{name}: file '{path}' does not exist");

    private static IReadOnlyList<string> DeviceList(string name, string value)
    {
        var devices = value.Split(',', StringSplitOptions.TrimEntries);
        foreach (var d in devices)
            if (d != "cpu" && !(d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d[5..], CultureInfo.InvariantCulture, out var n) && n >= 0))
                throw new SiloOptionException($"{name}: '{d}' is not a device (cpu or cuda:N, comma-separated)");
        return devices.Distinct().Count() == devices.Length ? devices : throw new SiloOptionException($"{name}: '{value}' lists a device twice");
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n : throw new SiloOptionException($"{name}: '{value}' is not a whole number from {min} to {max}");

    private static double Double(string name, string value) =>
        double.TryParse(value, CultureInfo.InvariantCulture, out var x) && x >= 0
            ? x : throw new SiloOptionException($"{name}: '{value}' is not a non-negative number");
}
