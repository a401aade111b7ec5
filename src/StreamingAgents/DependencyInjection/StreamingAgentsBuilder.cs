namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Continues the configuration started by <c>services.AddStreamingAgents(...)</c>.</summary>
public sealed class StreamingAgentsBuilder
{
    internal StreamingAgentsBuilder(IServiceCollection services, IHttpClientBuilder httpClientBuilder)
    {
        Services = services;
        HttpClientBuilder = httpClientBuilder;
    }

    /// <summary>Gets the service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Gets the builder of the Anthropic client's <see cref="HttpClient"/>, to add or replace message handlers
    /// (logging, proxies, a fake handler in tests).
    /// </summary>
    public IHttpClientBuilder HttpClientBuilder { get; }
}
