namespace StreamingAgents.AspNetCore.Tests.Browser;

/// <summary>
/// A test that needs a real Chromium (Debian's <c>chromium</c> package, or the path in <c>STREAMINGAGENTS_CHROMIUM</c>).
/// Without one it is skipped, saying why, unless <c>STREAMINGAGENTS_REQUIRE_BROWSER=1</c> (set by .ci/run), which
/// makes it run, and fail, instead.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (BrowserTestEnvironment.ChromiumPath is null && !BrowserTestEnvironment.IsRequired)
        {
            Skip = BrowserTestEnvironment.MissingReason;
        }
    }
}

/// <summary>The theory form of <see cref="BrowserFactAttribute"/>.</summary>
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        if (BrowserTestEnvironment.ChromiumPath is null && !BrowserTestEnvironment.IsRequired)
        {
            Skip = BrowserTestEnvironment.MissingReason;
        }
    }
}

/// <summary>Where the browser is, and whether browser tests are mandatory here.</summary>
internal static class BrowserTestEnvironment
{
    public static string? ChromiumPath { get; } =
        new[] { Environment.GetEnvironmentVariable("STREAMINGAGENTS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(static path => !string.IsNullOrEmpty(path) && File.Exists(path));

    public static bool IsRequired => Environment.GetEnvironmentVariable("STREAMINGAGENTS_REQUIRE_BROWSER") == "1";

    public static string MissingReason =>
        "Skipped: no Chromium found (looked at $STREAMINGAGENTS_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser). " +
        "Install Debian's 'chromium' package (sudo apt-get install chromium) to run the browser tests; .ci/run does, and makes them mandatory.";
}
