using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamingAgents.AspNetCore.SignalR;
using StreamingAgents.Messages;
using StreamingAgents.Runs;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tools;

namespace StreamingAgents.AspNetCore.Tests;

/// <summary>
/// The agent endpoints on an in-memory server (TestHost) over a scripted model. A request's <c>X-Test-User</c> header
/// makes it an authenticated user's.
/// </summary>
internal sealed class AgentTestServer : IAsyncDisposable
{
    public const string UserHeader = "X-Test-User";

    private AgentTestServer(WebApplication app)
    {
        App = app;
        Server = app.GetTestServer();
        Client = Server.CreateClient();
    }

    public WebApplication App { get; }

    public TestServer Server { get; }

    public HttpClient Client { get; }

    /// <summary>Answers with text, or calls <c>lookup</c> when offered it and no result is in the conversation yet.</summary>
    public static TranscriptBuilder DefaultScript(MessageRequest request) =>
        request.Tools?.Any(tool => tool.Name == "lookup") == true && !request.Messages[^1].Content.OfType<ToolResultBlock>().Any()
            ? new TranscriptBuilder().Text("Let me check.").ToolUse("lookup", """{"query":"ORD-1"}""").Stop(StopReason.ToolUse)
            : new TranscriptBuilder().Text("It ships on Friday. 😀 中文 é").Stop(StopReason.EndTurn);

    public static async Task<AgentTestServer> StartAsync(
        Func<MessageRequest, TranscriptBuilder>? script = null,
        IEnumerable<AgentTool>? tools = null,
        Action<InMemoryAgentRunStoreOptions>? store = null,
        Action<RouteGroupBuilder>? endpoints = null,
        ChunkedStreamOptions? timing = null,
        Action<StreamingAgentsBuilder>? agentsSetup = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddAuthorization();
        builder.Services.AddAuthentication(TestUserAuthentication.Name).AddScheme<AuthenticationSchemeOptions, TestUserAuthentication>(TestUserAuthentication.Name, null);
        builder.Services.AddSignalR();
        StreamingAgentsBuilder agents = builder.Services.AddStreamingAgents(o => o.ApiKey = "sk-test-key-0000");
        foreach (AgentTool tool in tools ?? [])
        {
            agents.AddTool(tool);
        }

        agents.AddDetachedRuns(store);
        agentsSetup?.Invoke(agents);
        agents.AddAgentEndpoints(o => o.MaxMessageLength = 100);
        agents.HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => new ScriptedModel(script ?? DefaultScript, Chunking.PerEvent, timing));

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWebSockets();
        RouteGroupBuilder group = app.MapAgentRuns("/api");
        endpoints?.Invoke(group);
        app.MapHub<AgentRunsHub>("/hubs/agent");
        await app.StartAsync();
        return new AgentTestServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Authenticates a request as the user its <c>X-Test-User</c> header names.</summary>
internal sealed class TestUserAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "Test";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Request.Headers[AgentTestServer.UserHeader].FirstOrDefault() is { Length: > 0 } user
            ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user)], Name)), Name))
            : AuthenticateResult.NoResult());
}
