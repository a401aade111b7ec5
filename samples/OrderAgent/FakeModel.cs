using System.Globalization;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;

namespace OrderAgent;

/// <summary>
/// The built-in stand-in for Claude when no API key is set: two scripted turns (two parallel tool calls, then the
/// answer) streamed with realistic timing through the real client, so the whole pipeline runs.
/// </summary>
internal static class FakeModel
{
    public static FakeAnthropicHandler CreateHandler(OrderDatabase database)
    {
        Order order = database.FindOrder("ORD-12345")!;
        Shipment shipment = database.FindShipment("ORD-12345")!;
        var timing = new ChunkedStreamOptions { InitialDelay = TimeSpan.FromMilliseconds(450), DelayPerChunk = TimeSpan.FromMilliseconds(28) };

        TranscriptBuilder lookUp = new TranscriptBuilder { MessageId = "msg_demo_01" }
            .MessageStart(inputTokens: 812)
            .Text("I'll look up order #ORD-12345 and check where it is right now.")
            .ToolUse("search_orders", """{"order_id": "ORD-12345"}""", id: "toolu_demo_search", fragmentSize: 6)
            .ToolUse("get_shipping_status", """{"order_id": "ORD-12345"}""", id: "toolu_demo_ship", fragmentSize: 6)
            .Stop(StopReason.ToolUse);

        string items = string.Join(" and ", order.Lines.Select(static line => line.Product));
        string answer = string.Create(CultureInfo.InvariantCulture,
            $"Good news — your order #{order.OrderId} ({items}, ${order.Total:0.00}) shipped with {shipment.Carrier} " +
            $"and is {shipment.Status.ToLowerInvariant()}. It was last scanned in {shipment.LastLocation} " +
            $"on {OrderDatabase.Describe(DateOnly.FromDateTime(shipment.LastScan.Date))}.\n\n" +
            $"It's scheduled to arrive on **{OrderDatabase.Describe(shipment.EstimatedDelivery)}**, {shipment.DeliveryWindow}. " +
            $"You can follow it with tracking number {shipment.TrackingNumber}.");
        TranscriptBuilder reply = new TranscriptBuilder { MessageId = "msg_demo_02" }
            .MessageStart(inputTokens: 1296)
            .Text(answer)
            .Stop(StopReason.EndTurn);

        return new FakeAnthropicHandler()
            .RespondWith(lookUp, Chunking.PerEvent, timing)
            .RespondWith(reply, Chunking.PerEvent, timing);
    }
}
