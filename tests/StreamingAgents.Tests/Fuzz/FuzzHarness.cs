using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Fuzz;

/// <summary>The fuzz tests share process-wide state (UnobservedTaskException, GC): they run alone, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzTestGroup
{
    public const string Name = "Fuzz";
}

/// <summary>How one stream went through a reading layer plus <see cref="MessageAccumulator"/>.</summary>
/// <param name="Exception">The first exception, if any.</param>
/// <param name="Phase">Where it came from: enumeration, Add, Message.</param>
/// <param name="PartialReadException">An exception from reading the partial <see cref="MessageAccumulator.Message"/> after the failure.</param>
/// <param name="Message">The message, when the stream was read to its end.</param>
internal sealed record ReadOutcome(Exception? Exception, string? Phase, Exception? PartialReadException, Message? Message)
{
    public bool IsBad => Exception is not null;
}

internal static class FuzzHarness
{
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    public static int Parallelism => Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>Enumerates <paramref name="source"/>, adds every event to an accumulator, and reads the message at the end.</summary>
    public static async Task<ReadOutcome> ReadAndAccumulateAsync(Func<IAsyncEnumerable<StreamEvent>> source)
    {
        var accumulator = new MessageAccumulator();
        IAsyncEnumerator<StreamEvent>? events = null;
        ReadOutcome outcome = await ReadAsync();
        if (events is not null)
        {
            try
            {
                await events.DisposeAsync();
            }
            catch (Exception exception) when (outcome.Exception is null)
            {
                outcome = new ReadOutcome(exception, "DisposeAsync", null, null);
            }
            catch (Exception)
            {
                // The first failure is the one reported.
            }
        }

        return outcome;

        async Task<ReadOutcome> ReadAsync()
        {
            try
            {
                events = source().GetAsyncEnumerator();
            }
            catch (Exception exception)
            {
                return Failed(exception, "the stream call");
            }

            while (true)
            {
                StreamEvent streamEvent;
                try
                {
                    if (!await events.MoveNextAsync())
                    {
                        break;
                    }

                    streamEvent = events.Current;
                }
                catch (Exception exception)
                {
                    return Failed(exception, "enumeration");
                }

                try
                {
                    accumulator.Add(streamEvent);
                }
                catch (Exception exception)
                {
                    return Failed(exception, $"MessageAccumulator.Add({streamEvent.GetType().Name})");
                }
            }

            try
            {
                return new ReadOutcome(null, null, null, accumulator.Message);
            }
            catch (Exception exception)
            {
                return new ReadOutcome(exception, "MessageAccumulator.Message", null, null);
            }
        }

        // The message so far is documented to be readable at any moment once message_start was added.
        ReadOutcome Failed(Exception exception, string phase)
        {
            Exception? partial = null;
            if (accumulator.HasStarted)
            {
                try
                {
                    _ = accumulator.Message;
                }
                catch (Exception readException)
                {
                    partial = readException;
                }
            }

            return new ReadOutcome(exception, phase, partial, null);
        }
    }

    /// <summary>Layer a: the bytes through <see cref="StreamEventReader.ReadAllAsync(Stream, CancellationToken)"/>.</summary>
    public static Task<ReadOutcome> ReadBytesAsync(byte[] sse) =>
        ReadAndAccumulateAsync(() => StreamEventReader.ReadAllAsync(new MemoryStream(sse, writable: false)));

    /// <summary>Layer b: the bytes served by a fake endpoint to <c>AnthropicClient.StreamAsync</c>, without retries.</summary>
    public static Task<ReadOutcome> ReadThroughClientAsync(byte[] sse)
    {
        var handler = new FakeAnthropicHandler().RespondWith(Transcript.FromBytes(sse));
        var client = ClientFactory.Create(handler, o => o.MaxRetries = 0);
        return ReadAndAccumulateAsync(() => client.StreamAsync(ClientFactory.Hello));
    }

