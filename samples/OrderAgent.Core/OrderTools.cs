using System.ComponentModel;
using System.Text.Json.Serialization;
using StreamingAgents.Tools;

namespace OrderAgent;

/// <summary>Input of <c>search_orders</c>.</summary>
public sealed record SearchOrdersInput
{
    [Description("The order number, for example ORD-12345 (with or without '#').")]
    public string? OrderId { get; init; }

    [Description("Part of the customer's name, to list their orders when no order number is known.")]
    public string? Customer { get; init; }
}

/// <summary>Input of <c>request_refund</c>.</summary>
public sealed record RefundInput
{
    [Description("The order number, for example ORD-12345.")]
    public required string OrderId { get; init; }

    [Description("Why the customer wants the refund, in their words.")]
    public string? Reason { get; init; }
}

/// <summary>Input of <c>get_shipping_status</c>.</summary>
public sealed record ShippingStatusInput
{
    [Description("The order number, for example ORD-12345.")]
    public required string OrderId { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SearchOrdersInput))]
[JsonSerializable(typeof(ShippingStatusInput))]
[JsonSerializable(typeof(RefundInput))]
[JsonSerializable(typeof(Order[]))]
[JsonSerializable(typeof(Shipment))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;

/// <summary>The tools of the support agent, over the in-memory order system: two read-only ones, and a refund that a person must approve.</summary>
public static class OrderTools
{
    public static AgentTool SearchOrders(OrderDatabase database) => AgentTool.Create(
        "search_orders",
        "Finds orders by order number or customer name. Returns the order lines, total, status, carrier and tracking number.",
        OrderJsonContext.Default.SearchOrdersInput,
        async (input, context) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(350), context.CancellationToken); // a database round trip
            Order[] found = input.OrderId is { } id
                ? database.FindOrder(id) is { } order ? [order] : []
                : input.Customer is { } customer ? [.. database.FindByCustomer(customer)] : [];
            return found.Length == 0
                ? ToolResult.Error($"No order matches {(input.OrderId is null ? $"customer '{input.Customer}'" : $"'{input.OrderId}'")}.")
                : ToolResult.Json(found, OrderJsonContext.Default.OrderArray);
        },
        statusLabel: "🔍 Searching order database…",
        isReadOnly: true);

    public static AgentTool GetShippingStatus(OrderDatabase database) => AgentTool.Create(
        "get_shipping_status",
        "Gets the carrier's latest tracking information and estimated delivery date for a shipped order.",
        OrderJsonContext.Default.ShippingStatusInput,
        async (input, context) =>
        {
            context.ReportStatus("Contacting the carrier…");
            await Task.Delay(TimeSpan.FromMilliseconds(500), context.CancellationToken); // a carrier API call
            return database.FindShipment(input.OrderId) is { } shipment
                ? ToolResult.Json(shipment, OrderJsonContext.Default.Shipment)
                : ToolResult.Error($"Order '{input.OrderId}' has not shipped yet, so there is no tracking information.");
        },
        statusLabel: "🚚 Checking shipping status…",
        isReadOnly: true);

    public static AgentTool RequestRefund(OrderDatabase database) => AgentTool.Create(
        "request_refund",
        "Refunds an order in full to the customer's original payment method. Only when the customer asks for a refund.",
        OrderJsonContext.Default.RefundInput,
        async (input, context) =>
        {
            context.ReportStatus("Contacting the payment provider…");
            await Task.Delay(TimeSpan.FromMilliseconds(400), context.CancellationToken); // a payment API call
            return database.FindOrder(input.OrderId) is { } order
                ? ToolResult.Text(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Refund of ${order.Total:0.00} for {order.OrderId} issued; it reaches the card in 3–5 business days."))
                : ToolResult.Error($"There is no order '{input.OrderId}' to refund.");
        },
        statusLabel: "💸 Requesting a refund…",
        requiresApproval: true);
}
