using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Json;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// Servers and proxies echo request headers in error bodies and error events. Nothing the library produces from such
/// an answer (exceptions, logs, agent events and their JSON) may carry the API key or another credential.
/// </summary>
public sealed class SecretScrubbingTests
{
    private const string Key = ClientFactory.ApiKey;

    /// <summary>A credential a DelegatingHandler adds (a gateway's token), which the library never saw itself.</summary>
    private const string GatewayToken = "xyz-gateway-token-7f3c9a";

    public static TheoryData<HttpStatusCode, string> ErrorStatuses() => new()
    {
        { HttpStatusCode.Unauthorized, "authentication_error" },
        { HttpStatusCode.InternalServerError, "api_error" },
    };

    [Theory]
    [MemberData(nameof(ErrorStatuses))]
    public async Task StreamAsync_JsonErrorBodyEchoingTheKey_ExceptionNeverContainsIt(HttpStatusCode status, string errorType)
    {
        var handler = new FakeAnthropicHandler().RespondWith((_, _) => JsonError(status, errorType, $"bad key {Key} (x-api-key: {Key})", "req_scrub_1"));

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler, o => o.MaxRetries = 0).CreateMessageAsync(ClientFactory.Hello));

        AssertNoSecret(error, Key);
        Assert.Equal(errorType, error.ErrorType);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains("bad key", error.ApiMessage, StringComparison.Ordinal);
        Assert.Equal("req_scrub_1", error.RequestId);
    }

    [Fact]
    public async Task StreamAsync_ServerErrorRetriedThenExhausted_ExceptionNeverContainsTheKey()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith((_, _) => JsonError(HttpStatusCode.InternalServerError, "api_error", $"upstream saw {Key}", "req_a"))
            .RespondWith((_, _) => JsonError(HttpStatusCode.InternalServerError, "api_error", $"upstream saw {Key}", "req_b"));

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler, o => o.MaxRetries = 1).CreateMessageAsync(ClientFactory.Hello));

        AssertNoSecret(error, Key);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task StreamAsync_ProxyPageEchoingTheKey_ExceptionNeverContainsIt()
    {
        string page = $"<html><body><h1>502 Bad Gateway</h1><p>upstream refused request with x-api-key: {Key}</p></body></html>";
        var handler = new FakeAnthropicHandler().RespondWith((_, _) => HtmlError(HttpStatusCode.BadGateway, page));

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler, o => o.MaxRetries = 0).CreateMessageAsync(ClientFactory.Hello));

        AssertNoSecret(error, Key);
        Assert.Contains("502 Bad Gateway", error.ApiMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_LongProxyPageWithTheKeyAtTheExcerptLimit_NoPartOfTheKeyIsReported()
    {
        // The message keeps the first 500 characters of a non-JSON body. A key that straddles that limit must not
        // survive as a prefix: the scrubber only recognizes the whole key.
        string page = new string('.', 480) + Key + " was rejected by the upstream gateway";
        var handler = new FakeAnthropicHandler().RespondWith((_, _) => HtmlError(HttpStatusCode.BadGateway, page));

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler, o => o.MaxRetries = 0).CreateMessageAsync(ClientFactory.Hello));

        string keyPrefix = Key[..20];
        Assert.DoesNotContain(keyPrefix, error.ApiMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(keyPrefix, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StreamAsync_ErrorEventEchoingTheKey_ExceptionNeverContainsIt(bool afterFirstEvent)
    {
        TranscriptBuilder transcript = afterFirstEvent ? new TranscriptBuilder().MessageStart() : new TranscriptBuilder();
        var handler = new FakeAnthropicHandler().RespondWith(transcript.Error("invalid_request_error", $"key {Key} is not allowed here"));

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler, o => o.MaxRetries = 0).CreateMessageAsync(ClientFactory.Hello));

        AssertNoSecret(error, Key);
        Assert.Equal("invalid_request_error", error.ErrorType);
        Assert.Null(error.StatusCode);
        Assert.Contains("is not allowed here", error.ApiMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_ClientLoggerAtTrace_NeverLogsAnEchoedKey()
    {
        using var logs = new CapturedLogs();
        var handler = new FakeAnthropicHandler()
            .RespondWith((_, _) => JsonError(HttpStatusCode.ServiceUnavailable, "api_error", $"bad key {Key}", "req_1"))
            .RespondWith(new TranscriptBuilder().Error("overloaded_error", $"Overloaded; your key {Key}"))
            .RespondWith(new TranscriptBuilder().MessageStart().Error("invalid_request_error", $"bad key {Key}"));
        var options = new AnthropicClientOptions
        {
            ApiKey = Key,
            BaseUrl = new Uri("https://api.test.invalid"),
            MaxRetries = 2,
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(2),
        };
        var client = new AnthropicClient(new HttpClient(handler), options, TimeProvider.System, logs.Factory.CreateLogger<AnthropicClient>());

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => client.CreateMessageAsync(ClientFactory.Hello));

        AssertNoSecret(error, Key);
        Assert.Equal(3, handler.Requests.Count);
        Assert.NotEmpty(logs.Messages);
        Assert.DoesNotContain(logs.Messages, m => m.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ErrorsEchoingTheKeyThroughDependencyInjection_NoEventJsonOrLogContainsIt()
    {
        var logs = new CapturingLoggerProvider();
        var handler = new FakeAnthropicHandler()
            .RespondWith((_, _) => JsonError(HttpStatusCode.InternalServerError, "api_error", $"bad key {Key}", "req_1"))
            .RespondWith(new TranscriptBuilder().Text("Partial").Error("overloaded_error", $"Overloaded (key {Key})"))
            .RespondWith(new TranscriptBuilder().Text("Partial").Error("overloaded_error", $"Overloaded again (key {Key})"));
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        StreamingAgentsBuilder builder = services.AddStreamingAgents(o =>
        {
            o.ApiKey = Key;
            o.MaxRetries = 1;
            o.InitialRetryDelay = o.MaxRetryDelay = TimeSpan.FromMilliseconds(1);
        });
        builder.HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        builder.ConfigureRunner(o =>
        {
            o.MaxStreamRetries = 1;
            o.StreamRetryDelay = TimeSpan.FromMilliseconds(1);
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        List<AgentEvent> events = await HardeningRunner.CollectAsync(provider.GetRequiredService<IAgentRunner>().RunAsync("Hello"));

        TurnRetrying retrying = Assert.Single(events.OfType<TurnRetrying>());
        RunCompleted completed = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.Failed, completed.Outcome);
        Assert.NotNull(completed.Error);
        Assert.Equal(3, handler.Requests.Count);
        Assert.DoesNotContain(Key, retrying.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, completed.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Overloaded", retrying.Error.Message, StringComparison.Ordinal);
        foreach (AgentEvent agentEvent in events)
        {
            string json = JsonSerializer.Serialize(agentEvent, AgentJsonContext.Default.AgentEvent);
            Assert.DoesNotContain(Key, json, StringComparison.Ordinal);
        }

        Assert.Contains(logs.Messages, m => m.Contains("Overloaded", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_AuthenticationErrorEchoingTheKey_RunCompletedErrorNeverContainsIt()
    {
        var harness = new HardeningRunner([]);
        harness.Handler.RespondWith((_, _) => JsonError(HttpStatusCode.Unauthorized, "authentication_error", $"invalid x-api-key {Key}", "req_1"));

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted completed = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal("authentication_error", completed.Error!.Type);
        Assert.DoesNotContain(Key, completed.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, JsonSerializer.Serialize<AgentEvent>(completed, AgentJsonContext.Default.AgentEvent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_HandlerAddedBearerTokenEchoedInErrorBody_ExceptionNeverContainsIt()
    {
        // A proxy page that echoes every request header it received, the gateway's credential among them.
        var echo = new HeaderEchoingHandler(HttpStatusCode.Forbidden);
        var client = new AnthropicClient(new HttpClient(new BearerTokenHandler(GatewayToken) { InnerHandler = echo }), Options());

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => client.CreateMessageAsync(ClientFactory.Hello));

        Assert.Contains($"Bearer {GatewayToken}", echo.LastEchoedBody, StringComparison.Ordinal); // the server did echo it
        AssertNoSecret(error, GatewayToken);
        AssertNoSecret(error, Key);
        Assert.Contains("authorization", error.ApiMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task StreamAsync_HandlerAddedBearerTokenEchoedInErrorEvent_ExceptionNeverContainsIt()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().MessageStart().Error("permission_error", $"token {GatewayToken} may not use this model"));
        var client = new AnthropicClient(new HttpClient(new BearerTokenHandler(GatewayToken) { InnerHandler = handler }), Options());

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => client.CreateMessageAsync(ClientFactory.Hello));

        Assert.Equal($"Bearer {GatewayToken}", handler.Requests[0].Headers["Authorization"]);
        AssertNoSecret(error, GatewayToken);
        Assert.Contains("may not use this model", error.ApiMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_DependencyInjectionHandlerAddsBearerToken_EchoedTokenNeverReachesExceptionOrLogs()
    {
        var logs = new CapturingLoggerProvider();
        var echo = new HeaderEchoingHandler(HttpStatusCode.Unauthorized);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        StreamingAgentsBuilder builder = services.AddStreamingAgents(o => { o.ApiKey = Key; o.MaxRetries = 0; });
        builder.HttpClientBuilder.AddHttpMessageHandler(() => new BearerTokenHandler(GatewayToken)).ConfigurePrimaryHttpMessageHandler(() => echo);
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => provider.GetRequiredService<IAnthropicClient>().CreateMessageAsync(ClientFactory.Hello));

        Assert.Contains(GatewayToken, echo.LastEchoedBody, StringComparison.Ordinal);
        AssertNoSecret(error, GatewayToken);
        AssertNoSecret(error, Key);
        Assert.DoesNotContain(logs.Messages, m => m.Contains(GatewayToken, StringComparison.Ordinal) || m.Contains(Key, StringComparison.Ordinal));
    }

    private static AnthropicClientOptions Options() => new()
    {
        ApiKey = Key,
        BaseUrl = new Uri("https://api.test.invalid"),
        MaxRetries = 0,
    };

    private static void AssertNoSecret(AnthropicApiException error, string secret)
    {
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.ApiMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.ErrorType, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.RequestId ?? string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
    }

    private static HttpResponseMessage JsonError(HttpStatusCode status, string errorType, string message, string requestId) =>
        FakeResponses.Error(status, errorType, message, requestId: requestId);

    private static HttpResponseMessage HtmlError(HttpStatusCode status, string page) =>
        new(status) { Content = new StringContent(page, Encoding.UTF8, "text/html") };

    /// <summary>Adds a gateway's credential to every request, as a user's DelegatingHandler would.</summary>
    private sealed class BearerTokenHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A misbehaving proxy: answers with an error page listing every request header it received.</summary>
    private sealed class HeaderEchoingHandler(HttpStatusCode status) : HttpMessageHandler
    {
        public string LastEchoedBody { get; private set; } = string.Empty;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var page = new StringBuilder("<html><body><h1>Request rejected</h1><pre>");
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
            {
                page.Append(header.Key).Append(": ").AppendJoin(", ", header.Value).Append('\n');
            }

            page.Append("</pre></body></html>");
            LastEchoedBody = page.ToString();
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(LastEchoedBody, Encoding.UTF8, "text/html"), RequestMessage = request });
        }
    }
}