    /// <summary>Records what an outcome shows that the contract does not allow.</summary>
    public static void Check(FuzzFindings findings, FuzzCase fuzzCase, ReadOutcome outcome)
    {
        if (outcome.Exception is { } exception && !FuzzFindings.IsDocumented(exception))
        {
            findings.Add(fuzzCase, outcome.Phase!, exception);
        }

        if (outcome.PartialReadException is { } partial)
        {
            findings.Add(fuzzCase, $"MessageAccumulator.Message (partial, after {outcome.Exception!.GetType().Name} from {outcome.Phase})", partial);
        }
    }

    /// <summary>Runs every case through <paramref name="body"/>, in parallel, with a per-case hang limit.</summary>
    public static async Task<TimeSpan> RunAllAsync(IReadOnlyList<FuzzCase> cases, FuzzFindings findings, Func<FuzzCase, Task> body)
    {
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (fuzzCase, _) =>
        {
            Task run = Task.Run(() => body(fuzzCase), CancellationToken.None);
            try
            {
                await run.WaitAsync(CaseTimeout, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                findings.Add(fuzzCase, "hang", $"did not finish within {CaseTimeout.TotalSeconds} s");
            }
        });
        return watch.Elapsed;
    }
}

[Description("Search orders.")]
public sealed record SearchOrdersInput
{
    public required string OrderId { get; init; }

    public IReadOnlyList<string>? Include { get; init; }

    public string? Note { get; init; }

    public int? Limit { get; init; }

    public bool? Exact { get; init; }
}

[Description("Shipping status.")]
public sealed record ShippingStatusInput
{
    public required string Tracking { get; init; }

    public string? Carrier { get; init; }

    public double? WeightKg { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SearchOrdersInput))]
[JsonSerializable(typeof(ShippingStatusInput))]
internal sealed partial class FuzzToolJsonContext : JsonSerializerContext;

/// <summary>
/// The tools of one runner case: <c>search_orders</c> is read-only (so it starts early, mid-stream) and
/// <c>get_shipping_status</c> is not; both take a moment and count how many runs started and finished.
/// </summary>
internal sealed class ToolProbe
{
    private int _started;
    private int _finished;

    public ToolProbe()
    {
        Tools =
        [
            AgentTool.Create("search_orders", "Searches orders.", FuzzToolJsonContext.Default.SearchOrdersInput,
                (input, context) => RunAsync($"found {input.OrderId}", context), "Searching", isReadOnly: true),
            AgentTool.Create("get_shipping_status", "Gets the shipping status.", FuzzToolJsonContext.Default.ShippingStatusInput,
                (input, context) => RunAsync($"{input.Tracking}: in transit", context), "Tracking", isReadOnly: false),
        ];
    }

    public IReadOnlyList<AgentTool> Tools { get; }

    public int Started => Volatile.Read(ref _started);

    public int Finished => Volatile.Read(ref _finished);

    private async ValueTask<ToolResult> RunAsync(string result, ToolContext context)
    {
        Interlocked.Increment(ref _started);
        try
        {
            await Task.Delay(3, context.CancellationToken);
            return ToolResult.Text(result);
        }
        finally
        {
            Interlocked.Increment(ref _finished);
        }
    }
}

/// <summary>Keeps the exceptions the runner logs when a run fails (event 2) and when a tool fails (event 3).</summary>
internal sealed class RunnerLog : ILogger<AgentRunner>
{
    private readonly ConcurrentQueue<Exception> _runFailures = new();

    public IReadOnlyCollection<Exception> RunFailures => _runFailures;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == 2 && exception is not null)
        {
            _runFailures.Enqueue(exception);
        }
    }
}

/// <summary>How one mutated stream went through the agent runner.</summary>
internal sealed record RunnerCaseResult(
    FuzzCase Case,
    ReadOutcome Oracle,
    IReadOnlyList<AgentEvent> Events,
    Exception? Thrown,
    bool Hung,
    int ToolsStarted,
    int ToolsFinished,
    IReadOnlyCollection<Exception> RunFailures)
{
    public RunCompleted? Completed => Events.Count > 0 ? Events[^1] as RunCompleted : null;
}

