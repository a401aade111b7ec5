using System.Diagnostics;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;

namespace StreamingAgents.Diagnostics;

/// <summary>
/// One model call's span (<c>chat {model}</c>) and measurements. Made only when someone listens; the client then hands
/// it each event, and ends it with the stream.
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
    private bool _ended;

    private ModelCallTelemetry(TimeProvider time, string requestModel, int? maxTokens)
    {
        _time = time;
        _requestModel = requestModel;
        _started = time.GetTimestamp();
        _activity = Telemetry.Source.StartActivity($"chat {requestModel}", ActivityKind.Client);
        if (_activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("gen_ai.operation.name", "chat");
            activity.SetTag("gen_ai.provider.name", Telemetry.Provider);
            activity.SetTag("gen_ai.request.model", requestModel);
            activity.SetTag("gen_ai.request.max_tokens", maxTokens);
        }
    }

    /// <summary>Starts a model call's telemetry, or returns null when nobody listens.</summary>
    public static ModelCallTelemetry? Start(TimeProvider time, string requestModel, int? maxTokens) =>
        Telemetry.IsModelCallObserved ? new ModelCallTelemetry(time, requestModel, maxTokens) : null;

    /// <summary>Notes a request sent again after a failure before any event.</summary>
    public void OnRetry(Exception failure)
    {
        Telemetry.Retries.Add(1, new KeyValuePair<string, object?>("gen_ai.request.model", _requestModel), new KeyValuePair<string, object?>("error.type", ErrorType(failure)));
        _activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["error.type"] = ErrorType(failure) }));
    }

    public void OnEvent(StreamEvent streamEvent)
    {
        if (!_sawFirstEvent)
        {
            _sawFirstEvent = true;
            Record(Telemetry.TimeToFirstChunk, Telemetry.Seconds(_time, _started, _time.GetTimestamp()));
        }

        switch (streamEvent)
        {
            case ContentBlockDeltaEvent delta when !_sawFirstToken && (delta.Text is not null || delta.Delta is ThinkingDelta):
                _sawFirstToken = true;
                Record(Telemetry.TimeToFirstToken, Telemetry.Seconds(_time, _started, _time.GetTimestamp()));
                break;
            case ContentBlockStartEvent { ContentBlock: ToolUseBlock } when !_sawFirstToolCall:
                _sawFirstToolCall = true;
                Record(Telemetry.TimeToFirstToolCall, Telemetry.Seconds(_time, _started, _time.GetTimestamp()));
                break;
            case MessageStartEvent start:
                _responseModel = start.Message.Model;
                _responseId = start.Message.Id;
                _inputTokens = start.Message.Usage.InputTokens;
                _outputTokens = start.Message.Usage.OutputTokens;
                _cacheReadTokens = start.Message.Usage.CacheReadInputTokens;
                _cacheCreationTokens = start.Message.Usage.CacheCreationInputTokens;
                break;
            case MessageDeltaEvent messageDelta:
                _stopReason = messageDelta.Delta.StopReason ?? _stopReason;
                if (messageDelta.Usage is { } usage)
                {
                    _inputTokens = usage.InputTokens ?? _inputTokens;
                    _outputTokens = usage.OutputTokens ?? _outputTokens;
                    _cacheReadTokens = usage.CacheReadInputTokens ?? _cacheReadTokens;
                    _cacheCreationTokens = usage.CacheCreationInputTokens ?? _cacheCreationTokens;
                }

                break;
        }
    }

    /// <summary>Ends the call: completed (<paramref name="failure"/> null), failed, or left early by its reader.</summary>
    public void End(Exception? failure)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        string? errorType = failure is null ? null : ErrorType(failure);
        if (failure is StreamTimeoutException)
        {
            Telemetry.LivenessTimeouts.Add(1, new KeyValuePair<string, object?>("gen_ai.request.model", _requestModel), new KeyValuePair<string, object?>("error.type", errorType));
        }

        TagList tags = Tags(errorType);
        if (Telemetry.OperationDuration.Enabled)
        {
            Telemetry.OperationDuration.Record(Telemetry.Seconds(_time, _started, _time.GetTimestamp()), tags);
        }

        if (Telemetry.TokenUsage.Enabled && _sawFirstEvent)
        {
            TagList input = tags;
            input.Add("gen_ai.token.type", "input");
            Telemetry.TokenUsage.Record(_inputTokens, input);
            TagList output = tags;
            output.Add("gen_ai.token.type", "output");
            Telemetry.TokenUsage.Record(_outputTokens, output);
        }

        if (_activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag("gen_ai.response.model", _responseModel);
                activity.SetTag("gen_ai.response.id", _responseId);
                if (_stopReason is { } stop)
                {
                    activity.SetTag("gen_ai.response.finish_reasons", new[] { stop.Value });
                }

                if (_sawFirstEvent)
                {
                    activity.SetTag("gen_ai.usage.input_tokens", _inputTokens);
                    activity.SetTag("gen_ai.usage.output_tokens", _outputTokens);
                    activity.SetTag("gen_ai.usage.cache_read.input_tokens", _cacheReadTokens);
                    activity.SetTag("gen_ai.usage.cache_creation.input_tokens", _cacheCreationTokens);
                }
            }

            if (errorType is not null)
            {
                activity.SetTag("error.type", errorType);
                activity.SetStatus(ActivityStatusCode.Error, failure!.Message);
            }

            activity.Stop();
        }
    }

    /// <summary>A low-cardinality name for a failure: the API's error type, the timeout's kind, or the exception's type.</summary>
    public static string ErrorType(Exception failure) => failure switch
    {
        AnthropicApiException { ErrorType: { Length: > 0 } type } => type,
        StreamIdleTimeoutException => "idle_timeout",
        StreamStallTimeoutException => "stall_timeout",
        _ => failure.GetType().FullName ?? failure.GetType().Name,
    };

    private TagList Tags(string? errorType)
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

        return tags;
    }

    private void Record(System.Diagnostics.Metrics.Histogram<double> histogram, double seconds)
    {
        if (histogram.Enabled)
        {
            histogram.Record(seconds, Tags(errorType: null));
        }
    }
}
