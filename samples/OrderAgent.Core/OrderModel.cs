using System.Globalization;
using System.Text.RegularExpressions;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;

namespace OrderAgent;

/// <summary>
/// The built-in stand-in for Claude when no API key is set: it answers each request from what the request holds, so
/// any number of runs work (the web demo serves many). Asked about an order, it calls both tools at once; asked for a
/// refund, it calls the refund tool (which needs approval); given the results, it writes the answer. Streamed with realistic timing through the real client, so the whole pipeline runs.
/// </summary>
public static partial class OrderModel
{
    /// <summary>Creates the fake model's HTTP handler.</summary>
    /// <param name="database">The orders it talks about.</param>
    /// <param name="timeProvider">The clock of its delays; <see langword="null"/> for the system clock.</param>
    /// <returns>The handler to use as the Anthropic client's primary handler.</returns>
    public static ScriptedModel CreateHandler(OrderDatabase database, TimeProvider? timeProvider = null) => new(
        request => Respond(database, request),
        Chunking.PerEvent,
        new ChunkedStreamOptions
        {
            InitialDelay = TimeSpan.FromMilliseconds(450),
            DelayPerChunk = TimeSpan.FromMilliseconds(28),
            TimeProvider = timeProvider ?? TimeProvider.System,
        });

    private static TranscriptBuilder Respond(OrderDatabase database, MessageRequest request)
    {
        string question = string.Concat(request.Messages[0].Content.OfType<TextBlock>().Select(static block => block.Text));
        string orderId = OrderNumber().Match(question) is { Success: true } match ? match.Value.ToUpperInvariant() : "ORD-12345";
        ToolResultBlock[] results = [.. request.Messages[^1].Content.OfType<ToolResultBlock>()];
        bool wantsRefund = question.Contains("refund", StringComparison.OrdinalIgnoreCase);
        if (results.Length > 0)
        {
            string answer = wantsRefund ? RefundAnswer(orderId, results[0]) : Answer(database, orderId);
            return new TranscriptBuilder().MessageStart(inputTokens: 1296).Text(answer).Stop(StopReason.EndTurn);
        }

        if (wantsRefund)
        {
            return new TranscriptBuilder()
                .MessageStart(inputTokens: 812)
                .Text($"I can refund order #{orderId} for you; I just need your go-ahead.")
                .ToolUse("request_refund", $$"""{"order_id": "{{orderId}}", "reason": "requested by the customer"}""", fragmentSize: 6)
                .Stop(StopReason.ToolUse);
        }

        string json = $$"""{"order_id": "{{orderId}}"}""";
        return new TranscriptBuilder()
            .MessageStart(inputTokens: 812)
            .Text($"I'll look up order #{orderId} and check where it is right now.")
            .ToolUse("search_orders", json, fragmentSize: 6)
            .ToolUse("get_shipping_status", json, fragmentSize: 6)
            .Stop(StopReason.ToolUse);
    }

    private static string RefundAnswer(string orderId, ToolResultBlock result)
    {
        string outcome = string.Concat(result.Content.OfType<TextBlock>().Select(static block => block.Text));
        return result.IsError == true
            ? $"Understood — I haven't refunded order #{orderId}. ({outcome}) Is there anything else I can do?"
            : $"Done: {outcome} You'll get a confirmation email shortly.";
    }

    private static string Answer(OrderDatabase database, string orderId)
    {
        if (database.FindOrder(orderId) is not { } order)
        {
            return $"I couldn't find an order #{orderId}. Could you check the number on your confirmation email?";
        }

        string items = string.Join(" and ", order.Lines.Select(static line => line.Product));
        if (database.FindShipment(orderId) is not { } shipment)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Your order #{order.OrderId} ({items}, ${order.Total:0.00}) is {order.Status} and hasn't shipped yet — I'll be able to track it as soon as it does.");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"Good news — your order #{order.OrderId} ({items}, ${order.Total:0.00}) shipped with {shipment.Carrier} " +
            $"and is {shipment.Status.ToLowerInvariant()}. It was last scanned in {shipment.LastLocation} " +
            $"on {OrderDatabase.Describe(DateOnly.FromDateTime(shipment.LastScan.Date))}.\n\n" +
            $"It's scheduled to arrive on **{OrderDatabase.Describe(shipment.EstimatedDelivery)}**, {shipment.DeliveryWindow}. " +
            $"You can follow it with tracking number {shipment.TrackingNumber}.");
    }

    [GeneratedRegex(@"ORD-\d+", RegexOptions.IgnoreCase)]
    private static partial Regex OrderNumber();
}