/// <summary>One pass of the runner corpus, shared by the runner tests; it watches for unobserved task exceptions throughout.</summary>
internal sealed class RunnerCorpusRun
{
    public static readonly string[] Fixtures = [SseMutationCorpus.ToolFixture, "max-tokens-tool-cut"];

    private static readonly Lazy<Task<RunnerCorpusRun>> s_shared = new(RunAsync);

    private RunnerCorpusRun(IReadOnlyList<RunnerCaseResult> results, IReadOnlyList<Exception> unobserved, TimeSpan elapsed)
    {
        Results = results;
        Unobserved = unobserved;
        Elapsed = elapsed;
    }

    public static Task<RunnerCorpusRun> Shared => s_shared.Value;

    public IReadOnlyList<RunnerCaseResult> Results { get; }

    public IReadOnlyList<Exception> Unobserved { get; }

    public TimeSpan Elapsed { get; }

    public static IReadOnlyList<FuzzCase> Cases => [.. Fixtures.SelectMany(SseMutationCorpus.ForFixture)];

    /// <summary>Runs one stream through a fresh runner: tool_use first, then plain end_turn answers for any later turn.</summary>
    public static async Task<RunnerCaseResult> RunCaseAsync(FuzzCase fuzzCase)
    {
        ReadOutcome oracle = await FuzzHarness.ReadBytesAsync(fuzzCase.Sse);
        var probe = new ToolProbe();
        var log = new RunnerLog();
        var handler = new FakeAnthropicHandler().RespondWith(Transcript.FromBytes(fuzzCase.Sse));
        for (int i = 0; i < 3; i++)
        {
            handler.RespondWith(new TranscriptBuilder().Text("All done.").Stop(StopReason.EndTurn));
        }

        var client = ClientFactory.Create(handler, o => o.MaxRetries = 0);
        var runner = new AgentRunner(
            client,
            new ToolRegistry(probe.Tools),
            new AgentRunnerOptions { MaxStreamRetries = 0, StreamRetryDelay = TimeSpan.FromMilliseconds(1) },
            logger: log);

        var events = new List<AgentEvent>();
        Exception? thrown = null;
        bool hung = false;
        Task collect = Task.Run(async () =>
        {
            await foreach (AgentEvent agentEvent in runner.RunAsync("Where is ORD-12345?"))
            {
                events.Add(agentEvent);
            }
        });
        try
        {
            await collect.WaitAsync(FuzzHarness.CaseTimeout);
        }
        catch (TimeoutException)
        {
            hung = true;
        }
        catch (Exception exception)
        {
            thrown = exception;
        }

        // Read the counters right after the enumeration ended: nothing may still be running.
        int started = probe.Started;
        int finished = probe.Finished;
        return new RunnerCaseResult(fuzzCase, oracle, hung ? [] : events, thrown, hung, started, finished, log.RunFailures);
    }

    private static async Task<RunnerCorpusRun> RunAsync()
    {
        var unobserved = new ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.InnerException?.Message != FuzzSanityTests.UnobservedProbeMessage)
            {
                unobserved.Enqueue(e.Exception);
            }
        }

        Collect();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var watch = Stopwatch.StartNew();
            IReadOnlyList<FuzzCase> cases = Cases;
            var results = new RunnerCaseResult[cases.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, cases.Count),
                new ParallelOptions { MaxDegreeOfParallelism = FuzzHarness.Parallelism },
                async (i, _) => results[i] = await RunCaseAsync(cases[i]));
            TimeSpan elapsed = watch.Elapsed;

            Collect();
            return new RunnerCorpusRun(results, [.. unobserved], elapsed);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        static void Collect()
        {
            for (int i = 0; i < 2; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
    }
}
