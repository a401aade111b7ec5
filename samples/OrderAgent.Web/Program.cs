using OrderAgent.Web;

// The order-support demo in a browser. With ANTHROPIC_API_KEY set it talks to Claude; without it, to the built-in fake model.
WebApplication app = OrderWebApp.Create(args);
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (string address in app.Urls)
    {
        Console.WriteLine($"Order-support demo: open {address} in a browser (Ctrl+C stops it).");
    }
});
app.Run();
