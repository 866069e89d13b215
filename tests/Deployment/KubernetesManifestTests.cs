using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PruneCluster.Tests.Cluster;
using PruneCluster.Tests.Support;
using static PruneCluster.Tests.Deployment.RenderedOverlay;

namespace PruneCluster.Tests.Deployment;

/// <summary>
/// Every kustomize overlay in k8s/ renders, and what it renders fits together and fits the silo: selectors match pod
/// labels, the silo's arguments are options the real silo accepts, ports and env names agree with them, volumes are
/// mounted where the arguments point, images are named alike. Nothing here runs a cluster (none on these machines).
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly string[] OverlayNames = ["cpu", "gpu"];

    public static IEnumerable<object[]> Overlays => OverlayNames.Select(o => new object[] { o });

    private const string Silo = "prunecluster-silo", Redis = "prunecluster-redis", Job = "prunecluster-campaign";

    [KubectlFact]
    public void EveryOverlayDirectoryIsTested() =>
        Assert.Equal(OverlayNames.Order(), Directory.GetDirectories(RepoFiles.Path("k8s", "overlays")).Select(Path.GetFileName).Order());

    [KubectlFact]
    public void SelectorsMatchThePodLabelsOfEveryWorkloadAndService()
    {
        foreach (var overlay in OverlayNames.Select(Render))
        {
            var workloads = overlay.OfKind("Deployment").Concat(overlay.OfKind("StatefulSet")).ToList();
            Assert.NotEmpty(workloads);
            foreach (var workload in workloads)
            {
                var selector = workload["spec"]!["selector"]!["matchLabels"]!.AsObject().ToDictionary(p => p.Key, p => Str(p.Value)!);
                Assert.NotEmpty(selector);
                Assert.Subset(Labels(PodTemplate(workload)["metadata"]!.AsObject()).ToHashSet(), selector.ToHashSet());
            }
            foreach (var service in overlay.OfKind("Service"))
            {
                var selector = service["spec"]!["selector"]!.AsObject().ToDictionary(p => p.Key, p => Str(p.Value)!);
                var pods = workloads.Where(w => selector.All(s => Labels(PodTemplate(w)["metadata"]!.AsObject()).GetValueOrDefault(s.Key) == s.Value)).ToList();
                Assert.True(pods.Count == 1, $"{overlay.Name}: service {Str(service["metadata"]!["name"])} selects {pods.Count} workloads");
                var ports = PodTemplate(pods[0])["spec"]!["containers"]!.AsArray().SelectMany(c => c!["ports"]!.AsArray()).ToList();
                foreach (var port in service["spec"]!["ports"]!.AsArray())
                    Assert.Contains(ports, p => Str(p!["name"]) == Str(port!["targetPort"]) || Str(p!["containerPort"]) == Str(port!["targetPort"]));
            }
        }
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void SiloArgumentsAreOptionsTheSiloAcceptsAndPortsProbesAndIdsAgreeWithThem(string name)
    {
        var overlay = Render(name);
        var silo = overlay.Get("Deployment", Silo);
        var container = Container(silo, "silo");
        var args = Arguments(overlay, container);

        // The real silo parses them (--help last: every option before it is validated, nothing starts).
        using (var process = ChildProcess.Silo([.. args, "--help"]))
        {
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the silo did not answer --help");
            Assert.True(process.ExitCode == 0, $"{name}: the silo rejects its arguments {string.Join(' ', args)}: {process.Stderr}");
        }
        var options = Options(args);
        Assert.True(options.ContainsKey("--evaluator"), "a silo with slots needs --evaluator");
        Assert.False(IPAddress.IsLoopback(IPAddress.Parse(options["--advertise"])), "--advertise must be the pod's address: the kubelet probes it");

        var ports = container["ports"]!.AsArray().ToDictionary(p => Str(p!["name"])!, p => Str(p!["containerPort"])!);
        Assert.Equal(options.GetValueOrDefault("--silo-port", "11111"), ports["silo"]);
        Assert.Equal(options.GetValueOrDefault("--gateway-port", "30000"), ports["gateway"]);
        Assert.Equal(options.GetValueOrDefault("--dashboard-port", "8080"), ports["dashboard"]);
        foreach (var (probe, path) in new[] { ("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
        {
            var get = container[probe]!["httpGet"]!;
            Assert.Equal(path, Str(get["path"]));
            Assert.Contains(Str(get["port"]), new[] { "dashboard", ports["dashboard"] });
        }
        var dashboard = overlay.Get("Service", "prunecluster-dashboard")["spec"]!["ports"]!.AsArray().Single()!;
        Assert.Contains(Str(dashboard["targetPort"]), new[] { "dashboard", ports["dashboard"] });

        // --redis names the Redis Service and its port.
        var redisPort = overlay.Get("Service", Redis)["spec"]!["ports"]!.AsArray().Single()!;
        Assert.Equal($"{Redis}:{Str(redisPort["port"])}", options["--redis"]);

        // Orleans' Kubernetes hosting: its env vars, and the labels it reads its ids from equal --service-id/--cluster-id.
        var labels = Labels(PodTemplate(silo)["metadata"]!.AsObject());
        Assert.Equal(options.GetValueOrDefault("--service-id", "prunecluster"), labels["orleans/serviceId"]);
        Assert.Equal(options.GetValueOrDefault("--cluster-id", "prunecluster"), labels["orleans/clusterId"]);
        var fields = Env(container).Where(e => e["valueFrom"]?["fieldRef"] is not null)
            .ToDictionary(e => Str(e["name"])!, e => Str(e["valueFrom"]!["fieldRef"]!["fieldPath"]));
        Assert.Equal("metadata.name", fields["POD_NAME"]);
        Assert.Equal("metadata.namespace", fields["POD_NAMESPACE"]);
        Assert.Equal("status.podIP", fields["POD_IP"]);
        Assert.Equal("metadata.labels['orleans/serviceId']", fields["ORLEANS_SERVICE_ID"]);
        Assert.Equal("metadata.labels['orleans/clusterId']", fields["ORLEANS_CLUSTER_ID"]);

        // Long enough to hand work back: the grace period exceeds the host's shutdown timeout.
        var shutdown = int.Parse(Literal(container, "DOTNET_SHUTDOWNTIMEOUTSECONDS"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(int.Parse(Str(PodTemplate(silo)["spec"]!["terminationGracePeriodSeconds"])!, System.Globalization.CultureInfo.InvariantCulture) > shutdown);
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void RedisPasswordComesFromTheOneSecretForRedisSilosAndClient(string name)
    {
        var overlay = Render(name);
        var secret = Assert.Single(overlay.OfKind("Secret"));
        var secretName = Str(secret["metadata"]!["name"]);
        Assert.NotNull(secret["data"]!["password"]);
        foreach (var container in new[] { Container(overlay.Get("StatefulSet", Redis), "redis"), Container(overlay.Get("Deployment", Silo), "silo"), Container(overlay.Get("Job", Job), "client") })
        {
            var password = Env(container).Single(e => Str(e["name"]) == "REDIS_PASSWORD")["valueFrom"]!["secretKeyRef"]!;
            Assert.Equal((secretName, "password"), (Str(password["name"]), Str(password["key"])));
        }
        Assert.Contains("$(REDIS_PASSWORD)", Container(overlay.Get("StatefulSet", Redis), "redis")["args"]!.AsArray().Select(Str));
        Assert.NotNull(overlay.Get("StatefulSet", Redis)["spec"]!["volumeClaimTemplates"]);
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void SilosMayListTheirPods(string name)
    {
        var overlay = Render(name);
        var account = Str(PodTemplate(overlay.Get("Deployment", Silo))["spec"]!["serviceAccountName"])!;
        overlay.Get("ServiceAccount", account);
        var binding = overlay.OfKind("RoleBinding").Single(b => b["subjects"]!.AsArray().Any(s => Str(s!["kind"]) == "ServiceAccount" && Str(s!["name"]) == account));
        var role = overlay.Get("Role", Str(binding["roleRef"]!["name"])!);
        var pods = role["rules"]!.AsArray().Single(r => r!["resources"]!.AsArray().Select(Str).Contains("pods"))!;
        Assert.Subset(pods["verbs"]!.AsArray().Select(v => Str(v)!).ToHashSet(), new HashSet<string> { "get", "watch", "list", "patch" });
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void PathsInArgumentsLieOnTheSharedReadWriteManyVolumeMountedAlikeInSilosAndClient(string name)
    {
        var overlay = Render(name);
        var silo = overlay.Get("Deployment", Silo);
        var job = overlay.Get("Job", Job);
        var siloArgs = Options(Arguments(overlay, Container(silo, "silo")));
        var jobArgs = Options(Arguments(overlay, Container(job, "client")));
        Assert.Equal(["campaign", "start"], Container(job, "client")["args"]!.AsArray().Take(2).Select(Str));
        Assert.StartsWith("redis://" + Redis + ":", jobArgs["--cluster"]);
        Assert.Equal(siloArgs["--artifacts"], jobArgs["--artifacts"]);

        var siloMount = SharedMount(overlay, silo, "silo", siloArgs["--artifacts"]);
        // The silo refuses an --artifacts folder that does not exist: an init container makes it on the same volume.
        var init = PodTemplate(silo)["spec"]!["initContainers"]!.AsArray().Select(c => c!.AsObject()).Single();
        Assert.Contains(siloArgs["--artifacts"], init["command"]!.AsArray().Select(Str));
        var siloVolume = Container(silo, "silo")["volumeMounts"]!.AsArray().Single(m => Str(m!["mountPath"]) == siloMount.MountPath)!["name"];
        Assert.Contains(init["volumeMounts"]!.AsArray(), m => (Str(m!["mountPath"]), Str(m!["name"])) == (siloMount.MountPath, Str(siloVolume)));
        Assert.Equal(Str(Container(silo, "silo")["image"]), Str(init["image"]));
        var jobMounts = new[] { jobArgs["--weights"], jobArgs["--data"], jobArgs["--artifacts"] }.Select(path => SharedMount(overlay, job, "client", path)).ToList();
        Assert.All(jobMounts, mount => Assert.Equal(siloMount, mount));
    }

    [KubectlTheory]
    [MemberData(nameof(Overlays))]
    public void SiloAndClientRunTheOverlaysImageAndOnlyTheGpuOverlayAsksForGpus(string name)
    {
        var overlay = Render(name);
        var silo = Container(overlay.Get("Deployment", Silo), "silo");
        var client = Container(overlay.Get("Job", Job), "client");
        var tag = name == "gpu" ? "cuda" : "cpu";
        Assert.Equal($"prunecluster:{tag}", Str(silo["image"]));
        Assert.Equal(Str(silo["image"]), Str(client["image"]));
        Assert.Contains($"{tag})", File.ReadAllText(RepoFiles.Path("k8s", "build-images.sh")));   // the script builds this tag

        var devices = Options(Arguments(overlay, silo))["--devices"];
        var resources = silo["resources"]!;
        var podSpec = PodTemplate(overlay.Get("Deployment", Silo))["spec"]!;
        if (name == "gpu")
        {
            Assert.Equal("cuda:0", devices);
            Assert.Equal("1", Str(resources["requests"]!["nvidia.com/gpu"]));
            Assert.Equal("1", Str(resources["limits"]!["nvidia.com/gpu"]));
            Assert.Contains(podSpec["tolerations"]!.AsArray(), t => Str(t!["key"]) == "nvidia.com/gpu");
            Assert.NotNull(podSpec["nodeSelector"]);
        }
        else
        {
            Assert.Equal("cpu", devices);
            Assert.Null(resources["limits"]?["nvidia.com/gpu"]);
            Assert.Null(podSpec["tolerations"]);
        }
    }

    // The container's args with $(VAR) resolved as the kubelet does: literal env values, and stand-ins for the pod
    // fields and secrets known only at run time. An undefined variable fails the test (the kubelet would pass it on as
    // text).
    private static List<string> Arguments(RenderedOverlay overlay, JsonObject container)
    {
        var env = Env(container).ToDictionary(e => Str(e["name"])!, e => Str(e["value"]) ?? (Str(e["valueFrom"]?["fieldRef"]?["fieldPath"]) switch
        {
            "status.podIP" => "10.1.2.3",
            "metadata.name" => "prunecluster-silo-0",
            "metadata.namespace" => "prunecluster",
            _ => "from-" + Str(e["valueFrom"]!.AsObject().First().Key),
        }));
        return container["args"]!.AsArray().Select(a => Variable().Replace(Str(a)!, m =>
            env.TryGetValue(m.Groups[1].Value, out var value) ? value : throw new Xunit.Sdk.XunitException($"{overlay.Name}: argument {Str(a)} names an undefined variable"))).ToList();
    }

    private static Dictionary<string, string> Options(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
            if (args[i].StartsWith("--", StringComparison.Ordinal))
                options[args[i]] = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
        return options;
    }

    private static IEnumerable<JsonObject> Env(JsonObject container) => container["env"]!.AsArray().Select(e => e!.AsObject());

    private static string Literal(JsonObject container, string name) => Str(Env(container).Single(e => Str(e["name"]) == name)["value"])!;

    // The mount a path lies under, as (mount path, claim); the claim must be the shared ReadWriteMany one.
    private static (string MountPath, string Claim) SharedMount(RenderedOverlay overlay, JsonObject workload, string container, string path)
    {
        var mount = Container(workload, container)["volumeMounts"]!.AsArray().Select(m => m!)
            .SingleOrDefault(m => path.StartsWith(Str(m["mountPath"])!.TrimEnd('/') + "/", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"{overlay.Name}: {path} lies on no volume mounted in {container}");
        var volume = PodTemplate(workload)["spec"]!["volumes"]!.AsArray().Single(v => Str(v!["name"]) == Str(mount["name"]))!;
        var claim = Str(volume["persistentVolumeClaim"]?["claimName"]) ?? throw new Xunit.Sdk.XunitException($"{overlay.Name}: {path} is not on a persistent volume");
        Assert.Contains("ReadWriteMany", overlay.Get("PersistentVolumeClaim", claim)["spec"]!["accessModes"]!.AsArray().Select(Str));
        return (Str(mount["mountPath"])!, claim);
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Variable();
}
