using System.Text;
using System.Text.Json;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Fuzz;

/// <summary>One SSE event of a fixture: its event name and its raw data bytes (exactly as in the file).</summary>
internal sealed record SseFrame(string EventName, byte[] Data);

/// <summary>What kind of damage a case carries.</summary>
internal enum MutationKind
{
    /// <summary>The fixture, rebuilt without changes.</summary>
    None,

    /// <summary>One JSON node of one event's data replaced (or one member removed).</summary>
    Node,

    /// <summary>One event's whole data replaced: garbage, truncated JSON, empty.</summary>
    EventData,

    /// <summary>The stream cut short: at an event boundary or in the middle of an event.</summary>
    Cut,
}

/// <summary>One mutated stream: which fixture, what was done to it, and the SSE bytes to serve.</summary>
internal sealed record FuzzCase(string Fixture, MutationKind Kind, string Description, byte[] Sse)
{
    /// <summary>Gets the mutation text as written into the data, for cases that may legitimately not be JSON.</summary>
    public string? Mutation { get; init; }

    public override string ToString() => $"{Fixture}: {Description}";
}

/// <summary>A JSON value inside one event's data: where it is and how to cut it out.</summary>
/// <param name="Path">A JSONPath-like name, e.g. <c>$.message.usage.input_tokens</c>.</param>
/// <param name="Kind">The value's kind.</param>
/// <param name="Start">The index of the value's first byte.</param>
/// <param name="End">The index after the value's last byte.</param>
/// <param name="MemberStart">For an object member: the index of its property name's opening quote.</param>
internal sealed record JsonNodeSpan(string Path, JsonValueKind Kind, int Start, int End, int? MemberStart);

/// <summary>
/// Deterministic, structure-aware mutations of the recorded fixtures: every JSON node of every event's data gets
/// every applicable mutation, one mutation per stream; plus whole-data damage per event and cuts of the stream.
/// </summary>
/// <remarks>
/// Mutations are spliced into the original bytes (no JSON round trip), so everything not mutated stays byte-for-byte
/// as recorded, escapes included. The SSE is rebuilt as <c>event: X\ndata: Y\n\n</c>.
/// </remarks>
internal static class SseMutationCorpus
{
    public const string ToolFixture = "tool-use-parallel";

    public static readonly string[] FixtureNames =
    [
        "text-multibyte", "tool-use-parallel", "thinking", "web-search-citations", "unknown-types",
        "max-tokens-tool-cut", "stop-sequence", "error-mid-stream",
    ];

    /// <summary>Fixtures recorded with their expected non-streaming message (<c>.json</c>).</summary>
    public static readonly string[] FixturesWithMessage =
    [
        "text-multibyte", "tool-use-parallel", "thinking", "web-search-citations", "unknown-types",
        "max-tokens-tool-cut", "stop-sequence",
    ];

    private static readonly Lazy<IReadOnlyList<FuzzCase>> s_all = new(() => [.. FixtureNames.SelectMany(Generate)]);

    private static readonly byte[] s_longString = Encoding.UTF8.GetBytes("\"" + LongText(100_000) + "\"");

    /// <summary>A string holding invalid UTF-8: a broken 2-byte sequence, a lone continuation byte, 0xFF and 0xFE.</summary>
    private static readonly byte[] s_invalidUtf8 = [(byte)'"', (byte)'a', 0xC3, 0x28, 0x80, 0xFF, 0xFE, (byte)'z', (byte)'"'];

    /// <summary>Gets every case of every fixture.</summary>
    public static IReadOnlyList<FuzzCase> All => s_all.Value;

    public static IReadOnlyList<FuzzCase> ForFixture(string fixture) => [.. All.Where(c => c.Fixture == fixture)];

    public static IReadOnlyList<SseFrame> LoadFrames(string fixture) => Parse(Fixture.Bytes(fixture + ".sse"));

    /// <summary>The fixture rebuilt from its parsed frames, unchanged.</summary>
    public static byte[] Unmutated(string fixture) => Build(LoadFrames(fixture));

    /// <summary>Splits SSE text into (event, data) frames; multiple data lines are joined with LF as SSE does.</summary>
    public static IReadOnlyList<SseFrame> Parse(byte[] sse)
    {
        var frames = new List<SseFrame>();
        string? eventName = null;
        List<byte[]>? data = null;
        int position = 0;
        while (position <= sse.Length)
        {
            int newline = Array.IndexOf(sse, (byte)'\n', position);
            int end = newline < 0 ? sse.Length : newline;
            ReadOnlySpan<byte> line = sse.AsSpan(position, end - position);
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                if (data is not null)
                {
                    frames.Add(new SseFrame(eventName ?? "message", Join(data)));
                }

                eventName = null;
                data = null;
            }
            else if (line.StartsWith("event:"u8))
            {
                eventName = Encoding.UTF8.GetString(FieldValue(line, 6));
            }
            else if (line.StartsWith("data:"u8))
            {
                (data ??= []).Add(FieldValue(line, 5).ToArray());
            }

            if (newline < 0)
            {
                break;
            }

            position = newline + 1;
        }

