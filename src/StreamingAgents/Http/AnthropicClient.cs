using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamingAgents.Diagnostics;
using StreamingAgents.Events;
using StreamingAgents.Messages;
using StreamingAgents.Sse;

namespace StreamingAgents.Http;

/// <summary>
/// Streams the Messages API over <see cref="HttpClient"/>: bytes go to the SSE reader as they arrive, failures
/// before the first event are retried, and two liveness timeouts catch dead and stalled streams.
/// </summary>
/// <remarks>
/// Register it with <c>services.AddStreamingAgents(...)</c>, or construct it around your own
/// <see cref="HttpClient"/> (whose own <see cref="HttpClient.Timeout"/> should be infinite: a healthy stream may last
/// for minutes, and the liveness timeouts are the ones that matter).
/// </remarks>
public sealed partial class AnthropicClient : IAnthropicClient
{
    private static readonly MediaTypeWithQualityHeaderValue s_eventStream = new("text/event-stream");
    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly HttpClient _httpClient;
    private readonly AnthropicClientOptions _options;
    private readonly string _apiKey;
    private readonly SecretScrubber _scrubber;
    private readonly Uri _endpoint;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Gets or sets how response bodies are read; tests give it a pool that counts its buffers.</summary>
    internal SseReaderOptions SseOptions { get; init; } = SseReaderOptions.Default;

    /// <summary>Initializes a new client.</summary>
    /// <param name="httpClient">The HTTP client to send requests with.</param>
    /// <param name="options">The settings; they are validated now.</param>
    /// <param name="timeProvider">The clock for timeouts and retry delays; <see langword="null"/> means the system clock.</param>
    /// <param name="logger">The logger; API keys and headers are never logged.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public AnthropicClient(HttpClient httpClient, AnthropicClientOptions options, TimeProvider? timeProvider = null, ILogger<AnthropicClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _httpClient = httpClient;
        _options = options;
        _apiKey = options.ResolveApiKey()!;
        _scrubber = new SecretScrubber(_apiKey);
        _endpoint = options.GetMessagesEndpoint();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger is null ? NullLogger<AnthropicClient>.Instance : new NonThrowingLogger(logger);
    }

    /// <inheritdoc/>
    /// <exception cref="AnthropicApiException">The API answered with an error status or an <c>error</c> event.</exception>
    /// <exception cref="StreamTimeoutException">The stream went idle or stalled.</exception>
    public IAsyncEnumerable<StreamEvent> StreamAsync(MessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Messages.Count == 0)
        {
            throw new ArgumentException("The request has no messages; the Messages API needs at least one user turn.", nameof(request));
        }

        MessageRequest effective = request with
        {
            Model = request.Model ?? _options.Model,
            MaxTokens = request.MaxTokens ?? _options.MaxTokens,
            Stream = true,
        };
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(effective, AnthropicJsonContext.Default.MessageRequest);
        return new ResponseEvents(this, body, effective.Model!, effective.MaxTokens, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(byte[] body, StreamLiveness liveness)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Headers.Add("x-api-key", _apiKey);
        request.Headers.Add("anthropic-version", _options.AnthropicVersion);
        if (_options.Betas.Count > 0)
        {
            request.Headers.Add("anthropic-beta", string.Join(',', _options.Betas));
        }

        request.Headers.Accept.Add(s_eventStream);
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = s_json } };

        // A handler that ignores cancellation must not hold the caller past the idle timeout.
        HttpResponseMessage response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, liveness.Token)
            .WaitOrAbandonAsync(liveness.Token).ConfigureAwait(false);

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ApiErrorReader.ReadAsync(response, _timeProvider, _scrubber.With(response.RequestMessage), liveness.Token).ConfigureAwait(false);
            }
        }

        return response;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Sending Messages API request (model {Model}, attempt {Attempt}).")]
        public static partial void Sending(ILogger logger, string model, int attempt);

        [LoggerMessage(2, LogLevel.Warning, "Messages API request failed before any event arrived ({ExceptionType} {ErrorType}); retry {Retry} of {MaxRetries} in {DelayMs:0} ms.")]
        public static partial void Retrying(ILogger logger, int retry, int maxRetries, double delayMs, string exceptionType, string? errorType);
    }
}
