using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using StreamingAgents.Tools;

namespace StreamingAgents.AspNetCore.Tests;

/// <summary>
/// Structure-aware fuzzing of the new inputs from outside: a deny's JSON body over HTTP, and the tool call answers
/// over the WebSocket, cut at every byte and with every node replaced (null, wrong type, empty, huge, removed). Only
/// documented answers may come back (202, or a 400/404/409 problem; over the socket, <c>answer_accepted</c> or an
/// error with one of those statuses), and the server keeps serving.
/// </summary>
public sealed class ToolCallAnswerFuzzTests
{
    private const string Valid = """{"reason":"needs a receipt"}""";

    private static AgentTool Refund() => AgentTool.Create("lookup", "Refunds.", TestJsonContext.Default.LookupInput,
        (_, _) => ValueTask.FromResult(ToolResult.Text("refunded")), requiresApproval: true);

    /// <summary>The body cut at every byte, then each value and the whole body replaced.</summary>
    public static IEnumerable<string> DenyBodies()
    {
        for (int cut = 0; cut < Valid.Length; cut++)
        {
            yield return Valid[..cut];
        }

        string huge = new('x', 1 << 20);
        foreach (string value in new[] { "null", "1", "-0.5e308", "true", "[]", "{}", "[\"a\"]", "\"\"", "\"   \"", $"\"{new string('x', 101)}\"", $"\"{huge}\"", "\"\\ud800\"", "\"é😀\"" })
        {
            yield return $$"""{"reason":{{value}}}""";
        }

        foreach (string body in new[] { "{}", "[]", "null", "\"reason\"", "1", """{"reason":"a","reason":"b"}""", """{"reason":"a","extra":{"deep":[1,2,3]}}""", """{"REASON":"a"}""", "\uFEFF" + Valid, Valid + " ", Valid + "{}" })
        {
            yield return body;
        }
    }

    [Fact]
    public async Task DenyBody_EveryMutation_GetsADocumentedAnswer()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(tools: [Refund()]);
        string eventsUrl = await AgentEndpointTests.StartRunAsync(server, "Refund ORD-1");
        string deny = eventsUrl.Replace("/events", "/tool-calls/toolu_unknown/deny", StringComparison.Ordinal);
        var statuses = new HashSet<HttpStatusCode>();

        foreach (string body in DenyBodies())
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            HttpResponseMessage response = await server.Client.PostAsync(deny, content);

            statuses.Add(response.StatusCode);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"{(int)response.StatusCode} for body {Shorten(body)}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.Conflict], statuses.Order());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.PostAsync("/api/runs/run_nope/tool-calls/x/deny", null)).StatusCode); // still serving
    }

    [Fact]
    public async Task WebSocketAnswers_EveryMutation_GetsADocumentedAnswerAndTheSocketStaysOpen()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(tools: [Refund()]);
        using WebSocket socket = await server.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/api/ws"), CancellationToken.None);
        string valid = """{"type":"deny","run_id":"run_x","tool_call_id":"toolu_1","reason":"no"}""";
        var messages = new List<string>();
        for (int cut = 1; cut < valid.Length; cut++)
        {
            messages.Add(valid[..cut]);
        }

        foreach (string field in new[] { "type", "run_id", "tool_call_id", "reason" })
        {
            foreach (string value in new[] { "null", "1", "true", "[]", "{}", "\"\"", $"\"{new string('x', 5000)}\"" })
            {
                messages.Add(ReplaceField(valid, field, value));
            }

            messages.Add(ReplaceField(valid, field, null));
        }

        foreach (string message in messages)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            JsonElement reply = await ReceiveAsync(socket);

            string type = reply.GetProperty("type").GetString()!;
            Assert.True(type == "error" && reply.GetProperty("status").GetInt32() is 400 or 404 or 409, $"{reply} for {Shorten(message)}");
        }

        Assert.Equal(WebSocketState.Open, socket.State);
    }

    /// <summary>The message with <paramref name="field"/>'s value replaced, or the field removed when <paramref name="value"/> is null.</summary>
    private static string ReplaceField(string json, string field, string? value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove(field);
        string rest = node.ToJsonString();
        return value is null ? rest : $$"""{"{{field}}":{{value}},{{rest[1..]}}""";
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + $"… ({text.Length} chars)";

    private static async Task<JsonElement> ReceiveAsync(WebSocket socket)
    {
        using var message = new MemoryStream();
        byte[] buffer = new byte[4096];
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, guard.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
    }
}
