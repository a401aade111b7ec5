using StreamingAgents.Http;

namespace StreamingAgents.Tests.Http;

public sealed class SecretScrubberTests
{
    [Fact]
    public void ScrubCutEnd_TextCutInsideTheLongerOfTwoSecrets_RemovesAllOfWhatIsLeft()
    {
        // The other secret is longer and starts with the character the text ends with.
        var scrubber = new SecretScrubber("sk-ant-api03-SECRETKEYMATERIALtail", "t-0123456789012345678901234567890123456789");

        string scrubbed = scrubber.ScrubCutEnd("echo: sk-ant-api03-SECRETKEYMATERIALt");

        Assert.Equal("echo: [REDACTED]", scrubbed);
    }

    [Fact]
    public void With_GatewayHeaderOfAnyName_IsScrubbedButPublicHeadersAreNot()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://gateway.test/v1/messages");
        request.Headers.Add("Ocp-Apim-Subscription-Key", "apim-0123456789abcdef");
        request.Headers.Add("anthropic-version", "2026-10-21");
        request.Headers.Add("x-short", "true");

        SecretScrubber scrubber = new SecretScrubber("sk-key-000000").With(request);

        Assert.Equal("bad key [REDACTED] for 2026-10-21 (true)", scrubber.Scrub("bad key apim-0123456789abcdef for 2026-10-21 (true)"));
    }
}
