using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.DependencyInjection;

public sealed class StreamingAgentsServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddStreamingAgents_WithReplacedHandler_ResolvesAWorkingClient()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("From DI.").Stop(StopReason.EndTurn));
        var services = new ServiceCollection();
        StreamingAgentsBuilder builder = services.AddStreamingAgents(options => options.ApiKey = ClientFactory.ApiKey);
        builder.HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        IAnthropicClient client = provider.GetRequiredService<IAnthropicClient>();
        Message message = await client.CreateMessageAsync(ClientFactory.Hello);

        Assert.Equal("From DI.", message.GetText());
        Assert.IsType<AnthropicClient>(client);
        Assert.Same(services, builder.Services);
        Assert.Equal("https://api.anthropic.com/v1/messages", Assert.Single(handler.Requests).Uri.ToString());
    }

    [Fact]
    public void AddStreamingAgents_Lifetimes_TypedClientIsTransientAndOptionsSingleton()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(options => options.ApiKey = ClientFactory.ApiKey);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.NotSame(provider.GetRequiredService<IAnthropicClient>(), provider.GetRequiredService<IAnthropicClient>());
        Assert.Same(provider.GetRequiredService<IOptions<AnthropicClientOptions>>().Value, provider.GetRequiredService<IOptions<AnthropicClientOptions>>().Value);
        Assert.Equal(ServiceLifetime.Transient, services.Single(d => d.ServiceType == typeof(IAnthropicClient)).Lifetime);
    }

    [Fact]
    public void AddStreamingAgents_FromConfiguration_BindsEveryOption()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Anthropic:ApiKey"] = ClientFactory.ApiKey,
            ["Anthropic:BaseUrl"] = "http://localhost:5005/",
            ["Anthropic:Model"] = "claude-haiku-5-5",
            ["Anthropic:MaxTokens"] = "512",
            ["Anthropic:MaxRetries"] = "4",
            ["Anthropic:IdleTimeout"] = "00:00:20",
            ["Anthropic:StallTimeout"] = "00:02:00",
            ["Anthropic:AnthropicVersion"] = "2023-06-01",
            ["Anthropic:Betas:0"] = "beta-one",
            ["Anthropic:Betas:1"] = "beta-two",
        }).Build();
        var services = new ServiceCollection();
        services.AddStreamingAgents(configuration.GetSection("Anthropic"));
        using ServiceProvider provider = services.BuildServiceProvider();

        AnthropicClientOptions options = provider.GetRequiredService<IOptions<AnthropicClientOptions>>().Value;

        Assert.Equal(ClientFactory.ApiKey, options.ApiKey);
        Assert.Equal(new Uri("http://localhost:5005/"), options.BaseUrl);
        Assert.Equal("claude-haiku-5-5", options.Model);
        Assert.Equal(512, options.MaxTokens);
        Assert.Equal(4, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(20), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), options.StallTimeout);
        Assert.Equal("2023-06-01", options.AnthropicVersion);
        Assert.Equal(["beta-one", "beta-two"], options.Betas);
    }

    [Fact]
    public void AddStreamingAgents_InvalidOptions_FailAtStartupNamingTheSettings()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(options =>
        {
            options.MaxTokens = 0;
            options.BaseUrl = new Uri("/relative", UriKind.Relative);
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        // ValidateOnStart: the host runs this validator before anything is served.
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.Contains("MaxTokens must be positive", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("BaseUrl must be an absolute http(s) address", StringComparison.Ordinal));
    }

    [Fact]
    public void AddStreamingAgents_NoApiKey_UsesEnvironmentVariableOrFailsAtStartup()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents();
        using ServiceProvider provider = services.BuildServiceProvider();
        string? fromEnvironment = Environment.GetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable);

        if (string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
            Assert.Contains(error.Failures, f => f.Contains("ApiKey is missing", StringComparison.Ordinal) && f.Contains("ANTHROPIC_API_KEY", StringComparison.Ordinal));
        }
        else
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            Assert.Contains("ApiKey = (set)", provider.GetRequiredService<IOptions<AnthropicClientOptions>>().Value.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AddStreamingAgents_TraceLogging_NeverLogsTheApiKey()
    {
        var logs = new CapturingLoggerProvider();
        var handler = new FakeAnthropicHandler()
            .RespondWithError((System.Net.HttpStatusCode)529, "overloaded_error", "Overloaded")
            .RespondWith(new TranscriptBuilder().Text("ok").Stop(StopReason.EndTurn));
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddStreamingAgents(options =>
        {
            options.ApiKey = ClientFactory.ApiKey;
            options.InitialRetryDelay = options.MaxRetryDelay = TimeSpan.FromMilliseconds(1);
        }).HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        using ServiceProvider provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IAnthropicClient>().CreateMessageAsync(ClientFactory.Hello);

        Assert.Contains(logs.Messages, m => m.Contains("retry 1 of 2", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains("x-api-key", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(ClientFactory.ApiKey, StringComparison.Ordinal));
    }
}
