using System.Text;
using System.Text.Json;
using StreamingAgents.Events;
using StreamingAgents.Messages;

namespace StreamingAgents.Testing.Transcripts;

/// <summary>
/// Writes valid Messages API SSE for a scripted model turn:
/// <c>new TranscriptBuilder().Text("Let me check.").ToolUse("search_orders", "{\"order_id\":\"ORD-1\"}").Stop(StopReason.ToolUse).Build()</c>.
/// </summary>
/// <remarks>
/// Every content call adds a whole block (start, deltas, stop) at the next index; <c>message_start</c> is written
/// automatically before the first block unless <see cref="MessageStart"/> was called. Events are serialized with
/// <see cref="AnthropicJsonContext"/>, so they have exactly the wire shape the library reads.
/// </remarks>
public sealed class TranscriptBuilder
{
    private readonly StringBuilder _sse = new();
    private string _lineEnding = "\n";
    private bool _started;
    private int _nextIndex;
    private int _outputTokens;
    private int _toolUseCount;

    /// <summary>Gets or sets the default message ID.</summary>
    public string MessageId { get; set; } = "msg_fake_01";

    /// <summary>Gets or sets the default model name.</summary>
    public string Model { get; set; } = "claude-sonnet-5-5";

    /// <summary>Ends SSE lines with LF (the default), CRLF or CR.</summary>
    /// <param name="lineEnding">"\n", "\r\n" or "\r".</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder WithLineEnding(string lineEnding)
    {
        if (lineEnding is not ("\n" or "\r\n" or "\r"))
        {
            throw new ArgumentException("An SSE line ends with \"\\n\", \"\\r\\n\" or \"\\r\".", nameof(lineEnding));
        }

        _lineEnding = lineEnding;
        return this;
    }

    /// <summary>Writes <c>message_start</c>.</summary>
    /// <param name="inputTokens">The input token usage to report.</param>
    /// <param name="id">The message ID; <see langword="null"/> uses <see cref="MessageId"/>.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder MessageStart(int inputTokens = 25, string? id = null)
    {
        if (_started)
        {
            throw new InvalidOperationException("message_start was already written.");
        }

        _started = true;
        return Event(new MessageStartEvent
        {
            Message = new Message { Id = id ?? MessageId, Model = Model, Usage = new Usage { InputTokens = inputTokens, OutputTokens = 1 } },
        });
    }

    /// <summary>Writes a text block, split into word-sized tokens the way a model streams them.</summary>
    /// <param name="text">The text.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder Text(string text) => TextTokens([.. SplitIntoTokens(text)]);

