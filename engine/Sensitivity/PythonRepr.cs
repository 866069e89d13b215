using System.Globalization;

namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// Formats and parses numbers exactly as Python's <c>repr</c>/<c>str</c> does, because the paper's sensitivity files
/// and its <c>--pruning-params</c> lists are Python literals that other tools read back and compare as text.
/// </summary>
public static class PythonRepr
{
    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest digit string that reads back to the same double, in positional
    /// notation while the decimal exponent is in [-4, 16), otherwise as <c>d.ddde±XX</c> (at least two exponent
    /// digits); whole numbers keep a trailing <c>.0</c>; <c>inf</c>, <c>-inf</c>, <c>nan</c> for the special values.
    /// </summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
            return "nan";
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";
        if (value == 0)
            return double.IsNegative(value) ? "-0.0" : "0.0";

        var (negative, digits, pointPosition) = ShortestDigits(value);
        var sign = negative ? "-" : "";
        // CPython (format_float_short, repr mode) switches to exponent notation when the value written as
        // 0.DIGITS × 10^pointPosition has pointPosition <= -4 or > 16.
        if (pointPosition <= -4 || pointPosition > 16)
        {
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            var exponent = pointPosition - 1;
            var exponentText = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{exponentText}";
        }
        if (pointPosition <= 0)
            return $"{sign}0.{new string('0', -pointPosition)}{digits}";
        if (pointPosition < digits.Length)
            return $"{sign}{digits[..pointPosition]}.{digits[pointPosition..]}";
        return $"{sign}{digits}{new string('0', pointPosition - digits.Length)}.0";
    }

    /// <summary>Python's <c>repr(int)</c>: plain decimal digits.</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a Python float literal (also an int literal, <c>inf</c>, <c>nan</c>); false for anything else.
    /// </summary>
    public static bool TryParseFloat(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        if (text.IsEmpty)
            return false;
        var body = text[0] is '-' or '+' ? text[1..] : text;
        var negative = text[0] == '-';
        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        // Python literals have no thousands separators or hex forms; only digits, one point, one exponent.
        foreach (var c in body)
        {
            if (!(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '-' or '+'))
                return false;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Reads a Python int literal (optional minus sign, digits); false for anything else.</summary>
    public static bool TryParseInt(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        var body = text.Length > 0 && text[0] == '-' ? text[1..] : text;
        if (body.IsEmpty)
            return false;
        foreach (var c in body)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// The shortest round-trip decimal digits of a finite non-zero double (no leading or trailing zeros) and the
    /// position of the decimal point, such that |value| = 0.DIGITS × 10^pointPosition.
    /// </summary>
    private static (bool Negative, string Digits, int PointPosition) ShortestDigits(double value)
    {
        // .NET's "R" gives the shortest round-trip digits (the same choice as Python's dtoa mode 0: the candidate
        // nearest to the exact binary value); only its layout differs, so re-lay it out.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text[0] == '-';
        if (negative)
            text = text[1..];
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        var point = text.IndexOf('.');
        var integerDigits = point >= 0 ? point : text.Length;
        var allDigits = point >= 0 ? text.Remove(point, 1) : text;
        var leadingZeros = allDigits.Length - allDigits.TrimStart('0').Length;
        var digits = allDigits.Trim('0');
        return (negative, digits, integerDigits - leadingZeros + exponent);
    }
}
