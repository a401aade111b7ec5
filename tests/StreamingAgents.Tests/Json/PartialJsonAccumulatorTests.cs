using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingAgents.Json;

namespace StreamingAgents.Tests.Json;

public sealed class PartialJsonAccumulatorTests
{
    [Theory]
    [InlineData("", "{}")]
    [InlineData("  ", "{}")]
    [InlineData("{", "{}")]
    [InlineData("{\"ci", "{}")]
    [InlineData("{\"city\"", "{}")]
    [InlineData("{\"city\":", "{}")]
    [InlineData("{\"city\": \"Par", "{\"city\":\"Par\"}")]
    [InlineData("{\"city\": \"Paris\", \"days\": 1", "{\"city\":\"Paris\"}")]
    [InlineData("{\"city\": \"Paris\", \"days\": 12,", "{\"city\":\"Paris\",\"days\":12}")]
    [InlineData("{\"a\": tr", "{}")]
    [InlineData("{\"a\": true", "{\"a\":true}")]
    [InlineData("{\"a\": -1.5e", "{}")]
    [InlineData("{\"a\": [1, 2", "{\"a\":[1]}")]
    [InlineData("{\"a\": [1, 2,", "{\"a\":[1,2]}")]
    [InlineData("{\"a\": [{\"b\": \"x", "{\"a\":[{\"b\":\"x\"}]}")]
    [InlineData("{\"a\": {\"b\": {", "{\"a\":{\"b\":{}}}")]
    [InlineData("{\"a\": \"line\\", "{\"a\":\"line\"}")]
    [InlineData("{\"a\": \"caf\\u00", "{\"a\":\"caf\"}")]
    [InlineData("{\"a\": \"caf\\u00e9", "{\"a\":\"café\"}")]
    [InlineData("{\"a\": \"x\\ud83d", "{\"a\":\"x\"}")]
    [InlineData("{\"a\": \"x\\ud83d\\ude00", "{\"a\":\"x😀\"}")]
    [InlineData("{\"a\": null}", "{\"a\":null}")]
    public void GetSnapshot_Prefix_FollowsDocumentedRules(string prefix, string expected)
    {
        using var json = new PartialJsonAccumulator();
        json.Append(prefix);

        AssertJson(expected, json.GetSnapshot());
    }

    [Fact]
    public void GetSnapshot_MultiByteCharacterSplitAcrossByteFragments_LeavesPartialCharacterOff()
    {
        using var json = new PartialJsonAccumulator();
        byte[] bytes = Encoding.UTF8.GetBytes("{\"a\": \"h€");
        json.Append(bytes.AsSpan(0, bytes.Length - 1));

        AssertJson("{\"a\":\"h\"}", json.GetSnapshot());
        json.Append(bytes.AsSpan(bytes.Length - 1));
        AssertJson("{\"a\":\"h€\"}", json.GetSnapshot());
    }

    [Fact]
    public void Append_SurrogatePairSplitAcrossTextFragments_IsJoined()
    {
        using var json = new PartialJsonAccumulator();
        string text = "{\"emoji\": \"😀\"}";
        int split = text.IndexOf("😀", StringComparison.Ordinal) + 1; // between the two UTF-16 halves

        json.Append(text[..split]);
        json.Append(text[split..]);

        Assert.Equal("😀", json.Complete().GetProperty("emoji").GetString());
        Assert.Equal(text, json.GetText());
    }

    [Fact]
    public void Complete_EmptyInput_IsEmptyObject()
    {
        using var json = new PartialJsonAccumulator();

        Assert.Equal(JsonValueKind.Object, json.Complete().ValueKind);
        Assert.False(json.Complete().EnumerateObject().Any());
    }

    [Theory]
    [InlineData("{\"a\": 1,,}", 8)]
    [InlineData("{\"a\" 1}", 5)]
    [InlineData("{\"a\": tru }", 9)]
    [InlineData("{\"a\": 01}", 7)]
    [InlineData("{\"a\": \"bad \\x escape\"}", 12)]
    [InlineData("{\"a\": 1} extra", 9)]
    public void Complete_InvalidJson_ThrowsWithPositionAndExcerpt(string input, int position)
    {
        using var json = new PartialJsonAccumulator();
        json.Append(input);

        var error = Assert.Throws<JsonException>(() => json.Complete());

        Assert.False(json.IsValid);
        Assert.Equal(position, error.BytePositionInLine);
        Assert.Contains($"at byte {position}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Near: '", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Complete_IncompleteInput_ThrowsSayingItEndedEarly()
    {
        using var json = new PartialJsonAccumulator();
        json.Append("{\"a\": [1, 2");

        var error = Assert.Throws<JsonException>(() => json.Complete());

        Assert.True(json.IsValid);
        Assert.False(json.IsComplete);
        Assert.Contains("ends before the value is complete", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSnapshot_AfterSyntaxError_KeepsValidPartBefore()
    {
        using var json = new PartialJsonAccumulator();
        json.Append("{\"a\": 1, \"b\": [true, ]");

        AssertJson("{\"a\":1,\"b\":[true]}", json.GetSnapshot());
        Assert.False(json.IsValid);
    }

    [Fact]
    public void Append_BeyondMaxLength_ThrowsInvalidData()
    {
        using var json = new PartialJsonAccumulator(maxLength: 10);
        json.Append("{\"a\": 1");

        var error = Assert.Throws<InvalidDataException>(() => json.Append(", \"b\": 2}"));

        Assert.Contains("limit of 10 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_LongStringInSmallFragments_ExaminesEachByteOnce()
    {
        using var json = new PartialJsonAccumulator();
        string content = new('x', 1024 * 1024);
        string document = $"{{\"content\": \"{content}\"}}";

        for (int i = 0; i < document.Length; i += 16)
        {
            json.Append(document.AsSpan(i, Math.Min(16, document.Length - i)));
            Assert.True(json.IsValid); // makes the tokenizer catch up after every fragment
        }

        Assert.Equal(document.Length, json.BytesTokenized);
        Assert.Equal(content.Length, json.Complete().GetProperty("content").GetString()!.Length);
    }

    [Fact]
    public void CompleteDocument_ReadsTheInputWithoutCopyAndSealsIt()
    {
        using var json = new PartialJsonAccumulator();
        json.Append("{\"a\": [1, ");
        json.Append("2]}");

        using (JsonDocument document = json.CompleteDocument())
        {
            Assert.Equal(2, document.RootElement.GetProperty("a")[1].GetInt32());
            var error = Assert.Throws<InvalidOperationException>(() => json.Append(" "));
            Assert.Contains("CompleteDocument", error.Message, StringComparison.Ordinal);
        }

        Assert.Throws<JsonException>(() => new PartialJsonAccumulator().CompleteDocumentOf("{\"a\":"));
    }

    [Fact]
    public void Append_AfterDispose_Throws()
    {
        var json = new PartialJsonAccumulator();
        json.Dispose();

        Assert.Throws<ObjectDisposedException>(() => json.Append("{"));
    }

    private static void AssertJson(string expected, JsonElement actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual.GetRawText())), $"expected {expected}, got {actual.GetRawText()}");
}

internal static class PartialJsonAccumulatorTestExtensions
{
    public static JsonDocument CompleteDocumentOf(this PartialJsonAccumulator json, string input)
    {
        json.Append(input);
        return json.CompleteDocument();
    }
}