    /// <summary>Writes a text block with one <c>text_delta</c> per token, as given.</summary>
    /// <param name="tokens">The tokens.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder TextTokens(params string[] tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Block(new TextBlock(), tokens.Select(static token => (ContentBlockDelta)new TextDelta { Text = token }));
    }

    /// <summary>Writes a thinking block (split into tokens) followed by its signature.</summary>
    /// <param name="thinking">The thinking text.</param>
    /// <param name="signature">The signature.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder Thinking(string thinking, string signature = "EqQBCgIYAhIMfakeSignature")
    {
        IEnumerable<ContentBlockDelta> deltas = SplitIntoTokens(thinking)
            .Select(static token => (ContentBlockDelta)new ThinkingDelta { Thinking = token })
            .Append(new SignatureDelta { Signature = signature });
        return Block(new ThinkingBlock(), deltas);
    }

    /// <summary>Writes a redacted thinking block.</summary>
    /// <param name="data">The encrypted thinking.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder RedactedThinking(string data) => Block(new RedactedThinkingBlock { Data = data }, []);

    /// <summary>Writes a tool call whose input JSON streams in fragments of <paramref name="fragmentSize"/> characters.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="inputJson">The input JSON; "" or "{}" is an empty input (no fragments).</param>
    /// <param name="id">The tool call ID; <see langword="null"/> makes one up.</param>
    /// <param name="fragmentSize">The fragment size in characters; fragments split strings, escapes and numbers alike.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder ToolUse(string name, string inputJson, string? id = null, int fragmentSize = 16)
    {
        ArgumentNullException.ThrowIfNull(inputJson);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fragmentSize);
        string[] fragments = inputJson is "" or "{}" ? [] : [.. inputJson.Chunk(fragmentSize).Select(static chunk => new string(chunk))];
        return ToolUseFragments(name, id, fragments);
    }

    /// <summary>Writes a tool call whose input JSON streams as exactly these fragments.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="id">The tool call ID; <see langword="null"/> makes one up.</param>
    /// <param name="fragments">The <c>partial_json</c> fragments.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder ToolUseFragments(string name, string? id, params string[] fragments)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(fragments);
        string callId = id ?? $"toolu_fake_{++_toolUseCount:D2}";
        return Block(
            new ToolUseBlock { Id = callId, Name = name },
            fragments.Select(static fragment => (ContentBlockDelta)new InputJsonDelta { PartialJson = fragment }));
    }

    /// <summary>Writes a <c>ping</c>.</summary>
    /// <returns>This builder.</returns>
    public TranscriptBuilder Ping() => Event(new PingEvent());

    /// <summary>Writes an <c>error</c> event, as the API does when it fails mid-stream (for example <c>overloaded_error</c>).</summary>
    /// <param name="errorType">The error type.</param>
    /// <param name="message">The error message.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder Error(string errorType = "overloaded_error", string message = "Overloaded") =>
        Event(new ErrorEvent { Error = new ApiError { Type = errorType, Message = message } });

    /// <summary>Ends the message: <c>message_delta</c> with the stop reason and usage, then <c>message_stop</c>.</summary>
    /// <param name="stopReason">Why the model stopped.</param>
    /// <param name="outputTokens">The output tokens to report; <see langword="null"/> counts the deltas written.</param>
    /// <param name="stopSequence">The stop sequence, for <see cref="StopReason.StopSequence"/>.</param>
    /// <param name="stopDetails">The details of a <see cref="StopReason.Refusal"/>.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder Stop(StopReason stopReason, int? outputTokens = null, string? stopSequence = null, StopDetails? stopDetails = null)
    {
        EnsureStarted();
        Event(new MessageDeltaEvent
        {
            Delta = new MessageDelta { StopReason = stopReason, StopSequence = stopSequence, StopDetails = stopDetails },
            Usage = new MessageDeltaUsage { OutputTokens = outputTokens ?? Math.Max(1, _outputTokens) },
        });
        return Event(new MessageStopEvent());
    }

    /// <summary>Writes any event.</summary>
    /// <param name="streamEvent">The event.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder Event(StreamEvent streamEvent)
    {
        ArgumentNullException.ThrowIfNull(streamEvent);
        string data = JsonSerializer.Serialize(streamEvent, AnthropicJsonContext.Default.StreamEvent);
        _sse.Append("event: ").Append(streamEvent.Type).Append(_lineEnding)
            .Append("data: ").Append(data).Append(_lineEnding)
            .Append(_lineEnding);
        return this;
    }

    /// <summary>Writes raw SSE text as it is.</summary>
    /// <param name="sse">The text.</param>
    /// <returns>This builder.</returns>
    public TranscriptBuilder Raw(string sse)
    {
        _sse.Append(sse);
        return this;
    }

    /// <summary>Gets the transcript written so far.</summary>
    /// <returns>The transcript.</returns>
    public Transcript Build() => Transcript.FromSse(_sse.ToString());

    /// <summary>Splits text into model-like tokens: words with their leading space, punctuation on its own.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The tokens; concatenated they give the text back.</returns>
    public static IEnumerable<string> SplitIntoTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = 0;
        for (int i = 1; i <= text.Length; i++)
        {
            bool boundary = i == text.Length
                || (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1]))
                || char.IsPunctuation(text[i]) || char.IsPunctuation(text[i - 1]);
            if (boundary && !char.IsLowSurrogate(i < text.Length ? text[i] : 'x'))
            {
                yield return text[start..i];
                start = i;
            }
        }
    }

    private TranscriptBuilder Block(ContentBlock start, IEnumerable<ContentBlockDelta> deltas)
    {
        EnsureStarted();
        int index = _nextIndex++;
        Event(new ContentBlockStartEvent { Index = index, ContentBlock = start });
        foreach (ContentBlockDelta delta in deltas)
        {
            _outputTokens++;
            Event(new ContentBlockDeltaEvent { Index = index, Delta = delta });
        }

        return Event(new ContentBlockStopEvent { Index = index });
    }

    private void EnsureStarted()
    {
        if (!_started)
        {
            MessageStart();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => _sse.ToString();
}
