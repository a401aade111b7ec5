using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StreamingAgents.Redis;
using StreamingAgents.Runs;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis run store.</summary>
public static class RedisRunStoreBuilderExtensions
{
    /// <summary>
    /// Keeps detached runs in Redis (and registers detached runs if not yet done), so any instance behind a load
    /// balancer can resume or cancel any run. The connection string comes from the configuration key
    /// <c>RunStore:Redis</c> unless <paramref name="configure"/> sets one; the settings are checked at start.
    /// </summary>
    /// <param name="builder">The StreamingAgents builder.</param>
    /// <param name="configure">Sets the connection and settings; <see langword="null"/> for configuration and defaults.</param>
    /// <returns>The builder.</returns>
    public static StreamingAgentsBuilder AddRedisRunStore(this StreamingAgentsBuilder builder, Action<RedisAgentRunStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDetachedRuns();
        OptionsBuilder<RedisAgentRunStoreOptions> options = builder.Services.AddOptions<RedisAgentRunStoreOptions>()
            .Configure<IServiceProvider>(static (o, services) => o.Configuration ??= services.GetService<IConfiguration>()?[RedisAgentRunStoreOptions.ConfigurationKey]);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisAgentRunStoreOptions>, RedisAgentRunStoreOptionsValidator>());
        builder.Services.TryAddSingleton(static provider => new RedisAgentRunStore(
            provider.GetRequiredService<IOptions<RedisAgentRunStoreOptions>>().Value,
            provider.GetService<TimeProvider>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<IAgentRunStore>(static provider => provider.GetRequiredService<RedisAgentRunStore>()));
        return builder;
    }

    /// <summary>Reports an unusable setting at start, naming it.</summary>
    private sealed class RedisAgentRunStoreOptionsValidator : IValidateOptions<RedisAgentRunStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisAgentRunStoreOptions options) =>
            options.TryValidate(out string? problem) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
    }
}
