using StreamingAgents.Events;
using StreamingAgents.Messages;

namespace StreamingAgents.Http;

/// <summary>Streams responses from the Anthropic Messages API.</summary>
public interface IAnthropicClient
{
    /// <summary>Sends a request and streams the response as typed events, each as soon as it arrives.</summary>
    /// <param name="request">The request; the client adds <c>stream: true</c> and its default model and token limit.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The response events, ending with <see cref="MessageStopEvent"/>.</returns>
    /// <remarks>Each enumeration sends the request again.</remarks>
    IAsyncEnumerable<StreamEvent> StreamAsync(MessageRequest request, CancellationToken cancellationToken = default);
}
