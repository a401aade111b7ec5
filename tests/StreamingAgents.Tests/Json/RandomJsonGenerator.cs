using System.Globalization;
using System.Text;

namespace StreamingAgents.Tests.Json;

/// <summary>Writes seeded random JSON objects: nesting, whitespace, escapes, surrogate pairs, exponents.</summary>
internal static class RandomJsonGenerator
{
    private static readonly string[] s_plainPieces = ["a", "Z", "9", " ", "é", "ß", "中文", "😀", "🎉", "~", ":", ",", "{", "]"];
    private static readonly string[] s_escapes = ["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u00e9", "\\u4E2D", "\\ud83d\\ude00", "\\u0000"];

    public static string Generate(int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        WriteObject(random, builder, depth: 0);
        return builder.ToString();
    }

    private static void WriteValue(Random random, StringBuilder builder, int depth)
    {
        int kind = random.Next(depth >= 4 ? 6 : 8);
        switch (kind)
        {
            case 0 or 1: WriteString(random, builder); break;
            case 2 or 3: WriteNumber(random, builder); break;
            case 4: builder.Append(random.Next(2) == 0 ? "true" : "false"); break;
            case 5: builder.Append("null"); break;
            case 6: WriteObject(random, builder, depth + 1); break;
            default: WriteArray(random, builder, depth + 1); break;
        }
    }

    private static void WriteObject(Random random, StringBuilder builder, int depth)
    {
        builder.Append('{');
        int count = random.Next(depth == 0 ? 1 : 0, 6);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            Whitespace(random, builder);
            WriteString(random, builder);
            Whitespace(random, builder);
            builder.Append(':');
            Whitespace(random, builder);
            WriteValue(random, builder, depth);
            Whitespace(random, builder);
        }

        builder.Append('}');
    }

    private static void WriteArray(Random random, StringBuilder builder, int depth)
    {
        builder.Append('[');
        int count = random.Next(0, 6);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            Whitespace(random, builder);
            WriteValue(random, builder, depth);
            Whitespace(random, builder);
        }

        builder.Append(']');
    }

    private static void WriteString(Random random, StringBuilder builder)
    {
        builder.Append('"');
        int pieces = random.Next(0, 10);
        for (int i = 0; i < pieces; i++)
        {
            builder.Append(random.Next(4) == 0 ? s_escapes[random.Next(s_escapes.Length)] : s_plainPieces[random.Next(s_plainPieces.Length)]);
        }

        builder.Append('"');
    }

    private static void WriteNumber(Random random, StringBuilder builder)
    {
        if (random.Next(2) == 0)
        {
            builder.Append('-');
        }

        builder.Append(random.Next(4) == 0 ? "0" : random.Next(1, 100_000).ToString(CultureInfo.InvariantCulture));
        if (random.Next(2) == 0)
        {
            builder.Append('.').Append(random.Next(0, 1000).ToString(CultureInfo.InvariantCulture));
        }

        if (random.Next(3) == 0)
        {
            builder.Append(random.Next(2) == 0 ? 'e' : 'E').Append(random.Next(3) switch { 0 => "+", 1 => "-", _ => "" }).Append(random.Next(0, 30));
        }
    }

    private static void Whitespace(Random random, StringBuilder builder)
    {
        if (random.Next(3) == 0)
        {
            builder.Append(random.Next(4) switch { 0 => " ", 1 => "\n  ", 2 => "\t", _ => "\r\n" });
        }
    }
}
