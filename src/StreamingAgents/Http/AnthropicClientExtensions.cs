using StreamingAgents.Events;
using StreamingAgents.Messages;

namespace StreamingAgents.Http;

/// <summary>Buffered forms of <see cref="IAnthropicClient"/> calls.</summary>
public static class AnthropicClientExtensions
{
    /// <summary>Sends a request, streams the response and returns the final message.</summary>
    /// <param name="client">The client.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The complete message, as the non-streaming API would return it.</returns>
    public static Task<Message> CreateMessageAsync(this IAnthropicClient client, MessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.StreamAsync(request, cancellationToken).ToMessageAsync(cancellationToken);
    }
}
