using System.Text;

namespace StreamingAgents.Sse;

/// <summary>
/// Turns <c>event</c> field values into strings without allocating for the names Anthropic sends,
/// and remembers the last other name so a stream repeating one custom name allocates it once.
/// </summary>
internal sealed class SseEventTypes
{
    private byte[] _lastCustomUtf8 = [];
    private string _lastCustom = string.Empty;

    public string Get(ReadOnlySpan<byte> value)
    {
        string? known = value.Length switch
        {
            4 when value.SequenceEqual("ping"u8) => "ping",
            5 when value.SequenceEqual("error"u8) => "error",
            7 when value.SequenceEqual("message"u8) => "message",
            12 when value.SequenceEqual("message_stop"u8) => "message_stop",
            13 when value.SequenceEqual("message_start"u8) => "message_start",
            13 when value.SequenceEqual("message_delta"u8) => "message_delta",
            18 when value.SequenceEqual("content_block_stop"u8) => "content_block_stop",
            19 when value.SequenceEqual("content_block_delta"u8) => "content_block_delta",
            19 when value.SequenceEqual("content_block_start"u8) => "content_block_start",
            _ => null,
        };
        if (known is not null)
        {
            return known;
        }

        if (!value.SequenceEqual(_lastCustomUtf8))
        {
            _lastCustomUtf8 = value.ToArray();
            _lastCustom = Encoding.UTF8.GetString(value);
        }

        return _lastCustom;
    }
}
