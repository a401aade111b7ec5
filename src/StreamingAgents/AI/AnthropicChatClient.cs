using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;

namespace StreamingAgents.AI;

/// <summary>
/// The library's streaming client as a Microsoft.Extensions.AI <see cref="IChatClient"/>, so it joins
/// <c>ChatClientBuilder</c> pipelines (<c>UseFunctionInvocation</c>, <c>UseOpenTelemetry</c>, caching, …). Each update
/// carries the library's <see cref="StreamEvent"/> as its <see cref="ChatResponseUpdate.RawRepresentation"/>.
/// </summary>
/// <remarks>
/// Text deltas become <see cref="TextContent"/>, thinking <see cref="TextReasoningContent"/> (its signature in
/// <see cref="TextReasoningContent.ProtectedData"/>, so a follow-up request sends it back), a tool call a
/// <see cref="FunctionCallContent"/> once its input is whole (an update with no content, the raw
/// <c>content_block_start</c>, announces it the moment its name is known), and the usage one final
/// <see cref="UsageContent"/>.
/// </remarks>
public sealed class AnthropicChatClient : IChatClient
{
    private readonly IAnthropicClient _client;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Initializes a new chat client.</summary>
    /// <param name="client">The streaming client.</param>
    /// <param name="defaultModelId">The model when <see cref="ChatOptions.ModelId"/> is not set; <see langword="null"/> for the client's default.</param>
    public AnthropicChatClient(IAnthropicClient client, string? defaultModelId = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _metadata = new ChatClientMetadata("anthropic", defaultModelId: defaultModelId);
        DefaultModelId = defaultModelId;
    }

    /// <summary>Gets the model used when a request names none.</summary>
    public string? DefaultModelId { get; }

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        MessageRequest request = ChatRequestMapper.ToRequest(messages, options, DefaultModelId);
        return StreamAsync(request, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : serviceType.IsInstanceOfType(_client) ? _client
            : null;
    }

    /// <summary>Nothing to release: the streaming client belongs to whoever made it.</summary>
    public void Dispose()
    {
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(MessageRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var updates = new ChatUpdateMapper();
        await foreach (StreamEvent streamEvent in _client.StreamAsync(request, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (updates.Map(streamEvent) is { } update)
            {
                yield return update;
            }
        }
    }
}
