using System.Text.Json;
using StreamingAgents.Messages;

namespace StreamingAgents.Agents;

/// <summary>How tool calls whose streamed input did not complete are sent back to the model.</summary>
internal static class ToolInputs
{
    /// <summary>
    /// Replaces each input that is not valid, whole JSON with <c>{"INVALID_JSON": "&lt;raw text&gt;"}</c>, as
    /// Anthropic's fine-grained tool streaming docs advise: the API needs an object there, and the model sees what
    /// it wrote. (The matching tool result is an error.)
    /// </summary>
    public static Message WithSendableInputs(Message message) =>
        message.Content.Any(static block => block is ToolCallBlock { InputStatus: not ToolInputStatus.Complete })
            ? message with { Content = [.. message.Content.Select(static block => block is ToolCallBlock { InputStatus: not ToolInputStatus.Complete } call ? Wrap(call) : block)] }
            : message;

    /// <summary>Leaves out tool calls cut off with the message: they were not run and get no result.</summary>
    public static Message WithoutIncompleteCalls(Message message) => message with
    {
        Content = [.. message.Content.Where(static block => block is not ToolCallBlock { InputStatus: not ToolInputStatus.Complete })],
    };

    private static ToolCallBlock Wrap(ToolCallBlock call)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("INVALID_JSON", call.InputJson ?? call.Input.GetRawText());
            writer.WriteEndObject();
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return call with { Input = JsonElement.ParseValue(ref reader), InputStatus = ToolInputStatus.Complete };
    }
}
