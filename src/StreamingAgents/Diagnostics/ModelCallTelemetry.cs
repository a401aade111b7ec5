using System.Diagnostics;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;

namespace StreamingAgents.Diagnostics;

/// <summary>
/// One model call's span (<c>chat {model}</c>) and measurements. Made only when someone listens; the client then hands
/// it each event, and ends it with the stream. Telemetry never fails the call: a listener that throws is ignored.
/// </summary>
internal sealed class ModelCallTelemetry
{
    private readonly TimeProvider _time;
    private readonly string _requestModel;
    private readonly long _started;
    private readonly Activity? _activity;
    private string? _responseModel;
    private string? _responseId;
    private StopReason? _stopReason;
    private long _inputTokens;
    private long _outputTokens;
    private long? _cacheReadTokens;
    private long? _cacheCreationTokens;
    private bool _sawFirstEvent;
    private bool _sawFirstToken;
    private bool _sawFirstToolCall;
    private bool _sawFinalUsage;
    private bool _sawMessageStop;
    private bool _ended;

    private ModelCallTelemetry(TimeProvider time, string requestModel, int? maxTokens)
    {
        _time = time;
        _requestModel = requestModel;
        _started = time.GetTimestamp();

        // Started in the client's async start method, so it is current for the request (HttpClient's span nests under
        // it) and for nothing after.
        _activity = Telemetry.Source.StartActivity(ActivityKind.Client, tags: [
            new("gen_ai.operation.name", "chat"),
            new("gen_ai.provider.name", Telemetry.Provider),
            new("gen_ai.request.model", requestModel)], name: $"chat {requestModel}");
        _activity?.SetTag("gen_ai.request.max_tokens", maxTokens);
    }

    /// <summary>Starts a model call's telemetry, or returns null when nobody listens (or a listener failed).</summary>
    public static ModelCallTelemetry? Start(TimeProvider time, string requestModel, int? maxTokens)
    {
        try
        {
            return Telemetry.IsModelCallObserved ? new ModelCallTelemetry(time, requestModel, maxTokens) : null;
        }
        catch (Exception exception) when (Telemetry.IsListenerFailure(exception))
        {
            return null;
        }
    }

