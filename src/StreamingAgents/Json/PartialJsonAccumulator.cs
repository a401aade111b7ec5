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
    private readonly ArrayPool<byte> _pool;
    private byte[] _buffer;
    private int _length;
    private char _pendingHighSurrogate;
    private bool _disposed;

    // A document from CompleteDocument reads the buffer: it must not move or change.
    private bool _completedDocument;

    /// <summary>Initializes a new, empty accumulator.</summary>
    /// <param name="maxLength">The most UTF-8 bytes the input may reach; more throws <see cref="InvalidDataException"/>.</param>
    public PartialJsonAccumulator(int maxLength = DefaultMaxLength)
        : this(maxLength, ArrayPool<byte>.Shared)
    {
    }

    /// <summary>Initializes a new accumulator that rents its buffers from <paramref name="pool"/> (tests count them).</summary>
    internal PartialJsonAccumulator(int maxLength, ArrayPool<byte> pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        _maxLength = maxLength;
        _pool = pool;
        _buffer = _pool.Rent(InitialCapacity);
    }

    /// <summary>Gets the number of UTF-8 bytes received.</summary>
    public int Length => _length;

    /// <summary>Gets whether a whole JSON value has been received (trailing whitespace aside) with no error.</summary>
    public bool IsComplete
    {
        get
        {
            CatchUp();
            return _error is null && (_state == State.End || (_depth == 0 && _state == State.Number && IsNumberComplete));
        }
    }

    /// <summary>Gets whether everything received so far is valid JSON or a valid prefix of it.</summary>
    public bool IsValid
    {
        get
        {
            CatchUp();
            return _error is null;
        }
    }

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
        ThrowIfClosed();
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
        ThrowIfClosed();
        EnsureCapacity(utf8Fragment.Length);
        utf8Fragment.CopyTo(_buffer.AsSpan(_length));
        _length += utf8Fragment.Length;
    }

    /// <summary>Gets the input received so far as text.</summary>
    /// <returns>The JSON text, exactly as received.</returns>
    public string GetText() => Encoding.UTF8.GetString(Utf8Json);

    /// <summary>Parses the whole input strictly. An empty input is <c>{}</c>.</summary>
    /// <returns>The value; it does not depend on this accumulator.</returns>
    /// <exception cref="JsonException">The input is incomplete or not valid JSON; the message gives the byte position and an excerpt.</exception>
    public JsonElement Complete()
    {
        using JsonDocument document = CompleteDocument();
        JsonElement value = document.RootElement.Clone();
        _completedDocument = false; // the document is gone: appending is safe again
        return value;
    }

    /// <summary>
    /// Parses the whole input strictly into a document that reads this accumulator's buffer without copying it, as
    /// <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> reads the caller's memory. Dispose
    /// the document before this accumulator; no more fragments can be appended. An empty input is <c>{}</c>.
    /// </summary>
    /// <returns>The document.</returns>
    /// <exception cref="JsonException">The input is incomplete or not valid JSON; the message gives the byte position and an excerpt.</exception>
    public JsonDocument CompleteDocument()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReadOnlyMemory<byte> input = _buffer.AsMemory(0, _length);
        if (input.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return JsonDocument.Parse("{}"u8.ToArray());
        }

        // The strict parse alone decides; the tokenizer only runs to explain a failure.
        JsonException? parseError = null;
        try
        {
            JsonDocument document = JsonDocument.Parse(input);
            _completedDocument = true;
            return document;
        }
        catch (JsonException exception)
        {
            parseError = exception;
        }

        CatchUp();
        if (_error is not null)
        {
            throw CreateException(_error, _errorOffset, parseError);
        }

        if (!IsComplete)
        {
            throw CreateException($"The JSON input ends before the value is complete ({DescribeExpected()}).", _length, parseError);
        }

        // For example invalid UTF-8 inside a string, which the tokenizer does not check.
        throw CreateException(parseError.Message, (int)Math.Min(parseError.BytePositionInLine ?? 0, _length), parseError);
    }

    /// <summary>Gets the best-effort value of the input received so far (see the type's remarks for the rules).</summary>
    /// <returns>The value; it does not depend on this accumulator.</returns>
    public JsonElement GetSnapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CatchUp();
        bool inValueString = _state is State.String or State.Escape or State.UnicodeEscape && !_stringIsKey;
        int cut = inValueString ? TrimIncompleteCharacter(_stringSafeEnd) : _safeEnd;
        int size = cut + (inValueString ? 1 : 0) + _depth;
        if (size == 0)
        {
            return JsonElements.EmptyObject;
        }

        byte[] rented = _pool.Rent(size);
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

            return Parse(rented.AsMemory(0, position));
        }
        catch (JsonException)
        {
            // Only bytes the tokenizer did not validate (invalid UTF-8 in a string) can get here.
            return JsonElements.EmptyObject;
        }
        finally
        {
            _pool.Return(rented);
        }
    }

    /// <summary>Returns the pooled buffer.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _pool.Return(_buffer);
            _buffer = [];
            _length = 0;
        }
    }

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completedDocument)
        {
            throw new InvalidOperationException("A document from CompleteDocument() reads this input; no more fragments can be appended.");
        }
    }

    /// <summary>Parses strictly into a value that owns its data (the input buffer may be reused).</summary>
    private static JsonElement Parse(ReadOnlyMemory<byte> utf8Json)
    {
        using JsonDocument document = JsonDocument.Parse(utf8Json);
        return document.RootElement.Clone();
    }

    private void AppendEncoded(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        // Room for the worst case avoids counting the bytes first; the limit applies to the real count.
        int maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        EnsureCapacity(Math.Min(maxBytes, _maxLength - _length + 1), checkLimit: false);
        if (!Encoding.UTF8.TryGetBytes(text, _buffer.AsSpan(_length), out int written) || _length + written > _maxLength)
        {
            ThrowTooLong((long)_length + Encoding.UTF8.GetByteCount(text));
        }

        _length += written;
    }

    private void EnsureCapacity(int additional, bool checkLimit = true)
    {
        long needed = (long)_length + additional;
        if (checkLimit && needed > _maxLength)
        {
            ThrowTooLong(needed);
        }

        if (needed > _buffer.Length)
        {
            byte[] larger = _pool.Rent((int)Math.Min(Math.Max(needed, (long)_buffer.Length * 2), Array.MaxLength));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            _pool.Return(_buffer);
            _buffer = larger;
        }
    }

    private void ThrowTooLong(long needed) =>
        throw new InvalidDataException($"The JSON input would grow to {needed} bytes, past the limit of {_maxLength} bytes.");

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
