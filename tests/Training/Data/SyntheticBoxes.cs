using OpenCvSharp;

namespace PruneCluster.Tests.Training.Data;

/// <summary>
/// A throw-away YOLO data set of lossless PNGs: black images of several sizes, each holding up to three solid
/// rectangles of distinct pure colours (class k has colour <see cref="Palette"/>[k]), well apart and away from the
/// borders, with their exact label rows. Pure 0/255 colours survive OpenCV's HSV round trip unchanged.
/// </summary>
internal sealed class SyntheticBoxes : IDisposable
{
    /// <summary>BGR colour of each class: red, green, blue, yellow, magenta, cyan.</summary>
    public static readonly Scalar[] Palette =
    [
        new(0, 0, 255), new(0, 255, 0), new(255, 0, 0), new(0, 255, 255), new(255, 0, 255), new(255, 255, 0),
    ];

    private static readonly (int Height, int Width)[] Sizes = [(120, 160), (160, 120), (200, 200), (100, 180), (150, 150), (180, 140)];

    public SyntheticBoxes(int images = 6, int seed = 1)
    {
        Root = Path.Combine(Path.GetTempPath(), $"prunecluster-synthboxes-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(Root, "images", "train"));
        Directory.CreateDirectory(Path.Combine(Root, "labels", "train"));
        var random = new Random(seed);
        for (var i = 0; i < images; i++)
        {
            var (h, w) = Sizes[i % Sizes.Length];
            using var image = new Mat(h, w, MatType.CV_8UC3, Scalar.Black);
            var rows = new List<string>();
            var placed = new List<Rect>();
            foreach (var cls in Enumerable.Range(0, Palette.Length).OrderBy(_ => random.Next()).Take(3))
            {
                for (var attempt = 0; attempt < 50; attempt++)
                {
                    var (bw, bh) = (random.Next(28, 60), random.Next(28, 60));
                    var box = new Rect(random.Next(12, w - 12 - bw), random.Next(12, h - 12 - bh), bw, bh);
                    // Keep boxes 16 px apart so a colour's neighbourhood never holds another object.
                    var grown = new Rect(box.X - 16, box.Y - 16, box.Width + 32, box.Height + 32);
                    if (placed.Any(p => p.IntersectsWith(grown)))
                        continue;
                    placed.Add(box);
                    Cv2.Rectangle(image, new Point(box.Left, box.Top), new Point(box.Right - 1, box.Bottom - 1), Palette[cls], -1);
                    rows.Add(FormattableString.Invariant(
                        $"{cls} {(box.X + bw / 2.0) / w:R} {(box.Y + bh / 2.0) / h:R} {(double)bw / w:R} {(double)bh / h:R}"));
                    break;
                }
            }
            var name = $"synth_{i:D2}";
            Cv2.ImWrite(Path.Combine(Root, "images", "train", name + ".png"), image);
            File.WriteAllLines(Path.Combine(Root, "labels", "train", name + ".txt"), rows);
        }
        YamlPath = Path.Combine(Root, "data.yaml");
        File.WriteAllText(YamlPath, $"train: images/train\nval: images/train\nnc: {Palette.Length}\nnames: [red, green, blue, yellow, magenta, cyan]\n");
    }

    public string Root { get; }

    public string YamlPath { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
