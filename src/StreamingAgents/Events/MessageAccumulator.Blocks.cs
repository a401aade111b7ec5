using System.Buffers;
using System.Text.Json;
using StreamingAgents.Json;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

public sealed partial class MessageAccumulator
{
    /// <summary>Accumulates one content block from its start event and deltas.</summary>
    private abstract class BlockBuilder(int index)
    {
        public int Index { get; } = index;

        public bool IsStopped { get; private set; }

        public static BlockBuilder Create(ContentBlock block, int index, bool stopped, ArrayPool<byte> pool)
        {
            BlockBuilder builder = block switch
            {
                TextBlock text => new TextBuilder(text, index),
                ThinkingBlock thinking => new ThinkingBuilder(thinking, index),
                ToolCallBlock toolCall => new ToolCallBuilder(toolCall, index, pool),
                _ => new FixedBuilder(block, index),
            };
            if (stopped)
            {
                builder.Stop();
            }

            return builder;
        }

        public abstract ContentBlock Build();

        public void Apply(ContentBlockDelta delta)
        {
            // Anthropic's docs warn that new delta types may be added: skip the ones we do not know.
            if (delta is not UnknownDelta)
            {
                ApplyKnown(delta);
            }
        }

        public void Stop()
        {
            if (!IsStopped)
            {
                IsStopped = true;
                OnStopped();
            }
        }

        /// <summary>Applies a known delta; throws when it does not fit this kind of block.</summary>
        protected abstract void ApplyKnown(ContentBlockDelta delta);

        /// <summary>Keeps the block as it is now and releases what it holds; it may still be built, not changed.</summary>
        public virtual void Freeze()
        {
        }

        protected virtual void OnStopped()
        {
        }

        protected StreamProtocolException Mismatch(ContentBlockDelta delta, string blockType) =>
            new($"A '{delta.Type}' cannot apply to block {Index}, which is a '{blockType}' block.", ContentBlockDeltaEvent.WireType, Index);
    }

    private sealed class TextBuilder(TextBlock start, int index) : BlockBuilder(index)
    {
        private PooledText _text = new(start.Text);
        private List<Citation>? _citations = start.Citations?.ToList();

        public override ContentBlock Build() => start with { Text = _text.ToString(), Citations = _citations?.ToArray() };

        public void Append(string text) => _text.Append(text);

        public override void Freeze() => _text.Release();

        protected override void OnStopped() => Freeze();

        protected override void ApplyKnown(ContentBlockDelta delta)
        {
            switch (delta)
            {
                case TextDelta text:
                    _text.Append(text.Text);
                    break;
                case CitationsDelta citation:
                    (_citations ??= []).Add(citation.Citation);
                    break;
                default:
                    throw Mismatch(delta, TextBlock.WireType);
            }
        }
    }

    private sealed class ThinkingBuilder(ThinkingBlock start, int index) : BlockBuilder(index)
    {
        private PooledText _thinking = new(start.Thinking);
        private PooledText _signature = new(start.Signature);

        public override ContentBlock Build() => start with { Thinking = _thinking.ToString(), Signature = _signature.ToString() };

        public override void Freeze()
        {
            _thinking.Release();
            _signature.Release();
        }

        protected override void OnStopped() => Freeze();

        protected override void ApplyKnown(ContentBlockDelta delta)
        {
            switch (delta)
            {
                case ThinkingDelta thinking:
                    _thinking.Append(thinking.Thinking);
                    break;
                case SignatureDelta signature:
                    _signature.Append(signature.Signature);
                    break;
                default:
                    throw Mismatch(delta, ThinkingBlock.WireType);
            }
        }
    }

    /// <summary>
    /// A tool call's input streams as <c>input_json_delta</c> fragments and is whole only at the block's
    /// <c>content_block_stop</c> (Anthropic streaming docs); until then it is a best-effort snapshot.
    /// </summary>
    private sealed class ToolCallBuilder(ToolCallBlock start, int index, ArrayPool<byte> pool) : BlockBuilder(index)
    {
        private PartialJsonAccumulator? _json;
        private ToolCallBlock? _final;

        public override ContentBlock Build() => _final ?? Evaluate(start, _json);

        protected override void ApplyKnown(ContentBlockDelta delta)
        {
            if (delta is not InputJsonDelta inputJson)
            {
                throw Mismatch(delta, start.Type);
            }

            try
            {
                (_json ??= new PartialJsonAccumulator(PartialJsonAccumulator.DefaultMaxLength, pool)).Append(inputJson.PartialJson);
            }
            catch (InvalidDataException tooLong)
            {
                throw new StreamProtocolException(
                    $"The input of tool call block {Index} is longer than {PartialJsonAccumulator.DefaultMaxLength} bytes.", ContentBlockDeltaEvent.WireType, Index, tooLong);
            }
        }

        protected override void OnStopped() => Freeze();

        public override void Freeze()
        {
            _final ??= Evaluate(start, _json);
            _json?.Dispose();
            _json = null;
        }

        private static ToolCallBlock Evaluate(ToolCallBlock start, PartialJsonAccumulator? json)
        {
            if (json is null || json.Length == 0)
            {
                // No fragments: the input is whatever the start event carried ({} for a tool without parameters).
                return start with
                {
                    InputJson = start.InputJson ?? string.Empty,
                    InputStatus = JsonElements.IsWritable(start.Input) ? ToolInputStatus.Complete : ToolInputStatus.Invalid,
                };
            }

            string text = json.GetText();
            if (json.IsComplete)
            {
                try
                {
                    JsonElement input = json.Complete();
                    if (JsonElements.IsWritable(input))
                    {
                        return start with { Input = input, InputJson = text, InputStatus = ToolInputStatus.Complete };
                    }
                }
                catch (JsonException)
                {
                    // Not valid JSON after all: reported as invalid below.
                }

                return start with { Input = WritableSnapshot(json), InputJson = text, InputStatus = ToolInputStatus.Invalid };
            }

            ToolInputStatus status = json.IsValid ? ToolInputStatus.Incomplete : ToolInputStatus.Invalid;
            return start with { Input = WritableSnapshot(json), InputJson = text, InputStatus = status };
        }

        /// <summary>The best-effort value, or <c>{}</c> when even that cannot be written back (the raw text stays).</summary>
        private static JsonElement WritableSnapshot(PartialJsonAccumulator json)
        {
            JsonElement snapshot = json.GetSnapshot();
            return JsonElements.IsWritable(snapshot) ? snapshot : JsonElements.EmptyObject;
        }
    }

    /// <summary>A block that arrives whole in its start event: redacted thinking, server tool results, unknown kinds.</summary>
    private sealed class FixedBuilder(ContentBlock block, int index) : BlockBuilder(index)
    {
        public override ContentBlock Build() => block;

        // Known deltas on a block kind this library does not know are skipped like unknown deltas; on a known
        // block that takes no deltas they are a protocol violation.
        protected override void ApplyKnown(ContentBlockDelta delta)
        {
            if (block is not UnknownContentBlock)
            {
                throw Mismatch(delta, block.Type);
            }
        }
    }
}