    /// <summary>Notes a request sent again after a failure before any event (a liveness timeout counts as one too).</summary>
    public void OnRetry(Exception failure)
    {
        Telemetry.Guard(() =>
        {
            string errorType = ErrorType(failure);
            CountTimeout(failure, errorType);
            Telemetry.Retries.Add(1, Tags(errorType, kind: "request"));
            _activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["error.type"] = errorType }));
        });
    }

    public void OnEvent(StreamEvent streamEvent)
    {
        try
        {
            Observe(streamEvent);
        }
        catch (Exception exception) when (Telemetry.IsListenerFailure(exception))
        {
        }
    }

    /// <summary>
    /// Ends the call: with <paramref name="failure"/>, failed; without, completed if its <c>message_stop</c> came, else
    /// left by its reader (<c>error.type</c> = <c>cancelled</c>).
    /// </summary>
    public void End(Exception? failure)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        Telemetry.Finish(_activity, () => Record(failure is not null ? ErrorType(failure) : _sawMessageStop ? null : "cancelled", failure));
    }

    /// <summary>The failure's stable kind, as in the run's <c>error.type</c>; the caller cancelling is <c>cancelled</c>.</summary>
    public static string ErrorType(Exception failure) =>
        failure is OperationCanceledException { InnerException: not TimeoutException } ? "cancelled" : AgentError.TypeOf(failure);

    private void Observe(StreamEvent streamEvent)
    {
        switch (streamEvent)
        {
            case ContentBlockDeltaEvent delta when !_sawFirstToken && (delta.Text is not null || delta.Delta is ThinkingDelta):
                _sawFirstToken = true;
                RecordLatency(Telemetry.TimeToFirstToken);
                break;
            case ContentBlockStartEvent { ContentBlock: ToolUseBlock } when !_sawFirstToolCall:
                _sawFirstToolCall = true;
                RecordLatency(Telemetry.TimeToFirstToolCall);
                break;
            case MessageStartEvent start:
                _responseModel = start.Message.Model;
                _responseId = start.Message.Id;
                ReadUsage(start.Message.Usage.InputTokens, start.Message.Usage.OutputTokens, start.Message.Usage.CacheReadInputTokens, start.Message.Usage.CacheCreationInputTokens);
                break;
            case MessageDeltaEvent messageDelta:
                _stopReason = messageDelta.Delta.StopReason ?? _stopReason;
                if (messageDelta.Usage is { } usage)
                {
                    _sawFinalUsage = true;
                    ReadUsage(usage.InputTokens, usage.OutputTokens, usage.CacheReadInputTokens, usage.CacheCreationInputTokens);
                }

                break;
            case MessageStopEvent:
                _sawMessageStop = true;
                break;
        }

        if (!_sawFirstEvent)
        {
            _sawFirstEvent = true; // after the switch: message_start has named the response model by now
            RecordLatency(Telemetry.TimeToFirstChunk);
        }
    }

    private void ReadUsage(int? input, int? output, int? cacheRead, int? cacheCreation)
    {
        _inputTokens = input ?? _inputTokens;
        _outputTokens = output ?? _outputTokens;
        _cacheReadTokens = cacheRead ?? _cacheReadTokens;
        _cacheCreationTokens = cacheCreation ?? _cacheCreationTokens;
    }

    /// <summary>Input tokens as the conventions count them: Anthropic's <c>input_tokens</c> leaves out the cached ones.</summary>
    private long AllInputTokens => _inputTokens + (_cacheReadTokens ?? 0) + (_cacheCreationTokens ?? 0);

    private void Record(string? errorType, Exception? failure)
    {
        if (failure is not null)
        {
            CountTimeout(failure, errorType!);
        }

        TagList tags = Tags(errorType);
        if (Telemetry.OperationDuration.Enabled)
        {
            Telemetry.OperationDuration.Record(Telemetry.Seconds(_time, _started, _time.GetTimestamp()), tags);
        }

        if (Telemetry.TokenUsage.Enabled && _sawFinalUsage)
        {
            TagList usage = Tags(errorType: null);
            usage.Add("gen_ai.token.type", "input");
            Telemetry.TokenUsage.Record(AllInputTokens, usage);
            usage = Tags(errorType: null);
            usage.Add("gen_ai.token.type", "output");
            Telemetry.TokenUsage.Record(_outputTokens, usage);
        }

        if (_activity is not { } activity)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("gen_ai.response.model", _responseModel);
            activity.SetTag("gen_ai.response.id", _responseId);
            if (_stopReason?.Value is { } stop)
            {
                activity.SetTag("gen_ai.response.finish_reasons", new[] { stop });
            }

            if (_sawFirstEvent)
            {
                activity.SetTag("gen_ai.usage.input_tokens", AllInputTokens);
                activity.SetTag("gen_ai.usage.output_tokens", _outputTokens);
                activity.SetTag("gen_ai.usage.cache_read.input_tokens", _cacheReadTokens);
                activity.SetTag("gen_ai.usage.cache_creation.input_tokens", _cacheCreationTokens);
            }
        }

        if (errorType is not null)
        {
            // No description: error.type says what happened, and a message might carry what a handler put in it.
            activity.SetTag("error.type", errorType);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    private void CountTimeout(Exception failure, string errorType)
    {
        if (failure is StreamTimeoutException)
        {
            Telemetry.LivenessTimeouts.Add(1, Tags(errorType));
        }
    }

    private TagList Tags(string? errorType, string? kind = null)
    {
        var tags = new TagList
        {
            { "gen_ai.operation.name", "chat" },
            { "gen_ai.provider.name", Telemetry.Provider },
            { "gen_ai.request.model", _requestModel },
        };
        if (_responseModel is not null)
        {
            tags.Add("gen_ai.response.model", _responseModel);
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        if (kind is not null)
        {
            tags.Add("streamingagents.retry.kind", kind);
        }

        return tags;
    }

    private void RecordLatency(System.Diagnostics.Metrics.Histogram<double> histogram)
    {
        if (histogram.Enabled)
        {
            histogram.Record(Telemetry.Seconds(_time, _started, _time.GetTimestamp()), Tags(errorType: null));
        }
    }
}
