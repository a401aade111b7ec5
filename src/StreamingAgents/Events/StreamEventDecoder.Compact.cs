using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace StreamingAgents.Events;

internal static partial class StreamEventDecoder
{
    // Compact JSON, in this order, is how the API writes every delta; strings without escapes are most of them.
    private static ReadOnlySpan<byte> CompactDeltaHead => "{\"type\":\"content_block_delta\",\"index\":"u8;

    private static ReadOnlySpan<byte> CompactDeltaTypeHead => ",\"delta\":{\"type\":\""u8;

    private static ReadOnlySpan<byte> CompactDeltaTail => "\"}}"u8;

    // Where a JSON string ends, or stops being plain: its closing quote, an escape, or a control character (which
    // JSON forbids inside strings; the general path reports it).
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create(
        "\"\\\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

    /// <summary>
    /// Reads a delta written exactly as <c>{"type":"content_block_delta","index":N,"delta":{"type":"text_delta",
    /// "text":"…"}}</c> (or a thinking or input JSON delta) whose string holds no escape, by matching bytes instead of
    /// tokenizing with <see cref="System.Text.Json.Utf8JsonReader"/> (one vectorized search for the string's end). Anything
    /// else (other spacing or order, escapes, invalid UTF-8, a number JSON would not accept) returns null, and the
    /// reader-based path decides as before, so this path changes speed, never results.
    /// </summary>
    internal static ContentBlockDeltaEvent? TryReadCompactDelta(ReadOnlySpan<byte> data) =>
        ReadCompact(data, out int index, out string? payload) switch
        {
            CompactKind.Text => new ContentBlockDeltaEvent(index, payload!),
            CompactKind.InputJson => new ContentBlockDeltaEvent { Index = index, Delta = new InputJsonDelta { PartialJson = payload! } },
            CompactKind.Thinking => new ContentBlockDeltaEvent { Index = index, Delta = new ThinkingDelta { Thinking = payload! } },
            _ => null,
        };

    /// <summary>Like <see cref="TryReadCompactDelta"/> for text deltas only, without making the event object.</summary>
    internal static bool TryReadCompactText(ReadOnlySpan<byte> data, out int index, [NotNullWhen(true)] out string? text)
    {
        bool isText = ReadCompact(data, out index, out text) == CompactKind.Text;
        text = isText ? text : null;
        return isText;
    }

    private static CompactKind ReadCompact(ReadOnlySpan<byte> data, out int index, out string? payload)
    {
        payload = null;
        index = 0;
        if (!data.StartsWith(CompactDeltaHead))
        {
            return CompactKind.None;
        }

        ReadOnlySpan<byte> rest = data[CompactDeltaHead.Length..];
        if (!TryReadIndex(ref rest, out index) || !rest.StartsWith(CompactDeltaTypeHead))
        {
            return CompactKind.None;
        }

        rest = rest[CompactDeltaTypeHead.Length..];
        CompactKind kind = TrySkip(ref rest, "text_delta\",\"text\":\""u8) ? CompactKind.Text
            : TrySkip(ref rest, "input_json_delta\",\"partial_json\":\""u8) ? CompactKind.InputJson
            : TrySkip(ref rest, "thinking_delta\",\"thinking\":\""u8) ? CompactKind.Thinking
            : CompactKind.None;
        int end = kind == CompactKind.None ? -1 : rest.IndexOfAny(StringSpecials);
        if (end < 0 || rest[end] != (byte)'"' || !rest[end..].SequenceEqual(CompactDeltaTail) || !Utf8.IsValid(rest[..end]))
        {
            return CompactKind.None;
        }

        payload = Encoding.UTF8.GetString(rest[..end]);
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

    private static bool TrySkip(ref ReadOnlySpan<byte> rest, ReadOnlySpan<byte> expected)
    {
        if (!rest.StartsWith(expected))
        {
            return false;
        }

        rest = rest[expected.Length..];
        return true;
    }

    private enum CompactKind
    {
        None,
        Text,
        InputJson,
        Thinking,
    }
}
