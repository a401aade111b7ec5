using StreamingAgents.Agents;

namespace StreamingAgents.Transport;

/// <summary>
/// Merges runs of <see cref="TextReceived"/> of one block into fewer events, each waiting at most a window for more.
/// Text is only ever concatenated, so no character (or surrogate pair) is split; a merged event keeps the sequence
/// number, turn and time of its last part.
/// </summary>
internal static class TextCoalescer
{
    public static async IAsyncEnumerable<AgentEvent> CoalesceAsync(
        IAsyncEnumerable<AgentEvent> events,
        AgentEventSseOptions options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<AgentEvent> source = events.GetAsyncEnumerator(cancellationToken);
        Task<bool>? pending = null;
        try
        {
            TextReceived? held = null;
            long heldSince = 0;
            while (true)
            {
                pending ??= source.MoveNextAsync().AsTask();
                if (held is not null && !pending.IsCompleted)
                {
                    TimeSpan left = options.CoalescingWindow - options.TimeProvider.GetElapsedTime(heldSince);
                    if (left > TimeSpan.Zero)
                    {
                        await Task.WhenAny(pending, Task.Delay(left, options.TimeProvider, cancellationToken)).ConfigureAwait(false);
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    if (!pending.IsCompleted)
                    {
                        yield return held; // the window closed with nothing to merge
                        held = null;
                        continue;
                    }
                }

                bool hasNext = await pending.ConfigureAwait(false);
                pending = null;
                AgentEvent? next = hasNext ? source.Current : null;
                if (held is not null && next is TextReceived more && more.BlockIndex == held.BlockIndex && more.Turn == held.Turn
                    && held.Text.Length + more.Text.Length <= options.CoalescingMaxLength)
                {
                    held = Merge(held, more);
                    continue;
                }

                if (held is not null)
                {
                    yield return held;
                    held = null;
                }

                if (next is null)
                {
                    yield break;
                }

                if (next is TextReceived text && text.Text.Length < options.CoalescingMaxLength)
                {
                    held = text;
                    heldSince = options.TimeProvider.GetTimestamp();
                }
                else
                {
                    yield return next;
                }
            }
        }
        finally
        {
            if (pending is not null)
            {
                try
                {
                    await pending.ConfigureAwait(false); // the enumerator cannot be disposed while a move is under way
                }
                catch (Exception)
                {
                    // Ending early: whatever the source threw is not the reader's concern any more.
                }
            }

            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TextReceived Merge(TextReceived first, TextReceived second) =>
        new()
        {
            Text = first.Text + second.Text,
            BlockIndex = second.BlockIndex,
            Sequence = second.Sequence,
            Turn = second.Turn,
            Timestamp = second.Timestamp,
        };
}
