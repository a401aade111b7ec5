using System.Globalization;

namespace OrderAgent;

/// <summary>An order as the support system stores it.</summary>
public sealed record Order(string OrderId, string Customer, DateOnly Placed, IReadOnlyList<OrderLine> Lines, string Status, string Carrier, string TrackingNumber)
{
    public decimal Total => Lines.Sum(static line => line.Quantity * line.UnitPrice);
}

/// <summary>One line of an order.</summary>
public sealed record OrderLine(string Sku, string Product, int Quantity, decimal UnitPrice);

/// <summary>A shipment's progress as the carrier reports it.</summary>
public sealed record Shipment(string TrackingNumber, string Carrier, string Status, string LastLocation, DateTimeOffset LastScan, DateOnly EstimatedDelivery, string DeliveryWindow);

/// <summary>A small in-memory order system, with dates relative to today so the demo always reads naturally.</summary>
public sealed class OrderDatabase
{
    private readonly Dictionary<string, Order> _orders;
    private readonly Dictionary<string, Shipment> _shipments;

    public OrderDatabase(DateOnly today)
    {
        Order[] orders =
        [
            new("ORD-12345", "Dana Whitfield", today.AddDays(-5),
                [new("AUR-NC700", "Aurora NC700 noise-cancelling headphones", 1, 229.00m), new("CBL-USBC-2M", "USB-C charging cable, 2 m", 1, 19.99m)],
                "shipped", "UPS", "1Z999AA10123456784"),
            new("ORD-12346", "Dana Whitfield", today.AddDays(-1),
                [new("MUG-ENMLD", "Enamel camping mug", 2, 14.50m)],
                "processing", "USPS", ""),
            new("ORD-20411", "Priya Raman", today.AddDays(-12),
                [new("KB-LOFI-75", "Lo-Fi 75% mechanical keyboard", 1, 139.00m)],
                "delivered", "FedEx", "771234567890"),
        ];
        _orders = orders.ToDictionary(static order => order.OrderId, StringComparer.OrdinalIgnoreCase);
        _shipments = new Dictionary<string, Shipment>(StringComparer.OrdinalIgnoreCase)
        {
            ["ORD-12345"] = new("1Z999AA10123456784", "UPS", "In transit", "Louisville, KY",
                new DateTimeOffset(today.AddDays(-1).ToDateTime(new TimeOnly(22, 14)), TimeSpan.Zero), today.AddDays(2), "by end of day"),
            ["ORD-20411"] = new("771234567890", "FedEx", "Delivered", "Front porch, Austin, TX",
                new DateTimeOffset(today.AddDays(-8).ToDateTime(new TimeOnly(14, 2)), TimeSpan.Zero), today.AddDays(-8), "delivered"),
        };
    }

    public Order? FindOrder(string orderId) => _orders.GetValueOrDefault(Normalize(orderId));

    public IReadOnlyList<Order> FindByCustomer(string customer) =>
        [.. _orders.Values.Where(order => order.Customer.Contains(customer, StringComparison.OrdinalIgnoreCase))];

    public Shipment? FindShipment(string orderId) => _shipments.GetValueOrDefault(Normalize(orderId));

    public static string Describe(DateOnly date) => date.ToString("dddd, MMMM d", CultureInfo.InvariantCulture);

    private static string Normalize(string orderId) => orderId.Trim().TrimStart('#');
}
