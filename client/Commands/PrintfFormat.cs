using System.Globalization;
using System.Numerics;

namespace PruneCluster.Client.Commands;

/// <summary>
/// The printf conversions that YOLOv7's result table uses (<c>%20s</c>, <c>%12i</c>, <c>%12.3g</c>), so our table
/// reads exactly like test.py's. %g is rounded from the exact binary value, ties to even, as C and Python do
/// (.NET's own "G3" rounds ties away from zero).
/// </summary>
public static class PrintfFormat
{
    /// <summary><c>%{width}s</c>: right-aligned, never truncated.</summary>
    public static string String(string value, int width) => value.PadLeft(width);

    /// <summary><c>%{width}i</c>.</summary>
    public static string Integer(long value, int width) => value.ToString(CultureInfo.InvariantCulture).PadLeft(width);

    /// <summary><c>%{width}.{precision}g</c>.</summary>
    public static string General(double value, int precision, int width = 0) => General(value, precision).PadLeft(width);

    private static string General(double value, int precision)
    {
        if (double.IsNaN(value))
            return "nan";
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";
        var significant = Math.Max(precision, 1);
        var sign = double.IsNegative(value) ? "-" : "";
        if (value == 0)
            return sign + "0";

        var (digits, power) = ExactDecimal(Math.Abs(value));
        (digits, power) = RoundToSignificant(digits, power, significant);
        var digitText = digits.ToString(CultureInfo.InvariantCulture);
        var exponent = digitText.Length - 1 + power;

        if (exponent >= -4 && exponent < significant)
            return sign + Fixed(digitText, power);
        var mantissa = StripZeros(digitText.Length > 1 ? digitText[0] + "." + digitText[1..] : digitText);
        return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }

    // value == digits · 10^power exactly: a double is m · 2^q, and 2^-k = 5^k / 10^k.
    private static (BigInteger Digits, int Power) ExactDecimal(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponentBits = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponentBits != 0)
            mantissa |= 1L << 52;
        var q = (exponentBits == 0 ? 1 : exponentBits) - 1075;
        return q >= 0
            ? (new BigInteger(mantissa) << q, 0)
            : (new BigInteger(mantissa) * BigInteger.Pow(5, -q), q);
    }

    private static (BigInteger Digits, int Power) RoundToSignificant(BigInteger digits, int power, int significant)
    {
        var length = digits.ToString(CultureInfo.InvariantCulture).Length;
        if (length <= significant)
            return (digits, power);
        var drop = length - significant;
        var scale = BigInteger.Pow(10, drop);
        var kept = BigInteger.DivRem(digits, scale, out var rest);
        var twice = rest * 2;
        if (twice > scale || twice == scale && !kept.IsEven)
            kept += 1;
        power += drop;
        if (kept.ToString(CultureInfo.InvariantCulture).Length > significant)
        {
            kept /= 10;
            power++;
        }
        return (kept, power);
    }

    private static string Fixed(string digits, int power)
    {
        if (power >= 0)
            return digits + new string('0', power);
        var fraction = -power;
        var padded = digits.PadLeft(fraction + 1, '0');
        return StripZeros(padded[..^fraction] + "." + padded[^fraction..]);
    }

    private static string StripZeros(string number) =>
        number.Contains('.') ? number.TrimEnd('0').TrimEnd('.') : number;
}
