using System.Globalization;

namespace PruneCluster.Client.Commands;

/// <summary>
/// The printf conversions that YOLOv7's result table uses (<c>%20s</c>, <c>%12i</c>, <c>%12.3g</c>), so our table
/// reads exactly like test.py's. .NET's "G" format differs from %g in when it switches to exponent form and in how
/// it writes exponents, so %g is laid out here from .NET's correctly rounded "E" digits.
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

        // "d.ddE+xxx": the significant digits rounded from the exact binary value, and the decimal exponent after rounding.
        var scientific = Math.Abs(value).ToString("E" + (significant - 1), CultureInfo.InvariantCulture);
        var digits = scientific[..scientific.IndexOf('E')].Replace(".", "");
        var exponent = value == 0 ? 0 : int.Parse(scientific[(scientific.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);

        // %g: fixed notation when -4 <= exponent < precision, otherwise d.ddde±XX; trailing zeros dropped either way.
        if (exponent >= -4 && exponent < significant)
        {
            var integerDigits = exponent + 1;
            var text = integerDigits <= 0
                ? "0." + new string('0', -integerDigits) + digits
                : digits.PadRight(integerDigits, '0').Insert(integerDigits, ".");
            return sign + StripZeros(text);
        }
        var mantissa = StripZeros(digits.Length > 1 ? digits[0] + "." + digits[1..] : digits);
        return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
    }

    private static string StripZeros(string number) =>
        number.Contains('.') ? number.TrimEnd('0').TrimEnd('.') : number;
}
