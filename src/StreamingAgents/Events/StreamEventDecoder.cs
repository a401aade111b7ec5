using System.Text.Json;

namespace StreamingAgents.Events;

/// <summary>
/// Turns one SSE event's UTF-8 data into a <see cref="StreamEvent"/>, without a string round trip.
/// </summary>
/// <remarks>
/// Nearly every event of a stream is a <c>content_block_delta</c>: the API's exact layout is matched byte by byte
/// (<see cref="ReadCompact"/>), other layouts of its usual shape are read with <see cref="Utf8JsonReader"/>, and so
/// are the usual <c>content_block_start</c> and <c>content_block_stop</c>; any other shape, and every other event, goes
/// through the source-generated <see cref="AnthropicJsonContext"/>, which also handles unknown types and reports what
/// is wrong with bad data.
/// </remarks>
internal static partial class StreamEventDecoder
{
    /// <summary>Decodes one SSE event's data into its typed event.</summary>
    /// <exception cref="StreamProtocolException">The data is not valid for its event type.</exception>
    public static StreamEvent Decode(string sseEventType, ReadOnlySpan<byte> data) =>
        DecodeUnlessText(sseEventType, data, out int index, out string? text) ?? new ContentBlockDeltaEvent(index, text!);

    /// <summary>
    /// Like <see cref="Decode"/>, except that a text delta in the API's layout comes back as its block index and text
    /// (and null), without its event object: a reader that only wants the text never makes it.
    /// </summary>
    /// <exception cref="StreamProtocolException">The data is not valid for its event type.</exception>
    public static StreamEvent? DecodeUnlessText(string sseEventType, ReadOnlySpan<byte> data, out int textIndex, out string? text)
    {
        textIndex = 0;
        text = null;
        if (sseEventType == ContentBlockDeltaEvent.WireType)
        {
            switch (ReadCompact(data, out int index, out string? payload))
            {
                case CompactKind.Text:
                    (textIndex, text) = (index, payload);
                    return null;
                case CompactKind.InputJson:
                    return new ContentBlockDeltaEvent { Index = index, Delta = new InputJsonDelta { PartialJson = payload! } };
                case CompactKind.Thinking:
                    return new ContentBlockDeltaEvent { Index = index, Delta = new ThinkingDelta { Thinking = payload! } };
            }
        }

        return DecodeWithReader(sseEventType, data);
    }

    /// <summary>The usual shapes of a block's events with <see cref="Utf8JsonReader"/>; anything else with the serializer.</summary>
    private static StreamEvent DecodeWithReader(string sseEventType, ReadOnlySpan<byte> data)
    {
        StreamEvent? usual;
        try
        {
            usual = sseEventType switch
            {
                ContentBlockDeltaEvent.WireType => TryReadContentBlockDelta(data),
                ContentBlockStartEvent.WireType => TryReadContentBlockStart(data),
                ContentBlockStopEvent.WireType => TryReadContentBlockStop(data),
                _ => null,
            };
        }
        catch (JsonException exception)
        {
            throw Invalid(sseEventType, exception); // bytes after the object
        }

        return usual ?? DecodeWithSerializer(sseEventType, data);
    }

