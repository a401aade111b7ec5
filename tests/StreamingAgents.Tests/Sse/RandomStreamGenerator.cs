using System.Text;

namespace StreamingAgents.Tests.Sse;

/// <summary>Writes seeded random event streams: every field kind, line end, comment and UTF-8 hazard.</summary>
/// <remarks>
/// <see cref="System.Net.ServerSentEvents.SseParser"/> keeps the event type across a blank line that dispatches
/// nothing, where the spec says "If the data buffer is an empty string, set the data buffer and the event type buffer
/// to the empty string and return" (our reader follows the spec; the conformance cases check it). So that the two
/// can be compared, the generator never ends an event that has an <c>event</c> field but no <c>data</c> field.
/// Likewise <see cref="System.Net.ServerSentEvents.SseParser"/> accepts a <c>retry</c> value with trailing NUL
/// characters (.NET number parsing ignores them), where the spec accepts a value that "consists of only ASCII digits";
/// retry values here are written by <see cref="RetryValue"/>, never from random text.
/// </remarks>
internal static class RandomStreamGenerator
{
    private static readonly string[] s_lineEnds = ["\n", "\r", "\r\n"];
    private static readonly string[] s_fieldNames = ["data", "data", "data", "event", "id", "foo", "Data", "dat", "data "];
    private static readonly string[] s_textPieces = ["a", "Z", "7", " ", ":", "  ", "\t", "{\"k\":1}", "é", "ß", "✓", "中", "😀", "\u0000", "message", "ping"];
    private static readonly byte[][] s_invalidPieces = [[0xFF], [0x80], [0xC3], [0xE2, 0x9C], [0xF0, 0x9F, 0x98], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF]];

    public static byte[] Generate(int seed)
    {
        var random = new Random(seed);
        var output = new List<byte>();
        if (random.Next(8) == 0)
        {
            output.AddRange([0xEF, 0xBB, 0xBF]);
        }

        var state = new EventState();
        int lines = random.Next(0, 40);
        string previousEnd = "\n";
        for (int i = 0; i < lines; i++)
        {
            bool blank = WriteLine(random, output, state);
            string end = s_lineEnds[random.Next(s_lineEnds.Length)];
            if (blank && previousEnd == "\r" && end == "\n")
            {
                end = "\r"; // "\r" + "\n" would be one CRLF line end, and this blank line would vanish
            }

            output.AddRange(Encoding.ASCII.GetBytes(end));
            previousEnd = end;
        }

        if (random.Next(4) == 0)
        {
            WriteLine(random, output, state); // an unterminated last line
        }

        return [.. output];
    }

    /// <summary>Writes one line without its line end; returns whether it was blank.</summary>
    private static bool WriteLine(Random random, List<byte> output, EventState state)
    {
        int kind = random.Next(12);
        if (kind <= 2 && state.HasEventType && !state.HasData)
        {
            kind = 6; // see remarks: write a field instead of ending an event that has a type but no data
        }

        switch (kind)
        {
            case 0 or 1 or 2:
                state.HasData = state.HasEventType = false;
                return true; // blank line: dispatch
            case 3:
                output.Add((byte)':');
                WriteValue(random, output);
                return false;
            case 4:
                WriteFieldName(random, output, state);
                return false; // field without a colon
            case 5:
                output.AddRange(Encoding.ASCII.GetBytes(random.Next(3) == 0 ? "retry:" : "retry: "));
                output.AddRange(Encoding.ASCII.GetBytes(RetryValue(random)));
                return false;
            default:
                WriteFieldName(random, output, state);
                output.AddRange(Encoding.ASCII.GetBytes(random.Next(3) == 0 ? ":" : ": "));
                WriteValue(random, output);
                return false;
        }
    }

    private static void WriteFieldName(Random random, List<byte> output, EventState state)
    {
        string name = s_fieldNames[random.Next(s_fieldNames.Length)];
        state.HasData |= name == "data";
        state.HasEventType |= name == "event";
        output.AddRange(Encoding.ASCII.GetBytes(name));
    }

    private static string RetryValue(Random random) => random.Next(6) switch
    {
        0 => "",
        1 => "12a",
        2 => "-5",
        3 => "99999999999999999999",
        _ => random.Next(0, 100_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void WriteValue(Random random, List<byte> output)
    {
        int pieces = random.Next(0, 8);
        for (int i = 0; i < pieces; i++)
        {
            if (random.Next(10) == 0)
            {
                output.AddRange(s_invalidPieces[random.Next(s_invalidPieces.Length)]);
            }
            else
            {
                output.AddRange(Encoding.UTF8.GetBytes(s_textPieces[random.Next(s_textPieces.Length)]));
            }
        }
    }

    private sealed class EventState
    {
        public bool HasData { get; set; }

        public bool HasEventType { get; set; }
    }
}
