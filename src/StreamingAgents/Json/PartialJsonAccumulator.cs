using System.Buffers;
using System.Text;
using System.Text.Json;

namespace StreamingAgents.Json;

/// <summary>
/// Accumulates a JSON value that arrives in fragments (a tool call's <c>input_json_delta</c>s) and can show the
/// value received so far at any moment.
/// </summary>
/// <remarks>
/// <para>Fragments may break anywhere: inside a string, an escape, a <c>\uXXXX</c>, a surrogate pair, a number or a
/// literal. Each fragment is tokenized once, resuming exactly where the previous one stopped, so the work per
/// fragment is proportional to the fragment, not to the input so far. (A resumed <see cref="Utf8JsonReader"/> would
/// re-read an unfinished string token from its start on every fragment, which is quadratic for a long string.)</para>
/// <para><see cref="GetSnapshot"/> rules: open strings, arrays and objects are closed; a partially received string
/// value appears as its prefix (an unfinished escape or character is left off); an object member appears once its
/// value has started; an unfinished key, number or literal (<c>tr</c>) is left out, because it could still change;
/// nothing received yet, or only whitespace, gives <c>{}</c>. After a syntax error the snapshot stays at the valid
/// part before it.</para>
/// <para>Not thread-safe. Dispose it to return its pooled buffer.</para>
/// </remarks>
public sealed partial class PartialJsonAccumulator : IDisposable
{
    /// <summary>The default for the maximum input size: 16 MiB.</summary>
    public const int DefaultMaxLength = 16 * 1024 * 1024;

    private const int InitialCapacity = 256;

    private readonly int _maxLength;
    private byte[] _buffer;
    private int _length;
    private char _pendingHighSurrogate;
    private bool _disposed;

