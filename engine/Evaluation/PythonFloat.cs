using System.Globalization;
using System.Numerics;

namespace PruneCluster.Engine.Evaluation;

/// <summary>
/// Python's <c>round(x, n)</c> for floats: the exact binary value rounded half-to-even at the n-th decimal, then the
/// nearest double to that decimal. .NET's Math.Round(x, n) scales by 10^n first and can round the other way.
/// </summary>
internal static class PythonFloat
{
    private const double TwoTo52 = 4503599627370496.0;

    // Literals, so each power is exact (10^22 is the largest that is).
    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    public static double Round(double value, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, PowersOfTen.Length - 1);
        if (!double.IsFinite(value) || value == 0)
            return value;
        var scale = PowersOfTen[digits];
        var scaled = Math.Abs(value) * scale;
        if (scaled < TwoTo52)
        {
            // The product is off by at most half an ulp; unless that could cross the .5 boundary, its rounding is the
            // exact value's, and k / 10^n of two exact doubles is already the double nearest the decimal.
            var floor = Math.Floor(scaled);
            var fraction = scaled - floor;
            if (Math.Abs(fraction - 0.5) > scaled * 1e-15 + 1e-300)
                return Math.CopySign((fraction > 0.5 ? floor + 1 : floor) / scale, value);
        }
        return Math.CopySign(RoundExactly(Math.Abs(value), digits), value);
    }

    // value = mantissa · 2^exponent exactly; round mantissa · 10^digits / 2^-exponent half-to-even.
    private static double RoundExactly(double value, int digits)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var biased = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        var exponent = biased == 0 ? -1074 : biased - 1075;
        if (biased != 0)
            mantissa |= 1L << 52;
        if (exponent >= 0)
            return value; // an integer: nothing after the decimal point
        var numerator = mantissa * BigInteger.Pow(10, digits);
        var shift = -exponent;
        var quotient = numerator >> shift;
        var twiceRemainder = (numerator - (quotient << shift)) << 1;
        var half = twiceRemainder.CompareTo(BigInteger.One << shift);
        if (half > 0 || half == 0 && !quotient.IsEven)
            quotient += 1;
        return double.Parse(string.Create(CultureInfo.InvariantCulture, $"{quotient}E-{digits}"), NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
