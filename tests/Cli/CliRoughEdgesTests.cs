using System.ComponentModel;
using System.Reflection;
using System.Text.RegularExpressions;
using PruneCluster.Client.Commands;
using PruneCluster.Engine.Checkpoints;
using PruneCluster.Engine.Models;
using PruneCluster.Tests.Checkpoints;
using PruneCluster.Tests.Evaluation;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace PruneCluster.Tests.Cli;

/// <summary>What a first-time user hits: random weights that differ per run, options without help, README names.</summary>
public sealed class CliRoughEdgesTests
{
    [Fact]
    public void Forward_with_cfg_gives_the_same_output_twice_and_init_seed_changes_it()
    {
        using var folder = new TempFolder();
        var input = folder.File("x.npy");
        using (var x = rand(1, 3, 64, 64))
            NpyFile.Write(input, x);

        string Forward(string name, params string[] more)
        {
            var output = folder.File(name);
            var run = PruneclusterProcess.Run(["forward", "--cfg", "yolov7-tiny", "--input", input, "--output", output, .. more]);
            Assert.True(run.ExitCode == 0, run.Stderr);
            return output;
        }

        var first = File.ReadAllBytes(Forward("a.npy"));
        var second = File.ReadAllBytes(Forward("b.npy", "--init-seed", "0"));
        var other = File.ReadAllBytes(Forward("c.npy", "--init-seed", "1"));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    // The commands this check covers; sensitivity and select document their options on their own.
    public static TheoryData<Type> Commands => new()
    {
        typeof(InfoCommand.Settings), typeof(PruneCommand.Settings), typeof(ForwardCommand.Settings),
        typeof(GraphCommand.Settings), typeof(TestCommand.Settings), typeof(MetricsCommand.Settings),
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_option_has_help_text(Type settings)
    {
        var options = settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<CommandOptionAttribute>() != null).ToList();

        Assert.NotEmpty(options);
        Assert.All(options, p => Assert.False(string.IsNullOrWhiteSpace(p.GetCustomAttribute<DescriptionAttribute>()?.Description),
            $"{settings.DeclaringType?.Name} {p.GetCustomAttribute<CommandOptionAttribute>()!.LongNames.FirstOrDefault()} has no help text"));
    }

    [Fact]
    public void Every_cfg_name_the_readme_lists_resolves_and_every_built_in_name_is_listed()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("- **Every YOLOv7 cfg builds**", StringComparison.Ordinal));
        Assert.True(start >= 0, "README has no '- **Every YOLOv7 cfg builds**' item");
        var item = string.Join(' ', readme.Skip(start).TakeWhile((l, i) => i == 0 || l.StartsWith("  ", StringComparison.Ordinal)));
        var listed = Regex.Matches(item, @"`((?:deploy/)?yolov7[\w-]*)`").Select(m => m.Groups[1].Value).ToList();
        // "the same under deploy/": every training name is also a deploy name.
        var names = listed.Concat(listed.Where(n => !n.StartsWith("deploy/", StringComparison.Ordinal)).Select(n => $"deploy/{n}")).Distinct().ToList();

        // Resolving is what failed for a listed name; that every built-in cfg builds is ModelBuilderTests' job.
        Assert.All(names, name => Assert.NotEmpty(YoloCfg.Resolve(name).Layers));
        Assert.Equal(YoloCfg.BuiltInNames.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Cluster.sln above {AppContext.BaseDirectory}");
    }
}
