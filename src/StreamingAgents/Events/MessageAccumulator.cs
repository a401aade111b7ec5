using System.Buffers;
using System.Text.Json;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>
/// Builds the <see cref="Message"/> a stream describes, event by event: the same message the non-streaming API
/// would have returned, available (partially) at any moment.
/// </summary>
/// <remarks>
/// <para>Memory grows with the message, not with the number of events: text is appended to per-block builders and
/// tool input JSON to a <see cref="Json.PartialJsonAccumulator"/> until its block stops.</para>
/// <para>Events the protocol does not allow throw <see cref="StreamProtocolException"/> naming the event and index.
/// Forward compatibility: unknown events and unknown delta types are skipped, and unknown block types are kept as
/// <see cref="UnknownContentBlock"/>. Not thread-safe.</para>
/// <para>Dispose it to return the pooled buffers of tool inputs still streaming when the stream ended early; the
/// message so far stays readable after that.</para>
/// </remarks>
public sealed partial class MessageAccumulator : IDisposable
{
    private readonly List<BlockBuilder> _blocks = [];
    private readonly ArrayPool<byte> _pool;
    private Message? _start;
    private StopReason? _stopReason;
    private string? _stopSequence;
    private StopDetails? _stopDetails;
    private Usage _usage = new();
    private Dictionary<string, JsonElement>? _additionalProperties;
    private Message? _snapshot;
    private bool _disposed;

    /// <summary>Initializes a new, empty accumulator.</summary>
    public MessageAccumulator()
        : this(ArrayPool<byte>.Shared)
    {
    }

    /// <summary>Initializes an accumulator whose tool inputs rent buffers from <paramref name="pool"/> (tests count them).</summary>
    internal MessageAccumulator(ArrayPool<byte> pool) => _pool = pool;

    /// <summary>Gets whether <c>message_start</c> has been added.</summary>
    public bool HasStarted => _start is not null;

    /// <summary>Gets whether <c>message_stop</c> has been added: the message is final.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Gets the number of content blocks started so far.</summary>
    public int BlockCount => _blocks.Count;

    /// <summary>
    /// Gets the message so far: complete once <see cref="IsComplete"/> is true. Each read after a new event builds a
    /// new snapshot (text so far, tool input parsed as far as it arrived), so read it when needed rather than after
    /// every event.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <c>message_start</c> has been added.</exception>
    public Message Message => _snapshot ??= Build();

