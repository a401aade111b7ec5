using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.DependencyInjection;

/// <summary>Tools that live in the host: a service scope per run, and several named agents in one host.</summary>
public sealed class AgentHostingTests
{
    /// <summary>A scoped service, like a DbContext: one per run, disposed when the run ends.</summary>
    public sealed class OrderDbContext : IAsyncDisposable
    {
        private static int s_created;

        public int Number { get; } = Interlocked.Increment(ref s_created);

        public bool IsDisposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            IsDisposed = true;
            return default;
        }
    }

    /// <summary>A tool class with a scoped dependency, registered with <c>AddTool&lt;T&gt;()</c>.</summary>
    public sealed class SearchOrdersTool(OrderDbContext database) : AgentTool<LookupInput>("search_orders", "Finds an order.", TestJsonContext.Default.LookupInput)
    {
        public static readonly List<(OrderDbContext Injected, OrderDbContext FromContext, bool WasDisposed)> Calls = [];

        protected override ValueTask<ToolResult> ExecuteAsync(LookupInput input, ToolContext context)
        {
            lock (Calls)
            {
                Calls.Add((database, context.Services.GetRequiredService<OrderDbContext>(), database.IsDisposed));
            }

            return ValueTask.FromResult(ToolResult.Text($"found {input.Query} in database #{database.Number}"));
        }
    }

    private static FakeAnthropicHandler CallsSearchTwice(FakeAnthropicHandler handler, Chunking chunking) => handler
        .RespondWith(new TranscriptBuilder().ToolUse("search_orders", """{"query":"ORD-1"}""", id: "toolu_1").ToolUse("search_orders", """{"query":"ORD-2"}""", id: "toolu_2").Stop(StopReason.ToolUse), chunking)
        .RespondWith(new TranscriptBuilder().Text("Found both.").Stop(StopReason.EndTurn), chunking);

    [Theory]
    [MemberData(nameof(ChunkingCases.Names), MemberType = typeof(ChunkingCases))]
    public async Task ScopedTool_GetsOneScopePerRun_DisposedWhenTheRunEnds(string chunking)
    {
        FakeAnthropicHandler handler = CallsSearchTwice(CallsSearchTwice(new FakeAnthropicHandler(), ChunkingCases.Named(chunking)), ChunkingCases.Named(chunking));
        var services = new ServiceCollection();
        services.AddScoped<OrderDbContext>();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey)
            .AddTool<SearchOrdersTool>()
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        lock (SearchOrdersTool.Calls)
        {
            SearchOrdersTool.Calls.Clear();
        }

        RunCompleted first = await provider.GetRequiredService<IAgentRunner>().RunAsync("Find ORD-1 and ORD-2").ToResultAsync();
        RunCompleted second = await provider.GetRequiredService<IAgentRunner>().RunAsync("Find them again").ToResultAsync();

        Assert.Equal((AgentRunOutcome.Completed, AgentRunOutcome.Completed), (first.Outcome, second.Outcome));
        var calls = SearchOrdersTool.Calls.ToList();
        Assert.Equal(4, calls.Count);
        Assert.All(calls, call => Assert.Same(call.Injected, call.FromContext)); // ToolContext.Services is the run's scope
        Assert.All(calls, call => Assert.False(call.WasDisposed)); // alive while the tools ran...
        Assert.All(calls, call => Assert.True(call.Injected.IsDisposed)); // ...and disposed at the run's end
        OrderDbContext[] perRun = [.. calls.Select(call => call.Injected).Distinct()];
        Assert.Equal(2, perRun.Length); // shared by a run's calls, never between runs
    }

    [Fact]
    public async Task ScopedTool_RunLeftEarly_StillDisposesItsScope()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().ToolUse("slow", "{}").Stop(StopReason.ToolUse));
        var services = new ServiceCollection();
        services.AddScoped<OrderDbContext>();
        OrderDbContext? seen = null;
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey)
            .AddTool(AgentTool.Create("slow", "Waits.", TestJsonContext.Default.EmptyInput, async (_, context) =>
            {
                seen = context.Services.GetRequiredService<OrderDbContext>();
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
                return ToolResult.Text("never");
            }, isReadOnly: true))
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        await using ServiceProvider provider = services.BuildServiceProvider();

        await foreach (AgentEvent agentEvent in provider.GetRequiredService<IAgentRunner>().RunAsync("Go"))
        {
            if (agentEvent is ToolExecutionStarted)
            {
                Assert.True(await Waiting.UntilAsync(() => seen is not null, Waiting.Guard));
                break; // the consumer leaves while the tool runs
            }
        }

        Assert.True(seen!.IsDisposed);
    }

    [Fact]
    public async Task NamedAgents_EachHasItsOwnToolsAndOptions_AndTheDefaultAgentKeepsWorking()
    {
        var handler = new FakeAnthropicHandler();
        for (int i = 0; i < 3; i++)
        {
            handler.RespondWith(new TranscriptBuilder().Text("Hello.").Stop(StopReason.EndTurn));
        }

        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey)
            .AddTool(TestTools.Lookup("general_search"))
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        services.AddStreamingAgents("support", o => o.SystemPrompt = "You answer order questions.")
            .AddTool(TestTools.Lookup("search_orders"));
        services.AddStreamingAgents("billing", o => { o.SystemPrompt = "You handle refunds."; o.Model = "claude-billing"; })
            .AddTool(TestTools.Lookup("refund_order", isReadOnly: false))
            .AddTool(TestTools.Lookup("issue_voucher", isReadOnly: false));
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredKeyedService<IAgentRunner>("support").RunAsync("Hi").ToResultAsync();
        await provider.GetRequiredKeyedService<IAgentRunner>("billing").RunAsync("Hi").ToResultAsync();
        await provider.GetRequiredService<IAgentRunner>().RunAsync("Hi").ToResultAsync();

        static string Sent(JsonElement body) =>
            $"{(body.TryGetProperty("system", out JsonElement system) ? system.GetString() : "-")} | {body.GetProperty("model").GetString()} | "
            + string.Join(", ", body.GetProperty("tools").EnumerateArray().Select(tool => tool.GetProperty("name").GetString()));
        Assert.Equal("You answer order questions. | claude-sonnet-5-5 | search_orders", Sent(handler.Requests[0].ParseBody()));
        Assert.Equal("You handle refunds. | claude-billing | refund_order, issue_voucher", Sent(handler.Requests[1].ParseBody()));
        Assert.Equal("- | claude-sonnet-5-5 | general_search", Sent(handler.Requests[2].ParseBody()));
        Assert.Null(provider.GetKeyedService<IAgentRunner>("sales"));
    }

    [Fact]
    public void NamedAgent_Invalid_FailsAtStartupNamingTheAgent()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents("support", o => o.MaxTurns = 0)
            .AddTool(TestTools.Lookup("search"))
            .AddTool(TestTools.Lookup("search"));
        services.AddStreamingAgents("billing", _ => { }).AddTool<SearchOrdersTool>(); // OrderDbContext is not registered
        using ServiceProvider provider = services.BuildServiceProvider();

        // One OptionsValidationException per failing agent, gathered in an AggregateException.
        var error = Assert.Throws<AggregateException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        string failures = string.Join("\n", error.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures));
        Assert.Contains("Agent 'support': AgentRunnerOptions.MaxTurns must be at least 1", failures);
        Assert.Contains("Agent 'support': Its tools cannot be created: ArgumentException: A tool named 'search' is already registered", failures);
        Assert.Contains("Agent 'billing':", failures);
        Assert.Contains(nameof(OrderDbContext), failures);
    }

    [Fact]
    public void Tool_WhoseConstructorThrowsAnything_IsReportedAtStartup()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey).AddTool<NeedsARequestTool>();
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, failure => failure.Contains("NotSupportedException: No request here.", StringComparison.Ordinal));
    }

    private sealed class NeedsARequestTool : AgentTool<EmptyInput>
    {
        public NeedsARequestTool()
            : base("needs_request", "Needs a request.", TestJsonContext.Default.EmptyInput) => throw new NotSupportedException("No request here.");

        protected override ValueTask<ToolResult> ExecuteAsync(EmptyInput input, ToolContext context) => throw new UnreachableException();
    }

    [Fact]
    public async Task ScopedService_ThatFailsToDispose_IsLoggedAndTheRunStillEndsCleanly()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().ToolUse("uses_service", "{}").Stop(StopReason.ToolUse)).RespondWith(new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn));
        var services = new ServiceCollection();
        var logs = new CapturingLoggerProvider();
        services.AddLogging(logging => logging.AddProvider(logs));
        services.AddScoped<BrokenOnDispose>();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey)
            .AddTool(AgentTool.Create("uses_service", "Uses a service.", TestJsonContext.Default.EmptyInput, (_, context) =>
            {
                context.Services.GetRequiredService<BrokenOnDispose>();
                return ValueTask.FromResult(ToolResult.Text("used"));
            }))
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        await using ServiceProvider provider = services.BuildServiceProvider();

        RunCompleted result = await provider.GetRequiredService<IAgentRunner>().RunAsync("Go").ToResultAsync();

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.Contains(logs.Messages, message => message.Contains("failed to dispose", StringComparison.Ordinal));
    }

    private sealed class BrokenOnDispose : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => throw new IOException("The connection pool is gone.");
    }

    [Fact]
    public void NamedAgent_EmptyName_Throws()
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentException>(() => services.AddStreamingAgents(" ", _ => { }));
    }

    [Fact]
    public async Task NamedAgent_DetachedRuns_HaveTheirOwnManagerOverTheSharedStore()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("Hi.").Stop(StopReason.EndTurn));
        var services = new ServiceCollection();
        services.AddStreamingAgents("support", o => o.SystemPrompt = "Support.")
            .AddDetachedRuns()
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        services.Configure<StreamingAgents.Http.AnthropicClientOptions>(o => o.ApiKey = ClientFactory.ApiKey);
        await using ServiceProvider provider = services.BuildServiceProvider();

        var manager = provider.GetRequiredKeyedService<StreamingAgents.Runs.AgentRunManager>("support");
        StreamingAgents.Runs.AgentRunHandle run = await manager.StartAsync(new MessageRequest { Messages = [MessageParam.User("Hi")] });
        await run.Completion.WaitAsync(Waiting.Guard);

        Assert.Equal("Support.", handler.Requests[0].ParseBody().GetProperty("system").GetString());
        Assert.Null(provider.GetService<StreamingAgents.Runs.AgentRunManager>());
    }
}
