using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Playwright;

namespace StreamingAgents.AspNetCore.Tests.Browser;

/// <summary>The order page in a real Chromium, over Server-Sent Events and over a WebSocket.</summary>
[Collection(BrowserTests.Name)]
public sealed class OrderPageTests
{
    private static readonly LocatorAssertionsToContainTextOptions s_wait = new() { Timeout = 30_000 };

    [BrowserTheory]
    [InlineData("sse")]
    [InlineData("websocket")]
    public async Task Ask_StreamsWordsThenTheToolChipThenTheAnswer(string transport)
    {
        await using OrderPageHost host = await OrderPageHost.StartAsync();
        IPage page = await host.OpenAsync(transport);

        // While the tool is held back: the first words and the chip with its label are there, the answer is not.
        ILocator chip = page.Locator(".tool-chip[data-tool-name='lookup_order']");
        await Assertions.Expect(chip.Locator(".label")).ToHaveTextAsync(OrderPageHost.StatusLabel, new() { Timeout = 30_000 });
        await Assertions.Expect(chip.Locator(".statuses")).ToContainTextAsync("Querying the order database…", s_wait);
        await Assertions.Expect(page.Locator("#answer")).ToContainTextAsync(OrderPageHost.FirstWords.Trim(), s_wait);
        Assert.Equal("running", await page.Locator("#state").TextContentAsync());
        Assert.False(await chip.EvaluateAsync<bool>("c => c.classList.contains('done')"));
        Assert.NotEqual("–", await page.Locator("#ttft").TextContentAsync());

        host.ToolMayFinish.SetResult();

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        await Assertions.Expect(chip).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("done"));
        Assert.Matches(@"^\d+ ms$|^\d+\.\d s$", await chip.Locator(".duration").TextContentAsync());
        Assert.Equal(OrderPageHost.FinalAnswer, await page.Locator("#answer .turn[data-turn='2']").TextContentAsync());
        await chip.ClickAsync();
        Assert.Contains("ORD-12345", await chip.Locator(".details").TextContentAsync(), StringComparison.Ordinal);
        await OrderPageHost.SaveScreenshotAsync(page, $"order-page-{transport}");
    }

    [BrowserTheory]
    [InlineData("sse")]
    [InlineData("websocket")]
    public async Task ConnectionDroppedMidRun_ThePageResumesWithoutDuplicatedOrMissingText(string transport)
    {
        int drops = 0;
        await using OrderPageHost host = await OrderPageHost.StartAsync(app => app.Use(async (context, next) =>
        {
            // The first connection that carries events is cut after a few of them.
            bool isEvents = context.Request.Path.StartsWithSegments("/api/ws") || context.Request.Path.Value!.EndsWith("/events", StringComparison.Ordinal);
            if (isEvents && Interlocked.Increment(ref drops) == 1)
            {
                ConnectionCutter.CutAfter(context, frames: 6);
            }

            await next(context);
        }));
        host.ToolMayFinish.SetResult();
        IPage page = await host.OpenAsync(transport);

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });

        Assert.True(Volatile.Read(ref drops) >= 2, "The page did not reconnect.");
        Assert.Equal(OrderPageHost.FirstWords + OrderPageHost.FinalAnswer, await page.Locator("#answer").TextContentAsync());
        Assert.Equal(1, await page.Locator(".tool-chip").CountAsync());
    }

    [BrowserTheory]
    [InlineData("sse")]
    [InlineData("websocket")]
    public async Task Stop_CancelsTheRunAndTheToolObservesIt(string transport)
    {
        await using OrderPageHost host = await OrderPageHost.StartAsync();
        IPage page = await host.OpenAsync(transport);
        await Assertions.Expect(page.Locator(".tool-chip .statuses")).ToContainTextAsync("Querying", s_wait);

        await page.Locator("#stop").ClickAsync();

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("cancelled", new() { Timeout = 30_000 });
        await host.ToolCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [BrowserTheory]
    [InlineData("sse")]
    [InlineData("websocket")]
    public async Task ToolNeedingApproval_ApproveButton_RunsIt(string transport)
    {
        await using OrderPageHost host = await OrderPageHost.StartAsync();
        IPage page = await host.OpenAsync(transport, "Please refund order ORD-12345");
        ILocator chip = page.Locator(".tool-chip[data-tool-name='refund_order']");

        await Assertions.Expect(chip.Locator(".approval")).ToContainTextAsync("Needs your approval", s_wait);
        Assert.Empty(host.Refunds); // it waits for the person
        await OrderPageHost.SaveScreenshotAsync(page, $"approval-{transport}");
        await chip.Locator("button.approve").ClickAsync();

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        Assert.Equal("Refund: refunded ORD-12345", await page.Locator("#answer").TextContentAsync());
        Assert.Equal(["ORD-12345"], host.Refunds);
        Assert.Equal(0, await chip.Locator(".approval").CountAsync());
        Assert.False(await chip.EvaluateAsync<bool>("c => c.classList.contains('error')"));
    }

    [BrowserFact]
    public async Task ToolNeedingApproval_DenyButton_TheModelIsToldAndTheRunCompletes()
    {
        await using OrderPageHost host = await OrderPageHost.StartAsync();
        IPage page = await host.OpenAsync("sse", "Please refund order ORD-12345");
        ILocator chip = page.Locator(".tool-chip[data-tool-name='refund_order']");

        await chip.Locator("button.deny").ClickAsync(new() { Timeout = 30_000 });

        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        Assert.Equal("Refund: The user declined this 'refund_order' call, so it was not run.", await page.Locator("#answer").TextContentAsync());
        Assert.Empty(host.Refunds);
        Assert.True(await chip.EvaluateAsync<bool>("c => c.classList.contains('error')"));
    }

    [BrowserFact]
    public async Task RunningTool_ItsStopButton_CancelsOnlyThatTool()
    {
        await using OrderPageHost host = await OrderPageHost.StartAsync();
        IPage page = await host.OpenAsync("sse");
        ILocator chip = page.Locator(".tool-chip[data-tool-name='lookup_order']");
        await Assertions.Expect(chip.Locator(".statuses")).ToContainTextAsync("Querying", s_wait);

        await chip.Locator("button.cancel-tool").ClickAsync();

        await host.ToolCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("completed", new() { Timeout = 30_000 }); // the run went on
        Assert.True(await chip.EvaluateAsync<bool>("c => c.classList.contains('error')"));
        Assert.Equal(OrderPageHost.FirstWords + OrderPageHost.FinalAnswer, await page.Locator("#answer").TextContentAsync());
    }

    /// <summary>Cuts a connection from the server side after some frames: SSE writes, or WebSocket messages.</summary>
    private static class ConnectionCutter
    {
        public static void CutAfter(HttpContext context, int frames)
        {
            if (context.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } webSockets)
            {
                context.Features.Set<IHttpWebSocketFeature>(new CuttingWebSocketFeature(webSockets, frames));
            }
            else
            {
                context.Response.Body = new CuttingStream(context.Response.Body, context, frames);
            }
        }

        private sealed class CuttingStream(Stream inner, HttpContext context, int frames) : Stream
        {
            private int _writes;

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (++_writes > frames)
                {
                    context.Abort();
                    throw new IOException("Cut by the test.");
                }

                await inner.WriteAsync(buffer, cancellationToken);
            }

            public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

            public override void Flush() => inner.Flush();

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }

        private sealed class CuttingWebSocketFeature(IHttpWebSocketFeature inner, int frames) : IHttpWebSocketFeature
        {
            public bool IsWebSocketRequest => inner.IsWebSocketRequest;

            public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context) => new CuttingWebSocket(await inner.AcceptAsync(context), frames);
        }

        private sealed class CuttingWebSocket(WebSocket inner, int frames) : WebSocket
        {
            private int _sends;

            public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

            public override string? CloseStatusDescription => inner.CloseStatusDescription;

            public override WebSocketState State => inner.State;

            public override string? SubProtocol => inner.SubProtocol;

            public override void Abort() => inner.Abort();

            public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

            public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

            public override void Dispose() => inner.Dispose();

            public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) => inner.ReceiveAsync(buffer, cancellationToken);

            public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
            {
                if (Interlocked.Increment(ref _sends) > frames)
                {
                    inner.Abort();
                    throw new WebSocketException("Cut by the test.");
                }

                await inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
            }
        }
    }
}

/// <summary>Browser tests run one at a time: each starts a server and a Chromium.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserTests
{
    public const string Name = "Browser";
}
