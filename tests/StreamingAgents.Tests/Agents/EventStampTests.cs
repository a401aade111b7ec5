using System.Text;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

/// <summary>
/// The runner's stamps on the system clock: model events that arrived in one read of the response share the first
/// one's stamp, however long the consumer holds them (the clock is read once per burst, not per event), whichever of
/// the run's paths delivers them; events from a later read are stamped afresh. The consumer's holds are real delays,
/// many ticks of the coarse clock long; the assertions leave them ample margin.
/// </summary>
public sealed class EventStampTests
{
    private static readonly TimeSpan s_hold = TimeSpan.FromMilliseconds(30);

    [Fact]
    public async Task Runner_OnTheSystemClock_StampsEventsOfOneReadAlike_AndALaterReadAfresh()
    {
        string[] firstRead = ["one ", "two ", "three ", "four "];
        string transcript = new TranscriptBuilder().MessageStart().TextTokens([.. firstRead, "five"]).Stop(StopReason.EndTurn).ToString();
        int split = transcript.IndexOf("five", StringComparison.Ordinal);
        split = transcript.LastIndexOf("event:", split, StringComparison.Ordinal);
        var body = new GatedStream(Encoding.UTF8.GetBytes(transcript[..split]), Encoding.UTF8.GetBytes(transcript[split..]));
        var handler = new FakeAnthropicHandler().RespondWith((_, _) => FakeResponses.Stream(body));
        var runner = new AgentRunner(ClientFactory.Create(handler), new ToolRegistry());
        var texts = new List<TextReceived>();

        using var guard = new CancellationTokenSource(Waiting.Guard);
        await foreach (AgentEvent agentEvent in runner.RunAsync(ClientFactory.Hello).WithCancellation(guard.Token))
        {
            if (agentEvent is TextReceived text)
            {
                texts.Add(text);
                await Task.Delay(s_hold); // the consumer holds each one for many ticks of the coarse clock
                if (texts.Count == firstRead.Length)
                {
                    body.Open();
                }
            }
        }

        Assert.Equal([.. firstRead, "five"], texts.Select(static t => t.Text));
        Assert.Single(texts.Take(firstRead.Length).Select(static t => t.Timestamp).Distinct());
        Assert.True(texts[^1].Timestamp >= texts[0].Timestamp + s_hold, $"{texts[^1].Timestamp:O} after {texts[0].Timestamp:O}"); // 4 holds later
    }
}
