using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrderAgent.Web;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tools;

namespace StreamingAgents.AspNetCore.Tests.Browser;

/// <summary>
/// The web demo on a loopback port, over a scripted model whose tool waits until the test lets it finish, and a
/// headless Chromium driven by Playwright.
/// </summary>
internal sealed class OrderPageHost : IAsyncDisposable
{
    public const string FirstWords = "Let me check your order. ";
    public const string FinalAnswer = "Your order 📦 shipped — 配送中です. Café, naïve, e\u0301, 👩‍👩‍👧 all intact. It arrives Saturday.";
    public const string StatusLabel = "🔍 Searching order database…";

    private readonly WebApplication _app;
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private OrderPageHost(WebApplication app, IPlaywright playwright, IBrowser browser, Uri address, TaskCompletionSource toolMayFinish, TaskCompletionSource toolCancelled, List<string> refunds)
    {
        Refunds = refunds;
        _app = app;
        _playwright = playwright;
        _browser = browser;
        Address = address;
        ToolMayFinish = toolMayFinish;
        ToolCancelled = toolCancelled;
    }

    public Uri Address { get; }

    /// <summary>Completes the tool's work: until then its chip spins.</summary>
    public TaskCompletionSource ToolMayFinish { get; }

    /// <summary>Gets the orders <c>refund_order</c> (which needs approval) was run for.</summary>
    public List<string> Refunds { get; }

    /// <summary>Completes when the tool noticed it was cancelled.</summary>
    public TaskCompletionSource ToolCancelled { get; }

    public static async Task<OrderPageHost> StartAsync(Action<WebApplication>? pipeline = null)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AgentTool lookup = AgentTool.Create("lookup_order", "Finds an order.", TestJsonContext.Default.LookupInput, async (_, context) =>
        {
            context.ReportStatus("Querying the order database…");
            try
            {
                await gate.Task.WaitAsync(context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }

            return ToolResult.Text("ORD-12345: shipped with UPS, arriving Saturday.");
        }, statusLabel: StatusLabel, isReadOnly: true);

        var refunds = new List<string>();
        AgentTool refund = AgentTool.Create("refund_order", "Refunds an order.", TestJsonContext.Default.LookupInput, (input, _) =>
        {
            lock (refunds)
            {
                refunds.Add(input.Query);
            }

            return ValueTask.FromResult(ToolResult.Text($"refunded {input.Query}"));
        }, statusLabel: "💸 Refunding…", requiresApproval: true);

        WebApplication app = OrderWebApp.Create(["--urls", "http://127.0.0.1:0"], options =>
        {
            options.Model = _ => new ScriptedModel(Script, Chunking.PerEvent, new ChunkedStreamOptions { DelayPerChunk = TimeSpan.FromMilliseconds(25) });
            options.Tools = [lookup, refund];
            options.WebRootPath = Path.Combine(RepositoryRoot(), "samples", "OrderAgent.Web", "wwwroot");
            options.ConfigurePipeline = pipeline;
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserTestEnvironment.ChromiumPath ?? throw new InvalidOperationException(BrowserTestEnvironment.MissingReason),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new OrderPageHost(app, playwright, browser, new Uri(address), gate, cancelled, refunds);
    }

    public async Task<IPage> OpenAsync(string transport, string question = "Where is my order #ORD-12345?")
    {
        IPage page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(Address, $"/?transport={transport}&q={Uri.EscapeDataString(question)}").ToString());
        return page;
    }

    public static async Task SaveScreenshotAsync(IPage page, string name)
    {
        string folder = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        ToolMayFinish.TrySetResult();
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Looks the order up (or, asked for a refund, refunds it); given a result, answers (with the refund's result).</summary>
    private static TranscriptBuilder Script(MessageRequest request)
    {
        bool refund = request.Messages[0].Content.OfType<TextBlock>().Any(static block => block.Text.Contains("refund", StringComparison.Ordinal));
        if (request.Messages[^1].Content.OfType<ToolResultBlock>().FirstOrDefault() is { } result)
        {
            return new TranscriptBuilder().Text(refund ? $"Refund: {((TextBlock)result.Content[0]).Text}" : FinalAnswer).Stop(StopReason.EndTurn);
        }

        return refund
            ? new TranscriptBuilder().ToolUse("refund_order", """{"query":"ORD-12345"}""").Stop(StopReason.ToolUse)
            : new TranscriptBuilder().Text(FirstWords).ToolUse("lookup_order", """{"query":"ORD-12345"}""", fragmentSize: 4).Stop(StopReason.ToolUse);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StreamingAgents.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No StreamingAgents.sln above the test assembly.");
    }
}
