using System.Diagnostics.CodeAnalysis;

namespace StreamingAgents.Sse;

internal static class SseThrowHelper
{
    /// <summary>The <see cref="Exception.Data"/> key holding the stream offset at which a limit was exceeded.</summary>
    public const string ByteOffsetKey = "ByteOffset";

    [DoesNotReturn]
    public static void ThrowInvalidData_EventTooLarge(int limit, long byteOffset)
    {
        var exception = new InvalidDataException(
            $"A Server-Sent Event exceeded SseReaderOptions.MaxEventSize ({limit} bytes) at stream offset {byteOffset}. " +
            "Either no blank line ends the event (the stream is malformed) or the limit is too small for it.");
        exception.Data[ByteOffsetKey] = byteOffset;
        throw exception;
    }
}
