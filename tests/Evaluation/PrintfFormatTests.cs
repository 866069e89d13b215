using PruneCluster.Client.Commands;
using Xunit;

namespace PruneCluster.Tests.Evaluation;

/// <summary>C/Python printf semantics of the table's conversions (%g picks fixed or exponent form, strips zeros).</summary>
public sealed class PrintfFormatTests
{
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.28449, "0.284")]
    [InlineData(0.0838, "0.0838")]
    [InlineData(0.5625, "0.562")]      // exact binary tie: round half to even
    [InlineData(0.5635, "0.564")]      // stored as 0.56350000000000000089: just above the tie
    [InlineData(0.6785, "0.678")]      // stored as 0.67849999999999999201: just below the tie
    [InlineData(0.99951, "1")]
    [InlineData(123.4, "123")]
    [InlineData(1234.5, "1.23e+03")]
    [InlineData(1000.0, "1e+03")]
    [InlineData(0.0001234, "0.000123")]
    [InlineData(0.00001234, "1.23e-05")]
    [InlineData(-0.25, "-0.25")]
    public void GeneralWithThreeDigitsMatchesPrintf(double value, string expected) =>
        Assert.Equal(expected, PrintfFormat.General(value, 3));

    [Fact]
    public void WidthsPadOnTheLeft()
    {
        Assert.Equal("       0.562", PrintfFormat.General(0.5625, 3, 12));
        Assert.Equal("         181", PrintfFormat.Integer(181, 12));
        Assert.Equal("                 all", PrintfFormat.String("all", 20));
    }
}
