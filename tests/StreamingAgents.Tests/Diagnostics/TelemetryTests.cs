using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using StreamingAgents.Agents;
using StreamingAgents.Diagnostics;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Diagnostics;

/// <summary>
/// Spans and metrics of a run on the fake model and fake time, so every duration is exact: the model takes 120 ms to
/// answer each request (its handler advances the clock), the tool 250 ms. Listeners are process-wide, so each test
/// keeps only what carries its own model and tool names.
/// </summary>
[Collection(ProcessWideState.Name)] // its listeners see every run in the process: it runs alone
public sealed class TelemetryTests
{
    private static readonly TimeSpan ModelDelay = TimeSpan.FromMilliseconds(120);
    private static readonly TimeSpan ToolWork = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_run_is_one_invoke_agent_span_with_its_model_calls_and_tool_calls_nested_under_it()
    {
        using var scenario = new Scenario();
        using var outer = new ActivitySource("TelemetryTests.Host").StartActivity("handle request");
        Assert.NotNull(outer);

        List<AgentEvent> events = await scenario.RunAsync();

        Assert.Same(outer, Activity.Current); // none of the library's spans stayed current for the caller
        Assert.Equal(AgentRunOutcome.Completed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        Activity run = Assert.Single(scenario.Spans, static span => span.OperationName == "invoke_agent");
        Activity[] chats = [.. scenario.Spans.Where(span => span.OperationName == $"chat {scenario.Model}")];
        Activity tool = Assert.Single(scenario.Spans, span => span.OperationName == $"execute_tool {scenario.ToolName}");
        Assert.Equal(2, chats.Length);
        Assert.Equal(outer.SpanId, run.ParentSpanId); // under the caller's span
        Assert.All(chats, chat => Assert.Equal(run.SpanId, chat.ParentSpanId));
        Assert.Equal(run.SpanId, tool.ParentSpanId);
        Assert.Equal(chats.Select(static chat => chat.SpanId), scenario.HttpParents); // HttpClient's span nests under each call
        Assert.Equal(ActivityKind.Client, chats[0].Kind);

        Assert.Equal("invoke_agent", run.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("anthropic", run.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("completed", run.GetTagItem("streamingagents.run.outcome"));
        Assert.Equal(50, run.GetTagItem("gen_ai.usage.input_tokens"));

        Assert.Equal("chat", chats[0].GetTagItem("gen_ai.operation.name"));
        Assert.Equal(scenario.Model, chats[0].GetTagItem("gen_ai.request.model"));
        Assert.Equal(scenario.Model + "-20261203", chats[0].GetTagItem("gen_ai.response.model"));
        Assert.Equal("msg_telemetry", chats[0].GetTagItem("gen_ai.response.id"));
        Assert.Equal(new[] { "tool_use" }, chats[0].GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(new[] { "end_turn" }, chats[1].GetTagItem("gen_ai.response.finish_reasons"));
        Assert.Equal(25L, chats[0].GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(1024, chats[0].GetTagItem("gen_ai.request.max_tokens"));

        Assert.Equal("execute_tool", tool.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(scenario.ToolName, tool.GetTagItem("gen_ai.tool.name"));
        Assert.Equal("toolu_telemetry", tool.GetTagItem("gen_ai.tool.call.id"));
        Assert.Null(tool.GetTagItem("gen_ai.tool.call.arguments")); // content is user data: off by default
        Assert.Null(tool.GetTagItem("gen_ai.tool.call.result"));
        Assert.All(scenario.Spans, static span => Assert.Null(span.GetTagItem("error.type")));
        Assert.All(scenario.Spans, static span => Assert.DoesNotContain(
            Scenario.ApiKey,
            string.Join(" ", span.TagObjects.Select(static tag => $"{tag.Value}")) + span.StatusDescription + string.Join(" ", span.Events.Select(static e => e.Name)),
            StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_enumerated_directly_leaves_the_callers_current_activity_alone()
    {
        using var scenario = new Scenario();
        scenario.Script();
        using var outer = new ActivitySource("TelemetryTests.Host").StartActivity("handle request");
        AnthropicClient client = scenario.Client;

        await using (IAsyncEnumerator<StreamingAgents.Events.StreamEvent> stream = client.StreamAsync(scenario.Request).GetAsyncEnumerator())
        {
            Assert.True(await stream.MoveNextAsync());
            Assert.Same(outer, Activity.Current);
            while (await stream.MoveNextAsync())
            {
            }

            Assert.Same(outer, Activity.Current);
        }

        Assert.Same(outer, Activity.Current);
        Activity chat = Assert.Single(scenario.Spans, span => span.OperationName == $"chat {scenario.Model}");
        Assert.Equal(outer!.SpanId, chat.ParentSpanId);
        Assert.Null(chat.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Metrics_alone_are_recorded_without_any_trace_listener()
    {
        using var scenario = new Scenario(traces: false);
        await scenario.RunAsync();

        Assert.Empty(scenario.Spans);
        Assert.Equal([0.12, 0.12], scenario.Values("streamingagents.client.time_to_first_token"));
        Assert.Equal([1.0], scenario.Values("streamingagents.runs"));
    }

    [Fact]
    public async Task Tool_content_is_on_the_span_only_when_the_host_opts_in()
    {
        using var scenario = new Scenario(options => options.RecordContentInTelemetry = true);
        await scenario.RunAsync();

        Activity tool = Assert.Single(scenario.Spans, span => span.OperationName == $"execute_tool {scenario.ToolName}");
        Assert.Equal("""{"query":"ORD-1"}""", tool.GetTagItem("gen_ai.tool.call.arguments"));
        Assert.Equal("ORD-1 ships on Friday.", tool.GetTagItem("gen_ai.tool.call.result"));
    }

    [Fact]
    public async Task Metrics_measure_exactly_on_fake_time()
    {
        using var scenario = new Scenario();
        await scenario.RunAsync();

        Assert.Equal([0.12, 0.12], scenario.Values("gen_ai.client.operation.duration"));
        Assert.Equal([0.12, 0.12], scenario.Values("gen_ai.client.operation.time_to_first_chunk"));
        Assert.Equal([0.12, 0.12], scenario.Values("streamingagents.client.time_to_first_token"));
        Assert.Equal([0.12], scenario.Values("streamingagents.client.time_to_first_tool_call"));
        Assert.Equal([0.25], scenario.Values("gen_ai.execute_tool.duration"));
        Assert.Equal([0.0], scenario.Values("streamingagents.tool.start_delay")); // started when the message ended, no fake time later
        Assert.Equal([0.49], scenario.Values("gen_ai.invoke_agent.duration"));
        Assert.Equal([1.0], scenario.Values("streamingagents.runs"));
        Assert.Equal([25.0, 6.0, 25.0, 8.0], scenario.Values("gen_ai.client.token.usage"));

        Measurement run = Assert.Single(scenario.Measurements("streamingagents.runs"));
        Assert.Equal("completed", run.Tags["streamingagents.run.outcome"]);
        Assert.Equal(["input", "output", "input", "output"], scenario.Measurements("gen_ai.client.token.usage").Select(static m => m.Tags["gen_ai.token.type"]));
        Assert.All(scenario.Measurements("gen_ai.client.operation.duration"), m =>
        {
            Assert.Equal("chat", m.Tags["gen_ai.operation.name"]);
            Assert.Equal("anthropic", m.Tags["gen_ai.provider.name"]);
            Assert.Equal(scenario.Model + "-20261203", m.Tags["gen_ai.response.model"]);
        });
    }

    [Fact]
    public async Task A_failing_model_call_carries_its_error_type_to_its_span_the_run_and_the_metrics()
    {
        using var scenario = new Scenario(client: o => o.MaxRetries = 1);
        scenario.Handler
            .RespondWithError(HttpStatusCode.ServiceUnavailable, "overloaded_error", "Overloaded")
            .RespondWithError(HttpStatusCode.ServiceUnavailable, "overloaded_error", "Overloaded");

        List<AgentEvent> events = await scenario.RunAsync(scripted: false);

        Assert.Equal(AgentRunOutcome.Failed, Assert.IsType<RunCompleted>(events[^1]).Outcome);
        Activity chat = Assert.Single(scenario.Spans, span => span.OperationName == $"chat {scenario.Model}");
        Assert.Equal("overloaded_error", chat.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, chat.Status);
        Assert.Single(chat.Events, static e => e.Name == "retry");
        Activity run = Assert.Single(scenario.Spans, static span => span.OperationName == "invoke_agent");
        Assert.Equal("failed", run.GetTagItem("streamingagents.run.outcome"));
        Assert.NotNull(run.GetTagItem("error.type"));

        Assert.Equal([1.0], scenario.Values("streamingagents.client.retries"));
        Assert.Equal("overloaded_error", Assert.Single(scenario.Measurements("gen_ai.client.operation.duration")).Tags["error.type"]);
        Assert.Empty(scenario.Measurements("gen_ai.client.token.usage")); // no usage was reported
        Assert.Equal("failed", Assert.Single(scenario.Measurements("streamingagents.runs")).Tags["streamingagents.run.outcome"]);
    }

    [Fact]
    public async Task A_stream_that_goes_silent_is_counted_as_a_liveness_timeout_of_its_kind()
    {
        using var scenario = new Scenario(options => options.MaxStreamRetries = 0, client => client.IdleTimeout = TimeSpan.FromSeconds(1));
        scenario.Handler.RespondWith(
            new TranscriptBuilder { Model = scenario.Model }.Text("Let me check that for you.").Stop(StopReason.EndTurn),
            streamOptions: new StreamingAgents.Testing.Streams.ChunkedStreamOptions { EndAfterBytes = 300, Ending = StreamingAgents.Testing.Streams.StreamEnding.Stall, TimeProvider = scenario.Time });

        Task<List<AgentEvent>> run = scenario.RunAsync(scripted: false);
        while (!run.IsCompleted)
        {
            scenario.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5);
        }

        Assert.Equal(AgentRunOutcome.Failed, Assert.IsType<RunCompleted>((await run)[^1]).Outcome);
        Assert.Equal("idle_timeout", Assert.Single(scenario.Measurements("streamingagents.client.liveness_timeouts")).Tags["error.type"]);
        Assert.Equal("idle_timeout", Assert.Single(scenario.Spans, span => span.OperationName == $"chat {scenario.Model}").GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_run_left_by_its_consumer_ends_its_span_as_cancelled_and_its_tool_span_too()
    {
        var started = new TaskCompletionSource();
        using var scenario = new Scenario(tool: async (_, context) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return ToolResult.Text("never");
        });

        scenario.Script();
        await foreach (AgentEvent agentEvent in scenario.Runner.RunAsync(scenario.Request))
        {
            if (agentEvent is ToolExecutionStarted)
            {
                await started.Task;
                break;
            }
        }

        Assert.Equal("cancelled", Assert.Single(scenario.Spans, static span => span.OperationName == "invoke_agent").GetTagItem("streamingagents.run.outcome"));
        Assert.Equal("cancelled", Assert.Single(scenario.Spans, span => span.OperationName == $"execute_tool {scenario.ToolName}").GetTagItem("error.type"));
        Assert.Equal("cancelled", Assert.Single(scenario.Measurements("streamingagents.runs")).Tags["streamingagents.run.outcome"]);
    }

    [Fact]
    public void The_names_hosts_subscribe_to_are_constants()
    {
        Assert.Equal("StreamingAgents", StreamingAgentsTelemetry.ActivitySourceName);
        Assert.Equal("StreamingAgents", StreamingAgentsTelemetry.MeterName);
    }

    internal sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>One run with its own model and tool names, and listeners that keep only what carries them.</summary>
    internal sealed class Scenario : IDisposable
    {
        private readonly ActivityListener _spans;
        private readonly MeterListener _metrics;
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ConcurrentQueue<Measurement> _measured = new();

        public const string ApiKey = "sk-ant-telemetry-test-key";

        public Scenario(Action<AgentRunnerOptions>? options = null, Action<AnthropicClientOptions>? client = null, Func<LookupInput, ToolContext, ValueTask<ToolResult>>? tool = null, bool traces = true)
        {
            string unique = Guid.NewGuid().ToString("N")[..8];
            Model = $"claude-telemetry-{unique}";
            ToolName = $"lookup_{unique}";
            Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

            _spans = new ActivityListener
            {
                ShouldListenTo = static source => source.Name is StreamingAgentsTelemetry.ActivitySourceName or "TelemetryTests.Host",
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (Belongs(activity))
                    {
                        _stopped.Enqueue(activity);
                    }
                },
            };
            if (traces)
            {
                ActivitySource.AddActivityListener(_spans);
            }

            _metrics = new MeterListener
            {
                InstrumentPublished = static (instrument, listener) =>
                {
                    if (instrument.Meter.Name == StreamingAgentsTelemetry.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _metrics.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measure(instrument, value, tags));
            _metrics.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measure(instrument, value, tags));
            _metrics.Start();

            var clientOptions = new AnthropicClientOptions
            {
                ApiKey = ApiKey,
                BaseUrl = new Uri("https://api.test.invalid"),
                InitialRetryDelay = TimeSpan.Zero,
                MaxRetryDelay = TimeSpan.Zero,
                MaxRetries = 0,
            };
            client?.Invoke(clientOptions);
            var http = new HttpClient(new AdvancingHandler(Time, ModelDelay, HttpParents) { InnerHandler = Handler });
            var runnerOptions = new AgentRunnerOptions { StreamRetryDelay = TimeSpan.Zero };
            options?.Invoke(runnerOptions);
            AgentTool lookup = AgentTool.Create(ToolName, "Looks up an order.", TelemetryJsonContext.Default.LookupInput, tool ?? (async (_, _) =>
            {
                Time.Advance(ToolWork);
                await Task.Yield();
                return ToolResult.Text("ORD-1 ships on Friday.");
            })); // not read-only: it runs once the message has ended, so the model calls' durations are exact
            Client = new AnthropicClient(http, clientOptions, Time);
            Runner = new AgentRunner(Client, new ToolRegistry([lookup]), runnerOptions, Time);
        }

        public string Model { get; }

        public string ToolName { get; }

        public FakeTimeProvider Time { get; }

        public FakeAnthropicHandler Handler { get; } = new();

        public AnthropicClient Client { get; }

        public AgentRunner Runner { get; }

        public ConcurrentQueue<ActivitySpanId> HttpParents { get; } = new();

        public MessageRequest Request => new() { Model = Model, MaxTokens = 1024, Messages = [MessageParam.User("Where is ORD-1?")] };

        public IReadOnlyList<Activity> Spans => [.. _stopped];

        public async Task<List<AgentEvent>> RunAsync(bool scripted = true)
        {
            if (scripted)
            {
                Script();
            }

            var events = new List<AgentEvent>();
            await foreach (AgentEvent agentEvent in Runner.RunAsync(Request))
            {
                events.Add(agentEvent);
            }

            return events;
        }

        /// <summary>The model calls the tool, then answers.</summary>
        public void Script() => Handler
            .RespondWith(new TranscriptBuilder { Model = Model + "-20261203", MessageId = "msg_telemetry" }.Text("Let me check.").ToolUse(ToolName, """{"query":"ORD-1"}""", id: "toolu_telemetry").Stop(StopReason.ToolUse, outputTokens: 6))
            .RespondWith(new TranscriptBuilder { Model = Model + "-20261203", MessageId = "msg_telemetry_2" }.Text("It ships on Friday.").Stop(StopReason.EndTurn, outputTokens: 8));

        public IReadOnlyList<Measurement> Measurements(string instrument) => [.. _measured.Where(m => m.Instrument == instrument)];

        public double[] Values(string instrument) => [.. Measurements(instrument).Select(static m => Math.Round(m.Value, 6))];

        public void Dispose()
        {
            _spans.Dispose();
            _metrics.Dispose();
        }

        private bool Belongs(Activity activity) =>
            activity.Source.Name == "TelemetryTests.Host"
            || Equals(activity.GetTagItem("gen_ai.request.model"), Model)
            || Equals(activity.GetTagItem("gen_ai.tool.name"), ToolName);

        private void Measure(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            if (Equals(map.GetValueOrDefault("gen_ai.request.model"), Model) || Equals(map.GetValueOrDefault("gen_ai.tool.name"), ToolName))
            {
                _measured.Enqueue(new Measurement(instrument.Name, value, map));
            }
        }
    }

    /// <summary>A model that takes <c>delay</c> of fake time to answer, and notes which span is current when it is called.</summary>
    private sealed class AdvancingHandler(FakeTimeProvider time, TimeSpan delay, ConcurrentQueue<ActivitySpanId> parents) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            parents.Enqueue(Activity.Current?.SpanId ?? default);
            time.Advance(delay);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>Input of the telemetry tests' tool.</summary>
public sealed record LookupInput(string Query);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(LookupInput))]
internal sealed partial class TelemetryJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>The library's telemetry through the OpenTelemetry SDK, wired the way README tells a host to.</summary>
[Collection(ProcessWideState.Name)]
public sealed class OpenTelemetrySdkTests
{
    [Fact]
    public async Task AddSource_and_AddMeter_with_the_constants_export_the_run_its_calls_and_the_latencies()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var scenario = new TelemetryTests.Scenario();
        using (TracerProvider tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(StreamingAgentsTelemetry.ActivitySourceName)
            .AddInMemoryExporter(spans)
            .Build())
        using (MeterProvider meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(StreamingAgentsTelemetry.MeterName)
            .AddInMemoryExporter(metrics)
            .Build())
        {
            await scenario.RunAsync();
            tracing.ForceFlush();
            meters.ForceFlush();
        } // disposed: other tests' spans (the listener is process-wide) no longer arrive while the lists are read

        Activity run = Assert.Single(spans, span => span.OperationName == "invoke_agent" && Equals(span.GetTagItem("gen_ai.request.model"), scenario.Model));
        Assert.Equal(2, spans.Count(span => span.OperationName == $"chat {scenario.Model}" && span.ParentSpanId == run.SpanId));
        Assert.Single(spans, span => span.OperationName == $"execute_tool {scenario.ToolName}" && span.ParentSpanId == run.SpanId);

        string[] names = [.. metrics.Select(static metric => metric.Name).Distinct()];
        Assert.Superset(
            new HashSet<string>
            {
                "gen_ai.client.operation.duration", "gen_ai.client.token.usage", "gen_ai.client.operation.time_to_first_chunk",
                "streamingagents.client.time_to_first_token", "streamingagents.client.time_to_first_tool_call",
                "gen_ai.execute_tool.duration", "streamingagents.tool.start_delay", "gen_ai.invoke_agent.duration", "streamingagents.runs",
            },
            names.ToHashSet());
        Assert.Equal("s", metrics.First(static metric => metric.Name == "gen_ai.client.operation.duration").Unit);
    }
}
