using System.Text;
using System.Text.Json;
using StreamingAgents.Json;

namespace StreamingAgents.Tests.Json;

/// <summary>
/// Random documents, random fragmentations: the final value never depends on where fragments break, and every
/// snapshot agrees with the final value on everything it shows.
/// </summary>
public sealed class PartialJsonAccumulatorPropertyTests
{
    private const int DocumentCount = 1_500;

    [Fact]
    public void Complete_AnyTextFragmentation_GivesSameValueAndConsistentSnapshots()
    {
        for (int seed = 0; seed < DocumentCount; seed++)
        {
            string document = RandomJsonGenerator.Generate(seed);
            using JsonDocument expected = JsonDocument.Parse(document);
            var random = new Random(seed);
            using var json = new PartialJsonAccumulator();

            // Split at random UTF-16 positions: inside strings, escapes, numbers, literals and surrogate pairs.
            for (int offset = 0; offset < document.Length;)
            {
                int size = Math.Min(random.Next(1, 9), document.Length - offset);
                json.Append(document.AsSpan(offset, size));
                offset += size;
                AssertConsistent(json.GetSnapshot(), expected.RootElement, isLastPath: true, $"seed {seed}, prefix {offset}: {document}");
            }

            Assert.True(json.IsComplete, $"seed {seed}: {document}");
            Assert.True(JsonElement.DeepEquals(expected.RootElement, json.Complete()), $"seed {seed}: {document}");
            Assert.True(JsonElement.DeepEquals(expected.RootElement, json.GetSnapshot()), $"seed {seed}: final snapshot");
        }
    }

    [Fact]
    public void Complete_AnyByteFragmentation_GivesSameValue()
    {
        for (int seed = 0; seed < DocumentCount; seed++)
        {
            byte[] document = Encoding.UTF8.GetBytes(RandomJsonGenerator.Generate(seed));
            using JsonDocument expected = JsonDocument.Parse(document);
            var random = new Random(~seed);
            using var json = new PartialJsonAccumulator();

            // Split at random byte positions, including inside multi-byte characters.
            for (int offset = 0; offset < document.Length;)
            {
                int size = Math.Min(random.Next(1, 6), document.Length - offset);
                json.Append(document.AsSpan(offset, size));
                offset += size;
                AssertConsistent(json.GetSnapshot(), expected.RootElement, isLastPath: true, $"seed {seed}, byte {offset}");
            }

            Assert.True(JsonElement.DeepEquals(expected.RootElement, json.Complete()), $"seed {seed}");
        }
    }

    /// <summary>
    /// A snapshot shows whole values except along the path to the last thing received, where a string may be a
    /// prefix and a container may hold fewer members.
    /// </summary>
    private static void AssertConsistent(JsonElement snapshot, JsonElement final, bool isLastPath, string context)
    {
        if (!isLastPath)
        {
            Assert.True(JsonElement.DeepEquals(snapshot, final), $"{context}\n completed value {snapshot.GetRawText()} differs from {final.GetRawText()}");
            return;
        }

        Assert.True(snapshot.ValueKind == final.ValueKind, $"{context}\n kind {snapshot.ValueKind} vs {final.ValueKind}");
        switch (snapshot.ValueKind)
        {
            case JsonValueKind.String:
                Assert.StartsWith(snapshot.GetString()!, final.GetString()!, StringComparison.Ordinal);
                break;
            case JsonValueKind.Array:
                int length = snapshot.GetArrayLength();
                Assert.True(length <= final.GetArrayLength(), context);
                for (int i = 0; i < length; i++)
                {
                    AssertConsistent(snapshot[i], final[i], i == length - 1, context);
                }

                break;
            case JsonValueKind.Object:
                JsonProperty[] shown = [.. snapshot.EnumerateObject()];
                JsonProperty[] all = [.. final.EnumerateObject()];
                Assert.True(shown.Length <= all.Length, context);
                for (int i = 0; i < shown.Length; i++)
                {
                    Assert.Equal(all[i].Name, shown[i].Name);
                    AssertConsistent(shown[i].Value, all[i].Value, i == shown.Length - 1, context);
                }

                break;
            default:
                Assert.True(JsonElement.DeepEquals(snapshot, final), $"{context}\n scalar {snapshot.GetRawText()} vs {final.GetRawText()}");
                break;
        }
    }
}