        if (data is not null)
        {
            throw new InvalidOperationException("The fixture ends in the middle of an event.");
        }

        return frames;

        static ReadOnlySpan<byte> FieldValue(ReadOnlySpan<byte> line, int nameLength)
        {
            ReadOnlySpan<byte> value = line[nameLength..];
            return value.Length > 0 && value[0] == (byte)' ' ? value[1..] : value;
        }

        static byte[] Join(List<byte[]> lines) => lines.Count == 1 ? lines[0] : [.. lines.SelectMany((l, i) => i == 0 ? l : [(byte)'\n', .. l])];
    }

    /// <summary>Writes frames as <c>event: X\ndata: Y\n\n</c>.</summary>
    public static byte[] Build(IEnumerable<SseFrame> frames)
    {
        using var buffer = new MemoryStream();
        foreach (SseFrame frame in frames)
        {
            WriteFrame(buffer, frame);
        }

        return buffer.ToArray();
    }

    /// <summary>Every JSON value of <paramref name="data"/>, containers after their contents, root last.</summary>
    public static List<JsonNodeSpan> EnumerateNodes(byte[] data)
    {
        var nodes = new List<JsonNodeSpan>();
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var containers = new Stack<Container>();
        string? pendingName = null;
        int pendingNameStart = -1;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pendingName = reader.GetString();
                    pendingNameStart = (int)reader.TokenStartIndex;
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    Container done = containers.Pop();
                    nodes.Add(new JsonNodeSpan(done.Path, done.Kind, done.Start, (int)reader.BytesConsumed, done.MemberStart));
                    continue;
            }

            // A value: name it after its parent.
            string path;
            int? memberStart = null;
            if (containers.Count == 0)
            {
                path = "$";
            }
            else if (containers.Peek().Kind == JsonValueKind.Array)
            {
                Container parent = containers.Peek();
                path = $"{parent.Path}[{parent.NextIndex++}]";
            }
            else
            {
                path = $"{containers.Peek().Path}.{pendingName}";
                memberStart = pendingNameStart;
            }

            int start = (int)reader.TokenStartIndex;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    containers.Push(new Container(path, JsonValueKind.Object, start, memberStart));
                    break;
                case JsonTokenType.StartArray:
                    containers.Push(new Container(path, JsonValueKind.Array, start, memberStart));
                    break;
                default:
                    JsonValueKind kind = reader.TokenType switch
                    {
                        JsonTokenType.String => JsonValueKind.String,
                        JsonTokenType.Number => JsonValueKind.Number,
                        JsonTokenType.True => JsonValueKind.True,
                        JsonTokenType.False => JsonValueKind.False,
                        _ => JsonValueKind.Null,
                    };
                    nodes.Add(new JsonNodeSpan(path, kind, start, (int)reader.BytesConsumed, memberStart));
                    break;
            }
        }

        return nodes;
    }

    /// <summary>The mutations applied to one node: (name, replacement bytes); a null replacement removes the member.</summary>
    public static IEnumerable<(string Name, byte[]? Replacement)> MutationsFor(JsonNodeSpan node, ReadOnlySpan<byte> original)
    {
        var list = new List<(string, byte[]?)>();
        if (node.Kind != JsonValueKind.Null)
        {
            list.Add(("null", "null"u8.ToArray()));
        }

        string[] wrongTypes = node.Kind switch
        {
            JsonValueKind.String => ["42", "true"],
            JsonValueKind.Number => ["\"42\"", "true"],
            JsonValueKind.True or JsonValueKind.False => ["\"true\"", "1"],
            JsonValueKind.Object => ["\"x\"", "42"],
            JsonValueKind.Array => ["\"x\"", "42"],
            _ => ["\"x\"", "42"],
        };
        foreach (string wrong in wrongTypes)
        {
            list.Add(($"wrong type {wrong}", Encoding.UTF8.GetBytes(wrong)));
        }

        if (!original.SequenceEqual("{}"u8))
        {
            list.Add(("{}", "{}"u8.ToArray()));
        }

        if (!original.SequenceEqual("[]"u8))
        {
            list.Add(("[]", "[]"u8.ToArray()));
        }

        list.Add(("1e400", "1e400"u8.ToArray()));
        list.Add(("99999999999999999999", "99999999999999999999"u8.ToArray()));
        if (!original.SequenceEqual("-1"u8))
        {
            list.Add(("-1", "-1"u8.ToArray()));
        }

        list.Add(("100,000-char string", s_longString));
        list.Add(("invalid UTF-8 string", s_invalidUtf8));
        list.Add(("lone surrogate \"\\ud800\"", "\"\\ud800\""u8.ToArray()));
        if (node.MemberStart is not null)
        {
            list.Add(("member removed", null));
        }

        return list;
    }

    /// <summary>Replaces <paramref name="node"/> in <paramref name="data"/>, or removes it when it is a member and <paramref name="replacement"/> is null.</summary>
    public static byte[] Splice(byte[] data, JsonNodeSpan node, byte[]? replacement)
    {
        if (replacement is not null)
        {
            return [.. data.AsSpan(0, node.Start), .. replacement, .. data.AsSpan(node.End)];
        }

        int start = node.MemberStart ?? throw new InvalidOperationException("Only object members can be removed.");
        int end = node.End;
        int after = SkipWhitespace(data, end);
        if (after < data.Length && data[after] == (byte)',')
        {
            end = SkipWhitespace(data, after + 1); // "a": 1, "b"  ->  "b"
        }
        else
        {
            int before = start - 1;
            while (before >= 0 && IsWhitespace(data[before]))
            {
                before--;
            }

            if (before >= 0 && data[before] == (byte)',')
            {
                start = before; // "a": 1, "b": 2}  ->  "a": 1}
            }
        }

        return [.. data.AsSpan(0, start), .. data.AsSpan(end)];
    }

    /// <summary>Every case of one fixture, in a fixed order.</summary>
    public static IEnumerable<FuzzCase> Generate(string fixture)
    {
        IReadOnlyList<SseFrame> frames = LoadFrames(fixture);
        for (int i = 0; i < frames.Count; i++)
        {
            SseFrame frame = frames[i];
            string where = $"event #{i} '{frame.EventName}'";
            foreach (JsonNodeSpan node in EnumerateNodes(frame.Data))
            {
                ReadOnlySpan<byte> original = frame.Data.AsSpan(node.Start, node.End - node.Start);
                foreach ((string name, byte[]? replacement) in MutationsFor(node, original))
                {
                    byte[] data = Splice(frame.Data, node, replacement);
                    yield return new FuzzCase(fixture, MutationKind.Node, $"{where} {node.Path} ({node.Kind}) -> {name}", Replace(frames, i, data)) { Mutation = name };
                }
            }

            yield return new FuzzCase(fixture, MutationKind.EventData, $"{where} data -> non-JSON garbage", Replace(frames, i, "this is not JSON }{ \"x"u8.ToArray()));
            yield return new FuzzCase(fixture, MutationKind.EventData, $"{where} data -> binary garbage", Replace(frames, i, [0xFF, 0xFE, 0x00, 0x7B, 0xC0, 0x80]));
            yield return new FuzzCase(fixture, MutationKind.EventData, $"{where} data -> truncated JSON (first half)", Replace(frames, i, frame.Data[..(frame.Data.Length / 2)]));
            yield return new FuzzCase(fixture, MutationKind.EventData, $"{where} data -> truncated JSON (last byte dropped)", Replace(frames, i, frame.Data[..^1]));
            yield return new FuzzCase(fixture, MutationKind.EventData, $"{where} data -> empty (event not dispatched)", Replace(frames, i, []));

            // The connection closes before event i: cleanly at the boundary, or halfway through its data line.
            yield return new FuzzCase(fixture, MutationKind.Cut, $"stream cut before {where}", Build(frames.Take(i)));
            byte[] complete = Build(frames.Take(i));
            byte[] partial = Encoding.UTF8.GetBytes($"event: {frame.EventName}\ndata: ");
            yield return new FuzzCase(fixture, MutationKind.Cut, $"stream cut inside {where} (half its data, no blank line)", [.. complete, .. partial, .. frame.Data.AsSpan(0, frame.Data.Length / 2)]);
        }
    }

    private static byte[] Replace(IReadOnlyList<SseFrame> frames, int index, byte[] data) =>
        Build(frames.Select((frame, i) => i == index ? frame with { Data = data } : frame));

    private static void WriteFrame(MemoryStream buffer, SseFrame frame)
    {
        buffer.Write("event: "u8);
        buffer.Write(Encoding.UTF8.GetBytes(frame.EventName));
        buffer.Write("\ndata: "u8);
        buffer.Write(frame.Data);
        buffer.Write("\n\n"u8);
    }

    private static int SkipWhitespace(byte[] data, int index)
    {
        while (index < data.Length && IsWhitespace(data[index]))
        {
            index++;
        }

        return index;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    /// <summary>Mostly ASCII with some 2-, 3- and 4-byte characters, <paramref name="length"/> UTF-16 chars long.</summary>
    private static string LongText(int length)
    {
        var text = new StringBuilder(length + 8);
        while (text.Length < length)
        {
            text.Append("lorem ipsum dolor sit amet é € 😀 ");
        }

        text.Length = length;
        if (char.IsHighSurrogate(text[^1]))
        {
            text[^1] = 'x';
        }

        return text.ToString();
    }

    private sealed class Container(string path, JsonValueKind kind, int start, int? memberStart)
    {
        public string Path { get; } = path;

        public JsonValueKind Kind { get; } = kind;

        public int Start { get; } = start;

        public int? MemberStart { get; } = memberStart;

        public int NextIndex { get; set; }
    }
}
