using System.Diagnostics;

namespace PruneCluster.Tests.Support;

/// <summary>A real headless Chromium: loads a page, runs its scripts and returns the DOM it ends with.</summary>
public static class HeadlessChromium
{
    public static string DumpDom(string url)
    {
        var profile = Directory.CreateTempSubdirectory("prunecluster-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile}", "--dump-dom", url])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
            var stderr = process.StandardError.ReadToEndAsync();
            var dom = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish loading {url} in 90 s");
            }
            Assert.True(process.ExitCode == 0, $"chromium failed on {url}: {stderr.Result}");
            return dom.Result;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