    /// <summary>Gets one content block as it is so far, without building the whole message.</summary>
    /// <param name="index">The block's index.</param>
    /// <returns>The block: final once its <c>content_block_stop</c> was added.</returns>
    /// <exception cref="ArgumentOutOfRangeException">No block with that index has started.</exception>
    public ContentBlock GetContentBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _blocks.Count);
        return _blocks[index].Build();
    }

    /// <summary>
    /// Freezes blocks that never stopped (the stream ended early) as they are and returns their pooled buffers.
    /// <see cref="Message"/> and <see cref="GetContentBlock"/> keep working; adding events after this throws.
    /// </summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            foreach (BlockBuilder block in _blocks)
            {
                block.Freeze();
            }
        }
    }

    /// <summary>Applies the next event of the stream.</summary>
    /// <param name="streamEvent">The event.</param>
    /// <exception cref="StreamProtocolException">The event is not allowed at this point of the stream.</exception>
    /// <exception cref="AnthropicApiException">The event is an <c>error</c> event.</exception>
    /// <exception cref="ObjectDisposedException">The accumulator was disposed.</exception>
    public void Add(StreamEvent streamEvent)
    {
        ArgumentNullException.ThrowIfNull(streamEvent);
        ObjectDisposedException.ThrowIf(_disposed, this);
        switch (streamEvent)
        {
            case PingEvent or UnknownStreamEvent:
                return; // keep-alives and event types added after this library: nothing to build
            case ErrorEvent error:
                throw AnthropicApiException.FromErrorEvent(error, error.RequestId);
            case MessageStartEvent start:
                if (_start is not null)
                {
                    throw Violation(start.Type, null, "A second 'message_start' arrived; a stream holds one message.");
                }

                Start(start.Message);
                break;
            default:
                ApplyToStartedMessage(streamEvent);
                break;
        }

        _snapshot = null;
    }

    /// <summary>Applies a text delta given as its block index and text, as <see cref="Add"/> would its event.</summary>
    internal void AddText(int index, string text)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureOpen(ContentBlockDeltaEvent.WireType);
        AppendText(index, text);
        _snapshot = null;
    }

    private void ApplyToStartedMessage(StreamEvent streamEvent)
    {
        EnsureOpen(streamEvent.Type);
        switch (streamEvent)
        {
            case ContentBlockStartEvent blockStart:
                StartBlock(blockStart);
                break;
            case ContentBlockDeltaEvent delta:
                if (delta.Text is { } text)
                {
                    AppendText(delta.Index, text); // the common case, without the delta object
                }
                else
                {
                    OpenBlock(delta.Type, delta.Index).Apply(delta.Delta);
                }

                break;
            case ContentBlockStopEvent blockStop:
                OpenBlock(blockStop.Type, blockStop.Index).Stop();
                break;
            case MessageDeltaEvent messageDelta:
                ApplyMessageDelta(messageDelta);
                break;
            case MessageStopEvent:
                IsComplete = true;
                foreach (BlockBuilder block in _blocks)
                {
                    block.Stop(); // a block cut off without content_block_stop is final now too
                }

                break;
        }
    }

    private void EnsureOpen(string eventType)
    {
        if (_start is null)
        {
            throw Violation(eventType, null, $"'{eventType}' arrived before 'message_start'.");
        }

        if (IsComplete)
        {
            throw Violation(eventType, null, $"'{eventType}' arrived after 'message_stop'.");
        }
    }

    private void AppendText(int index, string text)
    {
        BlockBuilder target = OpenBlock(ContentBlockDeltaEvent.WireType, index);
        if (target is TextBuilder textBlock)
        {
            textBlock.Append(text);
        }
        else
        {
            target.Apply(new TextDelta { Text = text }); // throws: text cannot apply to this kind of block
        }
    }

    private void Start(Message message)
    {
        _start = message;
        _stopReason = message.StopReason;
        _stopSequence = message.StopSequence;
        _stopDetails = message.StopDetails;
        _usage = message.Usage;
        _additionalProperties = message.AdditionalProperties is null ? null : new(message.AdditionalProperties);
        foreach (ContentBlock block in message.Content)
        {
            _blocks.Add(BlockBuilder.Create(block, _blocks.Count, stopped: true, _pool));
        }
    }

    private void StartBlock(ContentBlockStartEvent blockStart)
    {
        if (blockStart.Index != _blocks.Count)
        {
            string problem = blockStart.Index < _blocks.Count
                ? $"block {blockStart.Index} had already started"
                : $"the next block index is {_blocks.Count}";
            throw Violation(blockStart.Type, blockStart.Index, $"'content_block_start' for index {blockStart.Index} is out of order: {problem}.");
        }

        _blocks.Add(BlockBuilder.Create(blockStart.ContentBlock, blockStart.Index, stopped: false, _pool));
    }

    private BlockBuilder OpenBlock(string eventType, int index)
    {
        if ((uint)index >= (uint)_blocks.Count)
        {
            throw Violation(eventType, index, $"'{eventType}' for index {index}, but no block with that index started.");
        }

        BlockBuilder block = _blocks[index];
        if (block.IsStopped)
        {
            throw Violation(eventType, index, $"'{eventType}' for index {index}, which had already stopped.");
        }

        return block;
    }

    private void ApplyMessageDelta(MessageDeltaEvent messageDelta)
    {
        _stopReason = messageDelta.Delta.StopReason ?? _stopReason;
        _stopSequence = messageDelta.Delta.StopSequence ?? _stopSequence;
        _stopDetails = messageDelta.Delta.StopDetails ?? _stopDetails;
        _additionalProperties = Merge(_additionalProperties, messageDelta.Delta.AdditionalProperties);

        // Usage in message_delta is cumulative: each field it carries replaces the earlier value.
        if (messageDelta.Usage is { } usage)
        {
            _usage = _usage with
            {
                InputTokens = usage.InputTokens ?? _usage.InputTokens,
                OutputTokens = usage.OutputTokens ?? _usage.OutputTokens,
                CacheCreationInputTokens = usage.CacheCreationInputTokens ?? _usage.CacheCreationInputTokens,
                CacheReadInputTokens = usage.CacheReadInputTokens ?? _usage.CacheReadInputTokens,
                ServerToolUse = usage.ServerToolUse ?? _usage.ServerToolUse,
                AdditionalProperties = Merge(_usage.AdditionalProperties, usage.AdditionalProperties),
            };
        }
    }

    private Message Build()
    {
        Message start = _start ?? throw new InvalidOperationException("No message yet: 'message_start' has not been added.");
        var content = new ContentBlock[_blocks.Count];
        for (int i = 0; i < content.Length; i++)
        {
            content[i] = _blocks[i].Build();
        }

        return start with
        {
            Content = content,
            StopReason = _stopReason,
            StopSequence = _stopSequence,
            StopDetails = _stopDetails,
            Usage = _usage,
            AdditionalProperties = _additionalProperties is null ? null : new(_additionalProperties),
        };
    }

    private static Dictionary<string, JsonElement>? Merge(Dictionary<string, JsonElement>? current, Dictionary<string, JsonElement>? changes)
    {
        if (changes is null || changes.Count == 0)
        {
            return current;
        }

        var merged = current is null ? new Dictionary<string, JsonElement>() : new Dictionary<string, JsonElement>(current);
        foreach ((string key, JsonElement value) in changes)
        {
            merged[key] = value;
        }

        return merged;
    }

    private static StreamProtocolException Violation(string eventType, int? index, string message) =>
        new(message, eventType, index);
}
