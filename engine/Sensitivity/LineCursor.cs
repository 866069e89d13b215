namespace PruneCluster.Engine.Sensitivity;

/// <summary>
/// Reads the tokens of one sensitivity line ( <c>( ) [ ] ,</c> and numbers, blanks ignored) and turns every
/// deviation into a one-line <see cref="SensitivityDataException"/> that names file, line, column and the shape.
/// </summary>
internal ref struct LineCursor(string line, string source, int lineNumber, string shape)
{
    private int _position;

    public void Expect(char token)
    {
        SkipBlanks();
        if (_position >= line.Length || line[_position] != token)
            throw Error($"expected '{token}'");
        _position++;
    }

    public void OptionalTrailingComma()
    {
        SkipBlanks();
        if (_position < line.Length && line[_position] == ',')
            _position++;
    }

    public void ExpectEnd()
    {
        SkipBlanks();
        if (_position < line.Length)
            throw Error("expected the end of the line");
    }

    public long Int(string what, long max)
    {
        var start = _position;
        var token = NumberToken();
        if (!PythonRepr.TryParseInt(token, out var value) || value < 0 || value > max)
        {
            _position = start;
            throw Error($"expected {what} as a non-negative integer");
        }
        return value;
    }

    public double Float(string what)
    {
        var start = _position;
        var token = NumberToken();
        if (!PythonRepr.TryParseFloat(token, out var value))
        {
            _position = start;
            throw Error($"expected {what} as a number");
        }
        return value;
    }

    public double[] FloatList(string what)
    {
        Expect('[');
        var values = new List<double>();
        SkipBlanks();
        if (_position < line.Length && line[_position] == ']')
        {
            _position++;
            return [];
        }
        while (true)
        {
            values.Add(Float(what));
            SkipBlanks();
            if (_position < line.Length && line[_position] == ']')
            {
                _position++;
                return [.. values];
            }
            Expect(',');
        }
    }

    private ReadOnlySpan<char> NumberToken()
    {
        SkipBlanks();
        var start = _position;
        while (_position < line.Length && line[_position] is not ('(' or ')' or '[' or ']' or ',' or ' ' or '\t'))
            _position++;
        return line.AsSpan(start, _position - start);
    }

    private void SkipBlanks()
    {
        while (_position < line.Length && line[_position] is ' ' or '\t')
            _position++;
    }

    private readonly SensitivityDataException Error(string what)
    {
        var found = _position >= line.Length ? "end of line" : $"'{Snippet()}'";
        return new SensitivityDataException(SensitivityProblem.Unparsable, source, lineNumber,
            $"{what} at column {_position + 1}, found {found}; lines must read {shape}");
    }

    private readonly string Snippet()
    {
        var rest = line[_position..];
        return rest.Length <= 20 ? rest : rest[..20] + "…";
    }
}
