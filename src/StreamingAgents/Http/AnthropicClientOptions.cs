using System.Diagnostics;

namespace StreamingAgents.Http;

/// <summary>Settings of the Anthropic client. Bindable from configuration; validated at startup.</summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AnthropicClientOptions
{
    /// <summary>The API version sent by default: the newest documented one.</summary>
    public const string DefaultAnthropicVersion = "2026-10-21";

    /// <summary>The model used when a request names none.</summary>
    public const string DefaultModel = "claude-sonnet-5-5";

    /// <summary>The environment variable read when <see cref="ApiKey"/> is not set.</summary>
    public const string ApiKeyEnvironmentVariable = "ANTHROPIC_API_KEY";

    /// <summary>The environment variable that, when set, gives <see cref="BaseUrl"/>'s default (a gateway, a local fake).</summary>
    public const string BaseUrlEnvironmentVariable = "ANTHROPIC_BASE_URL";

    /// <summary>Gets the API's address.</summary>
    public static Uri DefaultBaseUrl { get; } = new("https://api.anthropic.com");

    /// <summary>
    /// Gets or sets the API key. When not set, the <c>ANTHROPIC_API_KEY</c> environment variable is used.
    /// It never appears in logs, exception messages or <see cref="ToString"/>.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the API's base address; a path is kept (<c>https://gateway/anthropic</c> sends to
    /// <c>https://gateway/anthropic/v1/messages</c>). Defaults to the <c>ANTHROPIC_BASE_URL</c> environment variable
    /// when it holds an absolute address, otherwise <see cref="DefaultBaseUrl"/>.
    /// </summary>
    public Uri BaseUrl { get; set; } = GetDefaultBaseUrl();

    /// <summary>Gets or sets the model used when a request names none. Defaults to <see cref="DefaultModel"/>.</summary>
    public string Model { get; set; } = DefaultModel;

    /// <summary>Gets or sets the token limit used when a request sets none. Defaults to 4096.</summary>
    public int MaxTokens { get; set; } = 4096;

    /// <summary>
    /// Gets or sets how many times a failed request is retried (408, 409, 429, 5xx, 529, connection failures), and
    /// only before any event reached the caller. Defaults to 2.
    /// </summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Gets or sets the first retry delay; later ones double, with jitter. Defaults to 0.5 s.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Gets or sets the longest retry delay. Defaults to 8 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Gets or sets how long the stream may go without receiving a single byte (pings count) before it fails with
    /// <see cref="StreamIdleTimeoutException"/>. Also bounds the wait for response headers.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it. Defaults to 60 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets how long the stream may go without content (any event but <c>ping</c>) before it fails with
    /// <see cref="StreamStallTimeoutException"/>: a stream of nothing but pings is stalled.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it. Defaults to 5 minutes.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the <c>anthropic-version</c> header. Defaults to <see cref="DefaultAnthropicVersion"/>.</summary>
    public string AnthropicVersion { get; set; } = DefaultAnthropicVersion;

    /// <summary>Gets or sets the beta features sent in the <c>anthropic-beta</c> header.</summary>
    public IList<string> Betas { get; set; } = [];

    /// <summary>Lists what is missing or wrong, one message per setting.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        string? apiKey = ResolveApiKey();
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            problems.Add($"AnthropicClientOptions.ApiKey is missing: set it in code or configuration, or set the {ApiKeyEnvironmentVariable} environment variable.");
        }
        else if (!IsHeaderToken(apiKey))
        {
            // Never echo the key: say what is wrong with it and where it came from.
            string source = string.IsNullOrWhiteSpace(ApiKey) ? $" (read from {ApiKeyEnvironmentVariable})" : string.Empty;
            problems.Add($"AnthropicClientOptions.ApiKey{source} contains whitespace, a line break or another character a header cannot carry; check for a trailing newline where it is stored.");
        }

        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"AnthropicClientOptions.BaseUrl must be an absolute http(s) address; it is '{BaseUrl}'.");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            problems.Add("AnthropicClientOptions.Model is empty: name the default model, for example 'claude-sonnet-5-5'.");
        }

        if (MaxTokens <= 0)
        {
            problems.Add($"AnthropicClientOptions.MaxTokens must be positive; it is {MaxTokens}.");
        }

        if (MaxRetries is < 0 or > 10)
        {
            problems.Add($"AnthropicClientOptions.MaxRetries must be between 0 and 10; it is {MaxRetries}.");
        }

        if (InitialRetryDelay < TimeSpan.Zero || MaxRetryDelay < InitialRetryDelay)
        {
            problems.Add("AnthropicClientOptions.InitialRetryDelay must be non-negative and no more than MaxRetryDelay.");
        }

        CheckTimeout(IdleTimeout, nameof(IdleTimeout), problems);
        CheckTimeout(StallTimeout, nameof(StallTimeout), problems);
        if (string.IsNullOrWhiteSpace(AnthropicVersion) || !IsHeaderToken(AnthropicVersion))
        {
            problems.Add($"AnthropicClientOptions.AnthropicVersion must be a version such as '{DefaultAnthropicVersion}'; it is '{AnthropicVersion}'.");
        }

        if (Betas is null || Betas.Any(static beta => string.IsNullOrEmpty(beta) || !IsHeaderToken(beta) || beta.Contains(',', StringComparison.Ordinal)))
        {
            problems.Add("AnthropicClientOptions.Betas must hold beta names without spaces, commas or line breaks.");
        }

        return problems;
    }

    /// <summary>Describes the options without the API key.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"BaseUrl = {BaseUrl}, Model = {Model}, MaxTokens = {MaxTokens}, MaxRetries = {MaxRetries}, IdleTimeout = {IdleTimeout}, " +
        $"StallTimeout = {StallTimeout}, AnthropicVersion = {AnthropicVersion}, Betas = [{string.Join(", ", Betas)}], " +
        $"ApiKey = {(string.IsNullOrEmpty(ResolveApiKey()) ? "(not set)" : "(set)")}";

    private static Uri GetDefaultBaseUrl() =>
        Uri.TryCreate(Environment.GetEnvironmentVariable(BaseUrlEnvironmentVariable), UriKind.Absolute, out Uri? fromEnvironment)
            ? fromEnvironment
            : DefaultBaseUrl;

    /// <summary>The Messages endpoint under <see cref="BaseUrl"/>, keeping any path it has (a gateway's prefix).</summary>
    internal Uri GetMessagesEndpoint()
    {
        var builder = new UriBuilder(BaseUrl);
        builder.Path = builder.Path.TrimEnd('/') + "/v1/messages";
        return builder.Uri;
    }

    internal string? ResolveApiKey() => string.IsNullOrWhiteSpace(ApiKey) ? Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable) : ApiKey;

    /// <summary>Visible ASCII only: what an HTTP header value can carry without folding or escaping.</summary>
    private static bool IsHeaderToken(string value) => !value.AsSpan().ContainsAnyExceptInRange('!', '~');

    private static void CheckTimeout(TimeSpan value, string name, List<string> problems)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"AnthropicClientOptions.{name} must be positive (or Timeout.InfiniteTimeSpan to disable it); it is {value}.");
        }
    }
}
