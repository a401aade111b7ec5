using System.Text.Json;
using StreamingAgents.Json;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

internal static partial class StreamEventDecoder
{
    /// <summary>
    /// Reads <c>{"type":"content_block_start","index":N,"content_block":B}</c> where B opens a block the way the API
    /// does: <c>{"type":"text","text":S}</c>, <c>{"type":"thinking","thinking":S,"signature":S}</c> or
    /// <c>{"type":"tool_use","id":S,"name":S,"input":{}}</c>, its type first. Null for any other shape (another block
    /// type, a field more, input already filled in): the serializer decides then, and reports what is wrong. A tool
    /// call's start reaches the user sooner this way: the serializer's nested converters take ~2.5 µs for it.
    /// </summary>
    private static ContentBlockStartEvent? TryReadContentBlockStart(ReadOnlySpan<byte> data) =>
        TryReadBlockEvent(data, "content_block_start"u8, "content_block"u8, s_readOpeningBlock, out int index, out object? block)
            ? new ContentBlockStartEvent { Index = index, ContentBlock = (ContentBlock)block! }
            : null;

    private static readonly PayloadReader s_readOpeningBlock = TryReadOpeningBlock;

    /// <summary>Whether a <c>content_block_start</c>'s data has a shape read without the serializer (for tests).</summary>
    internal static bool IsUsualBlockStart(ReadOnlySpan<byte> data) => TryReadContentBlockStart(data) is not null;

    /// <summary>Reads an opening text, thinking or tool_use block (see <see cref="TryReadContentBlockStart"/>), or returns null.</summary>
    private static object? TryReadOpeningBlock(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject || !ReadPropertyName(ref reader) || !reader.ValueTextEquals("type"u8) || !ReadString(ref reader))
        {
            return null;
        }

        // The block's string fields, by kind: text (text), thinking (thinking, signature), tool_use (id, name).
        int kind = reader.ValueTextEquals("text"u8) ? 0
            : reader.ValueTextEquals("thinking"u8) ? 1
            : reader.ValueTextEquals("tool_use"u8) ? 2
            : -1;
        if (kind < 0)
        {
            return null;
        }

        ReadOnlySpan<byte> first = kind switch
        {
            0 => "text"u8,
            1 => "thinking"u8,
            _ => "id"u8,
        };
        ReadOnlySpan<byte> second = kind == 1 ? "signature"u8 : "name"u8;
        string? firstValue = null;
        string? secondValue = null;
        while (ReadPropertyName(ref reader))
        {
            if (kind == 2 && reader.ValueTextEquals("input"u8))
            {
                if (!IsEmptyObject(ref reader))
                {
                    return null; // input is filled in by its deltas; one that comes whole is the serializer's
                }

                continue;
            }

            bool isFirst = reader.ValueTextEquals(first);
            if (!(isFirst || (kind > 0 && reader.ValueTextEquals(second))) || !ReadString(ref reader))
            {
                return null;
            }

            if (isFirst)
            {
                firstValue = reader.GetString();
            }
            else
            {
                secondValue = reader.GetString();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return null;
        }

        return kind switch
        {
            0 => new TextBlock { Text = firstValue ?? string.Empty },
            1 => new ThinkingBlock { Thinking = firstValue ?? string.Empty, Signature = secondValue ?? string.Empty },
            _ when firstValue is null || secondValue is null => null, // both are required: the serializer says so
            _ => new ToolUseBlock { Id = firstValue, Name = secondValue, Input = JsonElements.EmptyObject },
        };
    }

    /// <summary>Reads <c>{}</c> exactly: the shared empty object stands for it (spaced, its raw text would differ).</summary>
    private static bool IsEmptyObject(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        long start = reader.TokenStartIndex;
        return reader.Read() && reader.TokenType == JsonTokenType.EndObject && reader.TokenStartIndex == start + 1;
    }
}
