using OpenCvSharp;
using PruneCluster.Engine.Data;
using Xunit;

namespace PruneCluster.Tests.Data;

public sealed class LetterboxTests
{
    [Fact]
    public void Even_padding_is_split_equally()
    {
        var plan = Letterbox.Plan(240, 320, 256, 352, scaleUp: false);

        Assert.Equal((1.0, 240, 320), (plan.Ratio, plan.ScaledHeight, plan.ScaledWidth));
        Assert.Equal((16.0, 8.0), (plan.PadWidth, plan.PadHeight));
        Assert.Equal((8, 8, 16, 16), (plan.Top, plan.Bottom, plan.Left, plan.Right));
    }

    [Fact]
    public void Odd_padding_puts_the_extra_pixel_bottom_and_right_as_round_minus_and_plus_0_1_do()
    {
        var plan = Letterbox.Plan(241, 319, 256, 352, scaleUp: false);

        Assert.Equal((16.5, 7.5), (plan.PadWidth, plan.PadHeight));
        Assert.Equal((7, 8, 16, 17), (plan.Top, plan.Bottom, plan.Left, plan.Right));
        Assert.Equal((256, 352), (plan.Height, plan.Width));
    }

    [Fact]
    public void Too_large_image_is_scaled_down_with_round_half_even_sizes_and_never_up_without_scaleup()
    {
        var down = Letterbox.Plan(480, 640, 256, 352, scaleUp: false);
        var notUp = Letterbox.Plan(100, 100, 256, 352, scaleUp: false);
        var up = Letterbox.Plan(100, 100, 256, 352, scaleUp: true);

        Assert.Equal(256.0 / 480, down.Ratio);
        Assert.Equal((256, (int)Math.Round(640 * (256.0 / 480), MidpointRounding.ToEven)), (down.ScaledHeight, down.ScaledWidth));
        Assert.Equal((256, 352), (down.Height, down.Width));
        Assert.Equal(1.0, notUp.Ratio);
        Assert.Equal(2.56, up.Ratio);
    }

    [Fact]
    public void Applied_letterbox_has_the_batch_shape_and_grey_114_borders()
    {
        using var image = new Mat(241, 319, MatType.CV_8UC3, new Scalar(10, 20, 30));
        var plan = Letterbox.Plan(241, 319, 256, 352, scaleUp: false);

        using var padded = Letterbox.Apply(image, plan);

        Assert.Equal((256, 352), (padded.Rows, padded.Cols));
        Assert.Equal(new Vec3b(114, 114, 114), padded.At<Vec3b>(plan.Top - 1, 100));
        Assert.Equal(new Vec3b(114, 114, 114), padded.At<Vec3b>(100, padded.Cols - 1));
        Assert.Equal(new Vec3b(10, 20, 30), padded.At<Vec3b>(plan.Top, plan.Left));
        Assert.Equal(new Vec3b(10, 20, 30), padded.At<Vec3b>(plan.Top + 240, plan.Left + 318));
    }

    [Fact]
    public void Load_image_size_truncates_like_python_int_and_picks_area_only_for_shrinking()
    {
        Assert.Equal(((int)(427 * 0.5), 320), YoloImageLoader.ResizedSize(427, 640, 320));
        Assert.Equal(InterpolationFlags.Area, YoloImageLoader.Interpolation(427, 640, 320));
        Assert.Equal(InterpolationFlags.Linear, YoloImageLoader.Interpolation(375, 500, 640));
        Assert.Null(YoloImageLoader.Interpolation(480, 640, 640));
        Assert.Equal((480, 640), YoloImageLoader.ResizedSize(480, 640, 640));
    }
}
