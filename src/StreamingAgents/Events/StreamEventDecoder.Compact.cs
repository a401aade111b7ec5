using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace StreamingAgents.Events;

internal static partial class StreamEventDecoder
{
    // Compact JSON, in this order, is how the API writes every delta.
    private static ReadOnlySpan<byte> CompactDeltaHead => "{\"type\":\"content_block_delta\",\"index\":"u8;

    private static ReadOnlySpan<byte> CompactDeltaTypeHead => ",\"delta\":{\"type\":\""u8;

    private static ReadOnlySpan<byte> CompactDeltaTail => "}}"u8;

    // Where a JSON string ends or stops being plain: its closing quote, an escape, or a control character (which
    // JSON forbids inside strings; the general path reports it).
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create(
        "\"\\\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

    private enum CompactKind
    {
        None,
        Text,
        InputJson,
        Thinking,
    }

    /// <summary>Gets whether <paramref name="data"/> is a delta the byte-matching path reads (tests check it is taken).</summary>
    internal static bool IsCompactDelta(ReadOnlySpan<byte> data) => ReadCompact(data, out _, out _) != CompactKind.None;

    /// <summary>
    /// Reads a delta written exactly as <c>{"type":"content_block_delta","index":N,"delta":{"type":"text_delta",
    /// "text":"…"}}</c> (or a thinking or input JSON delta) by matching bytes instead of tokenizing with
    /// <see cref="System.Text.Json.Utf8JsonReader"/>: one vectorized search for the string's end, plus a loop over its
    /// escapes if it has any. Anything else (other spacing or order, a <c>\u</c> escape, an invalid escape or UTF-8,
    /// a number JSON would not accept) is <see cref="CompactKind.None"/>, and the reader-based path decides as before,
    /// so this path changes speed, never results.
    /// </summary>
    private static CompactKind ReadCompact(ReadOnlySpan<byte> data, out int index, out string? payload)
    {
        payload = null;
        index = 0;
        if (!data.StartsWith(CompactDeltaHead))
        {
            return CompactKind.None;
        }

        ReadOnlySpan<byte> rest = data[CompactDeltaHead.Length..];
        if (!TryReadIndex(ref rest, out index) || !TrySkip(ref rest, CompactDeltaTypeHead))
        {
            return CompactKind.None;
        }

        CompactKind kind = TrySkip(ref rest, "text_delta\",\"text\":\""u8) ? CompactKind.Text
            : TrySkip(ref rest, "input_json_delta\",\"partial_json\":\""u8) ? CompactKind.InputJson
            : TrySkip(ref rest, "thinking_delta\",\"thinking\":\""u8) ? CompactKind.Thinking
            : CompactKind.None;
        if (kind == CompactKind.None || !TryReadString(rest, out payload, out int quote) || !rest[(quote + 1)..].SequenceEqual(CompactDeltaTail))
        {
            return CompactKind.None;
        }

        return kind;
    }

    /// <summary>Reads a JSON integer of at most 9 digits without a leading zero (so it fits an int): the block index.</summary>
    private static bool TryReadIndex(ref ReadOnlySpan<byte> rest, out int index)
    {
        index = 0;
        int digits = 0;
        while (digits < rest.Length && digits < 9 && char.IsAsciiDigit((char)rest[digits]))
        {
            index = (index * 10) + (rest[digits] - '0');
            digits++;
        }

        if (digits == 0 || (digits < rest.Length && char.IsAsciiDigit((char)rest[digits])) || (digits > 1 && rest[0] == '0'))
        {
            return false;
        }

        rest = rest[digits..];
        return true;
    }

    /// <summary>Reads a string's content up to its closing quote (at <paramref name="quote"/>), unescaping it.</summary>
    private static bool TryReadString(ReadOnlySpan<byte> rest, out string? value, out int quote)
    {
        quote = rest.IndexOfAny(StringSpecials);
        if (quote >= 0 && rest[quote] == '"')
        {
            return TryGetString(rest[..quote], out value);
        }

        value = null;
        return quote >= 0 && rest[quote] == '\\' && TryReadEscapedString(rest, firstEscape: quote, out value, out quote);
    }

    // Apart from the plain case above, so that its buffer costs nothing there.
    private static bool TryReadEscapedString(ReadOnlySpan<byte> rest, int firstEscape, out string? value, out int quote)
    {
        value = null;

        // Escapes only shorten the text, so the unescaped bytes fit in the rest's length.
        byte[]? rented = null;
        Span<byte> unescaped = rest.Length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(rest.Length));
        try
        {
            return TryUnescape(rest, firstEscape, unescaped, out int length, out quote) && TryGetString(unescaped[..length], out value);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool TryUnescape(ReadOnlySpan<byte> rest, int firstEscape, Span<byte> unescaped, out int length, out int quote)
    {
        rest[..firstEscape].CopyTo(unescaped);
        length = firstEscape;
        int read = firstEscape;
        while (true)
        {
            int special = rest[read..].IndexOfAny(StringSpecials);
            if (special < 0)
            {
                quote = -1;
                return false;
            }

            rest.Slice(read, special).CopyTo(unescaped[length..]);
            length += special;
            read += special;
            if (rest[read] == '"')
            {
                quote = read;
                return true;
            }

            // A control character, a \u escape (surrogates are the reader's business) or an unknown escape: give up.
            byte escaped = rest[read] == '\\' && read + 1 < rest.Length ? rest[read + 1] : (byte)0;
            byte plain = escaped switch
            {
                (byte)'"' or (byte)'\\' or (byte)'/' => escaped,
                (byte)'n' => (byte)'\n',
                (byte)'t' => (byte)'\t',
                (byte)'r' => (byte)'\r',
                (byte)'b' => (byte)'\b',
                (byte)'f' => (byte)'\f',
                _ => 0,
            };
            if (plain == 0)
            {
                quote = -1;
                return false;
            }

            unescaped[length++] = plain;
            read += 2;
        }
    }

    private static bool TryGetString(ReadOnlySpan<byte> utf8, out string? value)
    {
        if (Ascii.IsValid(utf8))
        {
            // Most text is ASCII: checking and widening it are two quick passes, where UTF-8 validation, counting and
            // transcoding were three (~8% of the client's time on an English answer).
            value = string.Create(utf8.Length, utf8, static (chars, ascii) => Ascii.ToUtf16(ascii, chars, out _));
            return true;
        }

        value = Utf8.IsValid(utf8) ? Encoding.UTF8.GetString(utf8) : null;
        return value is not null;
    }

    private static bool TrySkip(ref ReadOnlySpan<byte> rest, ReadOnlySpan<byte> expected)
    {
        if (!rest.StartsWith(expected))
        {
            return false;
        }

        rest = rest[expected.Length..];
        return true;
    }
}
