using System.Buffers;

namespace StreamingAgents.Json;

public sealed partial class PartialJsonAccumulator
{
    private static readonly SearchValues<byte> s_stringSpecials = SearchValues.Create(
        [(byte)'"', (byte)'\\', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    private static readonly byte[] s_true = "true"u8.ToArray();
    private static readonly byte[] s_false = "false"u8.ToArray();
    private static readonly byte[] s_null = "null"u8.ToArray();

    private enum State : byte
    {
        Value,
        ValueOrArrayEnd,
        KeyOrObjectEnd,
        Key,
        Colon,
        CommaOrEnd,
        End,
        String,
        Escape,
        UnicodeEscape,
        Number,
        Literal,
    }

    // Number grammar positions: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    private enum NumberPart : byte
    {
        Minus,
        Zero,
        Integer,
        Dot,
        Fraction,
        Exponent,
        ExponentSign,
        ExponentDigits,
    }

    private State _state = State.Value;
    private byte[] _containers = new byte[16];
    private int _depth;

    // Where the value received so far can be cut and closed (see GetSnapshot), and, inside a string value, the end
    // of its last whole character or escape.
    private int _safeEnd;
    private int _stringSafeEnd;
    private bool _stringIsKey;
    private bool _highSurrogatePending;
    private int _unicodeDigitsLeft;
    private int _unicodeValue;
    private NumberPart _numberPart;
    private byte[] _literal = [];
    private int _literalMatched;
    private string? _error;
    private int _errorOffset;

    private bool IsNumberComplete => _numberPart is NumberPart.Zero or NumberPart.Integer or NumberPart.Fraction or NumberPart.ExponentDigits;

    // Bytes before this offset have been tokenized.
    private int _tokenized;

    /// <summary>Gets how many bytes the tokenizer has examined; tests use it to prove no byte is read twice.</summary>
    internal long BytesTokenized { get; private set; }

    /// <summary>Tokenizes the bytes appended since the last call.</summary>
    private void CatchUp()
    {
        int start = _tokenized;
        if (start == _length || _error is not null)
        {
            return;
        }

        _tokenized = _length;
        BytesTokenized += _length - start;
        Tokenize(start);
    }

    private void Tokenize(int start)
    {

        byte[] buffer = _buffer;
        int i = start;
        while (i < _length)
        {
            switch (_state)
            {
                case State.String:
                    if (!ScanString(buffer, ref i))
                    {
                        return;
                    }

                    break;

                case State.Escape:
                    if (buffer[i] == (byte)'u')
                    {
                        _state = State.UnicodeEscape;
                        _unicodeDigitsLeft = 4;
                        _unicodeValue = 0;
                    }
                    else if (buffer[i] is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
                    {
                        _state = State.String;
                        _highSurrogatePending = false;
                        _stringSafeEnd = i + 1;
                    }
                    else
                    {
                        Fail($"'\\{(char)buffer[i]}' is not a valid escape.", i);
                        return;
                    }

                    i++;
                    break;

                case State.UnicodeEscape:
                    int digit = HexValue(buffer[i]);
                    if (digit < 0)
                    {
                        Fail("A \\u escape needs four hexadecimal digits.", i);
                        return;
                    }

                    _unicodeValue = (_unicodeValue << 4) | digit;
                    i++;
                    if (--_unicodeDigitsLeft == 0)
                    {
                        _state = State.String;
                        CompleteUnicodeEscape(_unicodeValue, i);
                    }

                    break;

                case State.Number:
                    if (!AdvanceNumber(buffer[i]))
                    {
                        if (!IsNumberComplete)
                        {
                            Fail("The number is incomplete.", i);
                            return;
                        }

                        CompleteValue(i);
                        continue; // the byte that ended the number is read in the new state
                    }

                    i++;
                    break;

                case State.Literal:
                    if (buffer[i] != _literal[_literalMatched])
                    {
                        Fail($"Expected '{System.Text.Encoding.ASCII.GetString(_literal)}'.", i);
                        return;
                    }

                    i++;
                    if (++_literalMatched == _literal.Length)
                    {
                        CompleteValue(i);
                    }

                    break;

                default:
                    if (!ReadStructural(buffer[i], i))
                    {
                        return;
                    }

                    i++;
                    break;
            }
        }
    }

    /// <summary>
    /// Reads string content from <paramref name="i"/>: plain runs with a vectorized search, and escapes that arrived
    /// whole in place; an escape cut off by the end of the input continues in the escape states. Returns false after
    /// a syntax error.
    /// </summary>
    private bool ScanString(byte[] buffer, ref int i)
    {
        int scanStart = i;
        while (true)
        {
            int special = buffer.AsSpan(i, _length - i).IndexOfAny(s_stringSpecials);
            if (special < 0)
            {
                if (_length > i)
                {
                    MarkStringProgress(_length);
                    i = _length;
                }

                return true;
            }

            i += special;
            byte b = buffer[i];
            if (b == (byte)'"')
            {
                MarkStringProgress(i);
                i++;
                if (_stringIsKey)
                {
                    _state = State.Colon;
                }
                else
                {
                    CompleteValue(i);
                }

                return true;
            }

            if (b != (byte)'\\')
            {
                return Fail("A control character must be escaped inside a string.", i);
            }

            // Right after a high surrogate escape, this escape may be its low half: wait for it.
            if (!_highSurrogatePending || i > scanStart)
            {
                MarkStringProgress(i);
            }

            if (i + 1 < _length && buffer[i + 1] is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
            {
                i += 2;
                _highSurrogatePending = false;
                _stringSafeEnd = i;
            }
            else if (i + 5 < _length && buffer[i + 1] == (byte)'u')
            {
                int d1 = HexValue(buffer[i + 2]), d2 = HexValue(buffer[i + 3]), d3 = HexValue(buffer[i + 4]), d4 = HexValue(buffer[i + 5]);
                int value = (d1 << 12) | (d2 << 8) | (d3 << 4) | d4;
                if ((d1 | d2 | d3 | d4) < 0)
                {
                    return Fail("A \\u escape needs four hexadecimal digits.", i + 2);
                }

                i += 6;
                CompleteUnicodeEscape(value, i);
            }
            else
            {
                _state = State.Escape;
                i++;
                return true;
            }

            scanStart = i;
        }
    }

    /// <summary>A <c>\uXXXX</c> escape ended before <paramref name="end"/>.</summary>
    private void CompleteUnicodeEscape(int value, int end)
    {
        // A high surrogate is only a whole character once its low surrogate has arrived.
        if (value is >= 0xD800 and <= 0xDBFF)
        {
            _highSurrogatePending = true;
        }
        else
        {
            _highSurrogatePending = false;
            _stringSafeEnd = end;
        }
    }

    /// <summary>Handles a byte between tokens; returns false after a syntax error.</summary>
    private bool ReadStructural(byte b, int i)
    {
        if (b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            return true;
        }

        switch (_state)
        {
            case State.Value or State.ValueOrArrayEnd:
                if (b == (byte)']' && _state == State.ValueOrArrayEnd)
                {
                    return CloseContainer(i);
                }

                return StartValue(b, i);

            case State.KeyOrObjectEnd or State.Key:
                if (b == (byte)'}' && _state == State.KeyOrObjectEnd)
                {
                    return CloseContainer(i);
                }

                if (b != (byte)'"')
                {
                    return Fail("Expected a property name in double quotes.", i);
                }

                _state = State.String;
                _stringIsKey = true;
                return true;

            case State.Colon:
                if (b != (byte)':')
                {
                    return Fail("Expected ':' after a property name.", i);
                }

                _state = State.Value;
                return true;

            case State.CommaOrEnd:
                byte open = _containers[_depth - 1];
                if (b == (byte)',')
                {
                    _state = open == (byte)'{' ? State.Key : State.Value;
                    return true;
                }

                if ((b == (byte)'}' && open == (byte)'{') || (b == (byte)']' && open == (byte)'['))
                {
                    return CloseContainer(i);
                }

                return Fail($"Expected ',' or '{(open == (byte)'{' ? '}' : ']')}'.", i);

            default: // State.End
                return Fail("Unexpected data after the JSON value.", i);
        }
    }

    private bool StartValue(byte b, int i)
    {
        switch (b)
        {
            case (byte)'{' or (byte)'[':
                if (_depth == _containers.Length)
                {
                    Array.Resize(ref _containers, _depth * 2);
                }

                _containers[_depth++] = b;
                _state = b == (byte)'{' ? State.KeyOrObjectEnd : State.ValueOrArrayEnd;
                _safeEnd = i + 1; // an opened container already shows, empty
                return true;
            case (byte)'"':
                _state = State.String;
                _stringIsKey = false;
                _highSurrogatePending = false;
                _stringSafeEnd = i + 1;
                return true;
            case (byte)'-':
                _state = State.Number;
                _numberPart = NumberPart.Minus;
                return true;
            case >= (byte)'0' and <= (byte)'9':
                _state = State.Number;
                _numberPart = b == (byte)'0' ? NumberPart.Zero : NumberPart.Integer;
                return true;
            case (byte)'t' or (byte)'f' or (byte)'n':
                _state = State.Literal;
                _literal = b == (byte)'t' ? s_true : b == (byte)'f' ? s_false : s_null;
                _literalMatched = 1;
                return true;
            default:
                return Fail($"'{(char)b}' cannot start a JSON value.", i);
        }
    }

    /// <summary>Advances the number grammar by one byte; returns false when the byte is not part of the number.</summary>
    private bool AdvanceNumber(byte b)
    {
        bool isDigit = b is >= (byte)'0' and <= (byte)'9';
        NumberPart? next = _numberPart switch
        {
            NumberPart.Minus => isDigit ? (b == (byte)'0' ? NumberPart.Zero : NumberPart.Integer) : null,
            NumberPart.Zero or NumberPart.Integer when b == (byte)'.' => NumberPart.Dot,
            NumberPart.Zero or NumberPart.Integer or NumberPart.Fraction when b is (byte)'e' or (byte)'E' => NumberPart.Exponent,
            NumberPart.Integer => isDigit ? NumberPart.Integer : null,
            NumberPart.Dot or NumberPart.Fraction => isDigit ? NumberPart.Fraction : null,
            NumberPart.Exponent when b is (byte)'+' or (byte)'-' => NumberPart.ExponentSign,
            NumberPart.Exponent or NumberPart.ExponentSign or NumberPart.ExponentDigits => isDigit ? NumberPart.ExponentDigits : null,
            _ => null,
        };
        if (next is null)
        {
            return false;
        }

        _numberPart = next.Value;
        return true;
    }

    private bool CloseContainer(int i)
    {
        _depth--;
        CompleteValue(i + 1);
        return true;
    }

    /// <summary>A value ended just before <paramref name="end"/>: it now shows in snapshots.</summary>
    private void CompleteValue(int end)
    {
        _safeEnd = end;
        _state = _depth == 0 ? State.End : State.CommaOrEnd;
    }

    /// <summary>Plain text up to <paramref name="end"/> is whole (a lone high surrogate escape before it stands alone).</summary>
    private void MarkStringProgress(int end)
    {
        if (end > _stringSafeEnd)
        {
            _highSurrogatePending = false;
            _stringSafeEnd = end;
        }
    }

    private bool Fail(string reason, int offset)
    {
        _error = reason;
        _errorOffset = offset;
        return false;
    }

    /// <summary>Gets a hex digit's value, or -1.</summary>
    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private string DescribeExpected() => _state switch
    {
        State.String or State.Escape or State.UnicodeEscape => "inside a string",
        State.Number => "inside a number",
        State.Literal => "inside a literal",
        State.Colon => "expected ':'",
        _ => _depth > 0 ? $"{_depth} unclosed container(s)" : "expected a value",
    };
}