    /// <summary>
    /// Decodes with the source-generated serializer alone, which knows every shape and reports what is wrong (tests
    /// hold the readers for the usual shapes to its results).
    /// </summary>
    /// <exception cref="StreamProtocolException">The data is not valid for its event type.</exception>
    internal static StreamEvent DecodeWithSerializer(string sseEventType, ReadOnlySpan<byte> data)
    {
        try
        {
            StreamEvent decoded = JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.StreamEvent)
                ?? throw new JsonException("The event data is null.");
            return decoded switch
            {
                // Data that names no type is known by its SSE event name, unless that name is one we know: then the
                // data is malformed, and skipping it as unknown would lose it silently.
                UnknownStreamEvent { Type.Length: 0 } when StreamEventTypes.IsKnown(sseEventType) =>
                    throw new JsonException($"The data names no \"type\"; a '{sseEventType}' event's data must."),
                UnknownStreamEvent { Type.Length: 0 } unnamed => new UnknownStreamEvent(sseEventType, unnamed.Json),
                ContentBlockStartEvent { Index: < 0 } or ContentBlockDeltaEvent { Index: < 0 } or ContentBlockStopEvent { Index: < 0 } =>
                    throw new JsonException("The \"index\" must not be negative."),
                _ => decoded,
            };
        }
        catch (JsonException exception)
        {
            throw Invalid(sseEventType, exception);
        }
    }

    private static StreamProtocolException Invalid(string sseEventType, JsonException exception) =>
        new($"The data of a '{sseEventType}' event is not valid for its type: {exception.Message}", sseEventType, innerException: exception);

    /// <summary>
    /// Reads <c>{"type":"content_block_delta","index":N,"delta":{"type":T,...}}</c>, or returns null for any other
    /// shape (the general path then decides, and reports what is wrong).
    /// </summary>
    private static ContentBlockDeltaEvent? TryReadContentBlockDelta(ReadOnlySpan<byte> data) =>
        !TryReadBlockEvent(data, "content_block_delta"u8, "delta"u8, s_readDelta, out int index, out object? delta) ? null
            : delta is string text ? new ContentBlockDeltaEvent(index, text) // a text delta: the event holds the text alone
            : new ContentBlockDeltaEvent { Index = index, Delta = (ContentBlockDelta)delta! };

    /// <summary>Reads <c>{"type":"content_block_stop","index":N}</c>, or returns null.</summary>
    private static ContentBlockStopEvent? TryReadContentBlockStop(ReadOnlySpan<byte> data) =>
        TryReadBlockEvent(data, "content_block_stop"u8, default, null, out int index, out _) ? new ContentBlockStopEvent { Index = index } : null;

    /// <summary>
    /// Reads the envelope of a block's event, <c>{"type":<paramref name="type"/>,"index":N,<paramref name="payloadName"/>:P}</c>
    /// in any order, with <paramref name="readPayload"/> for P (none without it). False for any other shape: a field we
    /// do not model, or an unusual payload; the general path keeps its semantics then.
    /// </summary>
    private static bool TryReadBlockEvent(ReadOnlySpan<byte> data, ReadOnlySpan<byte> type, ReadOnlySpan<byte> payloadName, PayloadReader? readPayload, out int index, out object? payload)
    {
        index = -1;
        payload = null;
        var reader = new Utf8JsonReader(data);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            bool isTyped = false; // data that names no type is malformed: the general path says so
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    if (!ReadString(ref reader) || !reader.ValueTextEquals(type))
                    {
                        return false;
                    }

                    isTyped = true;
                }
                else if (reader.ValueTextEquals("index"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out index) || index < 0)
                    {
                        return false;
                    }
                }
                else if (readPayload is null || !reader.ValueTextEquals(payloadName) || !reader.Read() || (payload = readPayload(ref reader)) is null)
                {
                    return false;
                }
            }

            // Read past the end: anything after the object but whitespace throws, as JsonSerializer would.
            return isTyped && index >= 0 && (readPayload is null || payload is not null) && reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (InvalidOperationException)
        {
            return false; // text that is not valid UTF-8: the general path reports it
        }
    }

    private delegate object? PayloadReader(ref Utf8JsonReader reader);

    private static readonly PayloadReader s_readDelta = TryReadDelta;

    /// <summary>
    /// Reads a delta whose first property is its type and second its single payload string: a text delta's text, or
    /// another delta; null for any other shape.
    /// </summary>
    private static object? TryReadDelta(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject
            || !ReadPropertyName(ref reader) || !reader.ValueTextEquals("type"u8)
            || !ReadString(ref reader))
        {
            return null;
        }

        int kind = reader.ValueTextEquals("text_delta"u8) ? 0
            : reader.ValueTextEquals("input_json_delta"u8) ? 1
            : reader.ValueTextEquals("thinking_delta"u8) ? 2
            : -1;
        ReadOnlySpan<byte> payloadName = kind switch
        {
            0 => "text"u8,
            1 => "partial_json"u8,
            2 => "thinking"u8,
            _ => default,
        };
        if (kind < 0 || !ReadPropertyName(ref reader) || !reader.ValueTextEquals(payloadName) || !ReadString(ref reader))
        {
            return null;
        }

        string payload = reader.GetString()!;
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
        {
            return null;
        }

        return kind switch
        {
            0 => payload, // a text delta: the event holds the text alone
            1 => new InputJsonDelta { PartialJson = payload },
            _ => (object)new ThinkingDelta { Thinking = payload },
        };
    }

    private static bool ReadString(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.String;

    private static bool ReadPropertyName(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;
}
