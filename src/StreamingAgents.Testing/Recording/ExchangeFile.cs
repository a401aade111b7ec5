using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Testing.Recording;

/// <summary>
/// Reads and writes the <c>NNNN.exchange.json</c> files of a recording (format documented in the package README):
/// indented JSON whose response body is a list of strings, one per Server-Sent Event, so a re-recording diffs by event.
/// </summary>
internal static class ExchangeFile
{
    public const string Format = "streamingagents-exchange-v1";
    public const string Extension = ".exchange.json";

    /// <summary>A day: longer is not a recording of one response but a broken file, and would overflow a delay.</summary>
    private const double MaxMilliseconds = 86_400_000;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 256 };

    public static string NameFor(int number) => number.ToString("D4", CultureInfo.InvariantCulture) + Extension;

    public static byte[] Write(RecordedExchange exchange)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteStartObject("request");
            writer.WriteString("method", exchange.Method);
            writer.WriteString("url", exchange.Url);
            WriteHeaders(writer, exchange.RequestHeaders);
            WriteRequestBody(writer, exchange.RequestBody);
            writer.WriteEndObject();
            if (exchange.Response is { } response)
            {
                WriteResponse(writer, response);
            }
            else if (exchange.Failure is { } failure)
            {
                writer.WriteStartObject("failure");
                writer.WriteString("type", failure.Type);
                writer.WriteString("message", failure.Message);
                writer.WriteNumber("ms", Math.Round(failure.Ms, 3));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid exchange; the message names the file and the JSON path.</exception>
    public static RecordedExchange Read(string path)
    {
        string fileName = Path.GetFileName(path);
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path), ReaderOptions);
            var reader = new Reader(fileName);
            return reader.Exchange(document.RootElement);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"Recording '{fileName}' is not valid JSON: {exception.Message}", exception);
        }
    }

    private static void WriteHeaders(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        writer.WriteStartObject("headers");
        foreach ((string name, string value) in headers)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>A JSON body is written as JSON (indented, so it diffs by line); anything else as text.</summary>
    private static void WriteRequestBody(Utf8JsonWriter writer, string body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body, ReaderOptions);
            writer.WritePropertyName("body");
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteString("body_text", body);
        }
    }

    private static void WriteResponse(Utf8JsonWriter writer, RecordedResponse response)
    {
        writer.WriteStartObject("response");
        writer.WriteNumber("status", response.Status);
        writer.WriteNumber("headers_ms", Math.Round(response.HeadersMs, 3));
        WriteHeaders(writer, response.Headers);
        if (Utf8.IsValid(response.Body))
        {
            writer.WriteStartArray("body");
            int offset = 0;
            foreach (int size in Chunking.PerEvent.GetChunkSizes(response.Body))
            {
                writer.WriteStringValue(Encoding.UTF8.GetString(response.Body, offset, size));
                offset += size;
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteBase64String("body_base64", response.Body);
        }

        writer.WriteStartArray("reads");
        foreach (RecordedRead read in response.Reads)
        {
            writer.WriteStartObject();
            writer.WriteNumber("ms", Math.Round(read.Ms, 3));
            writer.WriteNumber("bytes", read.Bytes);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("ending", response.Ending switch
        {
            RecordedEnding.Dropped => "dropped",
            RecordedEnding.Closed => "closed",
            _ => "end",
        });
        if (response.EndingMessage is { } message)
        {
            writer.WriteString("ending_message", message);
        }

        writer.WriteEndObject();
    }

    /// <summary>Validates as it reads, so a hand-edited or truncated file fails with the place that is wrong.</summary>
    private sealed class Reader(string fileName)
    {
        public RecordedExchange Exchange(JsonElement root)
        {
            RequireKind(root, JsonValueKind.Object, "$");
            string format = String(root, "format", "$");
            if (format != Format)
            {
                throw Invalid("$.format", $"is '{format}'; this version reads '{Format}'");
            }

            JsonElement request = Property(root, "request", "$", JsonValueKind.Object);
            bool hasResponse = root.TryGetProperty("response", out JsonElement response);
            bool hasFailure = root.TryGetProperty("failure", out JsonElement failure);
            if (hasResponse == hasFailure)
            {
                throw Invalid("$", "must have exactly one of 'response' and 'failure'");
            }

            return new RecordedExchange
            {
                FileName = fileName,
                Method = String(request, "method", "$.request"),
                Url = String(request, "url", "$.request"),
                RequestHeaders = Headers(request, "$.request"),
                RequestBody = RequestBody(request),
                Response = hasResponse ? Response(response) : null,
                Failure = hasFailure ? Failure(failure) : null,
            };
        }

        private string RequestBody(JsonElement request)
        {
            if (request.TryGetProperty("body", out JsonElement body))
            {
                try
                {
                    return body.GetRawText();
                }
                catch (InvalidOperationException)
                {
                    throw Invalid("$.request.body", "is not valid Unicode text");
                }
            }

            return String(request, "body_text", "$.request");
        }

        private RecordedResponse Response(JsonElement response)
        {
            const string Path = "$.response";
            RequireKind(response, JsonValueKind.Object, Path);
            int status = Int(response, "status", Path);
            if (status is < 100 or > 599)
            {
                throw Invalid($"{Path}.status", $"is {status}; an HTTP status lies in 100..599");
            }

            byte[] body = Body(response);
            var reads = new List<RecordedRead>();
            double headersMs = Milliseconds(response, "headers_ms", Path);
            double previous = headersMs;
            long total = 0;
            JsonElement readArray = Property(response, "reads", Path, JsonValueKind.Array);
            int index = 0;
            foreach (JsonElement read in readArray.EnumerateArray())
            {
                string readPath = $"{Path}.reads[{index++}]";
                RequireKind(read, JsonValueKind.Object, readPath);
                double ms = Milliseconds(read, "ms", readPath);
                int bytes = Int(read, "bytes", readPath);
                if (bytes <= 0)
                {
                    throw Invalid($"{readPath}.bytes", $"is {bytes}; a read delivers at least one byte");
                }

                if (ms < previous)
                {
                    throw Invalid($"{readPath}.ms", $"is {ms}, earlier than the read or headers before it ({previous})");
                }

                previous = ms;
                total += bytes;
                reads.Add(new RecordedRead(ms, bytes));
            }

            if (total != body.Length)
            {
                throw Invalid($"{Path}.reads", $"add up to {total} bytes but the body has {body.Length}");
            }

            string ending = String(response, "ending", Path);
            return new RecordedResponse
            {
                Status = status,
                HeadersMs = headersMs,
                Headers = Headers(response, Path),
                Body = body,
                Reads = reads,
                Ending = ending switch
                {
                    "end" => RecordedEnding.End,
                    "dropped" => RecordedEnding.Dropped,
                    "closed" => RecordedEnding.Closed,
                    _ => throw Invalid($"{Path}.ending", $"is '{ending}'; expected 'end', 'dropped' or 'closed'"),
                },
                EndingMessage = response.TryGetProperty("ending_message", out _) ? String(response, "ending_message", Path) : null,
            };
        }

        private byte[] Body(JsonElement response)
        {
            const string Path = "$.response";
            bool hasText = response.TryGetProperty("body", out JsonElement parts);
            bool hasBase64 = response.TryGetProperty("body_base64", out _);
            if (hasText == hasBase64)
            {
                throw Invalid(Path, "must have exactly one of 'body' and 'body_base64'");
            }

            if (hasBase64)
            {
                string base64 = String(response, "body_base64", Path);
                try
                {
                    return Convert.FromBase64String(base64);
                }
                catch (FormatException)
                {
                    throw Invalid($"{Path}.body_base64", "is not valid base64");
                }
            }

            RequireKind(parts, JsonValueKind.Array, $"{Path}.body");
            var text = new StringBuilder();
            int index = 0;
            foreach (JsonElement part in parts.EnumerateArray())
            {
                RequireKind(part, JsonValueKind.String, $"{Path}.body[{index++}]");
                text.Append(Text(part, $"{Path}.body[{index - 1}]"));
            }

            return Encoding.UTF8.GetBytes(text.ToString());
        }

        private RecordedFailure Failure(JsonElement failure)
        {
            const string Path = "$.failure";
            RequireKind(failure, JsonValueKind.Object, Path);
            return new RecordedFailure(String(failure, "type", Path), String(failure, "message", Path), Milliseconds(failure, "ms", Path));
        }

        private List<KeyValuePair<string, string>> Headers(JsonElement owner, string path)
        {
            JsonElement headers = Property(owner, "headers", path, JsonValueKind.Object);
            var list = new List<KeyValuePair<string, string>>();
            foreach (JsonProperty header in headers.EnumerateObject())
            {
                RequireKind(header.Value, JsonValueKind.String, $"{path}.headers.{header.Name}");
                list.Add(new(header.Name, Text(header.Value, $"{path}.headers.{header.Name}")));
            }

            return list;
        }

        private JsonElement Property(JsonElement owner, string name, string path, JsonValueKind kind)
        {
            if (!owner.TryGetProperty(name, out JsonElement value))
            {
                throw Invalid($"{path}.{name}", "is missing");
            }

            RequireKind(value, kind, $"{path}.{name}");
            return value;
        }

        private string String(JsonElement owner, string name, string path) => Text(Property(owner, name, path, JsonValueKind.String), $"{path}.{name}");

        /// <summary>A JSON string may still hold invalid UTF-8 or an escaped lone surrogate, which .NET strings cannot carry.</summary>
        private string Text(JsonElement value, string path)
        {
            try
            {
                return value.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw Invalid(path, "is not valid Unicode text");
            }
        }

        private int Int(JsonElement owner, string name, string path) =>
            Property(owner, name, path, JsonValueKind.Number).TryGetInt32(out int value)
                ? value
                : throw Invalid($"{path}.{name}", "is not a 32-bit integer");

        private double Milliseconds(JsonElement owner, string name, string path)
        {
            JsonElement number = Property(owner, name, path, JsonValueKind.Number);
            return number.TryGetDouble(out double value) && value is >= 0 and <= MaxMilliseconds
                ? value
                : throw Invalid($"{path}.{name}", $"is {number.GetRawText()}; expected milliseconds from 0 to {MaxMilliseconds} (a day)");
        }

        private void RequireKind(JsonElement value, JsonValueKind kind, string path)
        {
            if (value.ValueKind != kind)
            {
                throw Invalid(path, $"is {value.ValueKind.ToString().ToLowerInvariant()}; expected {kind.ToString().ToLowerInvariant()}");
            }
        }

        private InvalidDataException Invalid(string path, string problem) => new($"Recording '{fileName}': {path} {problem}.");
    }
}