    /// <summary>Initializes a new, empty accumulator.</summary>
    /// <param name="maxLength">The most UTF-8 bytes the input may reach; more throws <see cref="InvalidDataException"/>.</param>
    public PartialJsonAccumulator(int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        _maxLength = maxLength;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialCapacity);
    }

    /// <summary>Gets the number of UTF-8 bytes received.</summary>
    public int Length => _length;

    /// <summary>Gets whether a whole JSON value has been received (trailing whitespace aside) with no error.</summary>
    public bool IsComplete => _error is null && (_state == State.End || (_depth == 0 && _state == State.Number && IsNumberComplete));

    /// <summary>Gets whether everything received so far is valid JSON or a valid prefix of it.</summary>
    public bool IsValid => _error is null;

    /// <summary>Gets the UTF-8 bytes received so far. Valid until the next append.</summary>
    public ReadOnlySpan<byte> Utf8Json => _buffer.AsSpan(0, _length);

    /// <summary>Appends a fragment given as text, as <c>input_json_delta.partial_json</c> is.</summary>
    /// <param name="fragment">The fragment. A surrogate pair split across fragments is joined.</param>
    /// <exception cref="InvalidDataException">The input grows past the maximum length.</exception>
    public void Append(string fragment)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        Append(fragment.AsSpan());
    }

    /// <summary>Appends a fragment given as UTF-16 text.</summary>
    /// <param name="fragment">The fragment. A surrogate pair split across fragments is joined.</param>
    /// <exception cref="InvalidDataException">The input grows past the maximum length.</exception>
    public void Append(ReadOnlySpan<char> fragment)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (fragment.IsEmpty)
        {
            return;
        }

        if (_pendingHighSurrogate != default)
        {
            ReadOnlySpan<char> pair = [_pendingHighSurrogate, fragment[0]];
            _pendingHighSurrogate = default;
            bool joins = char.IsLowSurrogate(fragment[0]);
            AppendEncoded(joins ? pair : pair[..1]);
            fragment = joins ? fragment[1..] : fragment;
        }

        if (!fragment.IsEmpty && char.IsHighSurrogate(fragment[^1]))
        {
            _pendingHighSurrogate = fragment[^1];
            fragment = fragment[..^1];
        }

        AppendEncoded(fragment);
    }

    /// <summary>Appends a fragment given as UTF-8 bytes; it may end inside a multi-byte character.</summary>
    /// <param name="utf8Fragment">The fragment.</param>
    /// <exception cref="InvalidDataException">The input grows past the maximum length.</exception>
    public void Append(ReadOnlySpan<byte> utf8Fragment)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int start = _length;
        EnsureCapacity(utf8Fragment.Length);
        utf8Fragment.CopyTo(_buffer.AsSpan(_length));
        _length += utf8Fragment.Length;
        Tokenize(start);
    }

    /// <summary>Gets the input received so far as text.</summary>
    /// <returns>The JSON text, exactly as received.</returns>
    public string GetText() => Encoding.UTF8.GetString(Utf8Json);

    /// <summary>Parses the whole input strictly. An empty input is <c>{}</c>.</summary>
    /// <returns>The value; it does not depend on this accumulator.</returns>
    /// <exception cref="JsonException">The input is incomplete or not valid JSON; the message gives the byte position and an excerpt.</exception>
    public JsonElement Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_error is not null)
        {
            throw CreateException(_error, _errorOffset);
        }

        if (_state == State.Value && _depth == 0 && _safeEnd == 0)
        {
            return JsonElements.EmptyObject; // nothing but whitespace
        }

        if (!IsComplete)
        {
            throw CreateException($"The JSON input ends before the value is complete ({DescribeExpected()}).", _length);
        }

        try
        {
            var reader = new Utf8JsonReader(Utf8Json);
            JsonElement value = JsonElement.ParseValue(ref reader);
            if (reader.Read())
            {
                throw new JsonException("Unexpected data after the JSON value.");
            }

            return value;
        }
        catch (JsonException exception)
        {
            // For example invalid UTF-8 inside a string, which the tokenizer does not check.
            throw CreateException(exception.Message, (int)Math.Min(exception.BytePositionInLine ?? 0, _length), exception);
        }
    }

    /// <summary>Gets the best-effort value of the input received so far (see the type's remarks for the rules).</summary>
    /// <returns>The value; it does not depend on this accumulator.</returns>
    public JsonElement GetSnapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool inValueString = _state is State.String or State.Escape or State.UnicodeEscape && !_stringIsKey;
        int cut = inValueString ? TrimIncompleteCharacter(_stringSafeEnd) : _safeEnd;
        int size = cut + (inValueString ? 1 : 0) + _depth;
        if (size == 0)
        {
            return JsonElements.EmptyObject;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            _buffer.AsSpan(0, cut).CopyTo(rented);
            int position = cut;
            if (inValueString)
            {
                rented[position++] = (byte)'"';
            }

            for (int level = _depth - 1; level >= 0; level--)
            {
                rented[position++] = _containers[level] == (byte)'{' ? (byte)'}' : (byte)']';
            }

            var reader = new Utf8JsonReader(rented.AsSpan(0, position));
            return JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            // Only bytes the tokenizer did not validate (invalid UTF-8 in a string) can get here.
            return JsonElements.EmptyObject;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Returns the pooled buffer.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _length = 0;
        }
    }

    private void AppendEncoded(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        int start = _length;
        EnsureCapacity(Encoding.UTF8.GetByteCount(text));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        Tokenize(start);
    }

    private void EnsureCapacity(int additional)
    {
        long needed = (long)_length + additional;
        if (needed > _maxLength)
        {
            throw new InvalidDataException($"The JSON input would grow to {needed} bytes, past the limit of {_maxLength} bytes.");
        }

        if (needed > _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, (long)_buffer.Length * 2), Array.MaxLength));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }

    /// <summary>Moves <paramref name="end"/> back over a multi-byte UTF-8 character whose last bytes have not arrived.</summary>
    private int TrimIncompleteCharacter(int end)
    {
        for (int back = 1; back <= 3 && end - back >= 0; back++)
        {
            byte b = _buffer[end - back];
            if ((b & 0xC0) != 0x80)
            {
                int sequenceLength = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return sequenceLength > back ? end - back : end;
            }
        }

        return end;
    }

    private JsonException CreateException(string reason, int offset, Exception? inner = null)
    {
        int from = Math.Max(0, offset - 20);
        int to = Math.Min(_length, offset + 20);
        string excerpt = Encoding.UTF8.GetString(_buffer.AsSpan(from, to - from));
        return new JsonException(
            $"Invalid JSON at byte {offset}: {reason} Near: '{excerpt}'.", path: null, lineNumber: null, bytePositionInLine: offset, inner);
    }
}
