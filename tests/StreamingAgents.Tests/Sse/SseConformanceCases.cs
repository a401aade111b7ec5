using System.Text;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Sse;

/// <summary>
/// Conformance cases written from the WHATWG "event stream interpretation" section
/// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
/// Each case is its input bytes and the events a conforming reader dispatches.
/// </summary>
internal static class SseConformanceCases
{
    public sealed record Case(string Name, byte[] Input, ReadEvent[] Expected);

    public static IReadOnlyDictionary<string, Case> All { get; } = Build().ToDictionary(c => c.Name);

    private static ReadEvent Message(string data, string id = "", int? retryMs = null) =>
        new("message", data, id, retryMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);

    private static ReadEvent Typed(string type, string data, string id = "") => new(type, data, id);

    /// <summary>Concatenates text (as UTF-8) and raw byte arrays.</summary>
    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(part => part as byte[] ?? Encoding.UTF8.GetBytes((string)part))];

    private static IEnumerable<Case> Build()
    {
        // Line endings: "lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character
        // pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN (CR) character."
        yield return new("lf", Bytes("data: a\n\n"), [Message("a")]);
        yield return new("cr", Bytes("data: a\r\r"), [Message("a")]);
        yield return new("crlf", Bytes("data: a\r\n\r\n"), [Message("a")]);
        yield return new("mixed-line-ends", Bytes("data: a\r\ndata: b\rdata: c\n\r\n"), [Message("a\nb\nc")]);
        yield return new("cr-then-crlf", Bytes("data: a\r\r\n"), [Message("a")]);
        yield return new("lf-then-crlf", Bytes("data: a\n\r\n"), [Message("a")]);
        yield return new("lf-cr-is-two-line-ends", Bytes("data: a\n\rdata: b\n\n"), [Message("a"), Message("b")]);
        yield return new("crlf-events-back-to-back", Bytes("data: a\r\n\r\ndata: b\r\n\r\n"), [Message("a"), Message("b")]);
        yield return new("cr-cr-lf-lf", Bytes("data: a\r\r\n\ndata: b\n\n"), [Message("a"), Message("b")]);

        // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
        yield return new("bom-stripped", Bytes("\uFEFFdata: a\n\n"), [Message("a")]);
        yield return new("second-bom-is-part-of-field-name", Bytes("\uFEFF\uFEFFdata: a\n\ndata: b\n\n"), [Message("b")]);
        yield return new("bom-after-start-not-stripped", Bytes("data: a\n\n\uFEFFdata: b\n\n"), [Message("a")]);
        yield return new("bom-inside-value-kept", Bytes("data: \uFEFFa\n\n"), [Message("\uFEFFa")]);
        yield return new("partial-bom-is-field-name", Bytes(new byte[] { 0xEF, 0xBB }, "data: a\n\ndata: b\n\n"), [Message("b")]);

        // "If the line starts with a U+003A COLON character (:) - Ignore the line."
        yield return new("comment-before-data", Bytes(": comment\ndata: a\n\n"), [Message("a")]);
        yield return new("empty-comment", Bytes(":\n\n"), []);
        yield return new("comments-only", Bytes(": ping\n\n: ping\r\n\r\n"), []);
        yield return new("comment-between-data-lines", Bytes("data: a\n: note\ndata: b\n\n"), [Message("a\nb")]);
        yield return new("comment-with-colons", Bytes(":data: x\n\ndata: y\n\n"), [Message("y")]);

        // Field parsing: no colon means "using the whole line as the field name, and the empty string as the field
        // value"; "If value starts with a U+0020 SPACE character, remove it from value."
        yield return new("data-without-colon", Bytes("data\n\n"), [Message("")]);
        yield return new("data-colon-empty", Bytes("data:\n\n"), [Message("")]);
        yield return new("data-colon-space-empty", Bytes("data: \n\n"), [Message("")]);
        yield return new("only-one-space-stripped", Bytes("data:  a\n\n"), [Message(" a")]);
        yield return new("no-space-after-colon", Bytes("data:a\n\n"), [Message("a")]);
        yield return new("tab-not-stripped", Bytes("data:\ta\n\n"), [Message("\ta")]);
        yield return new("value-keeps-later-colons", Bytes("data: a:b: c\n\n"), [Message("a:b: c")]);
        yield return new("value-is-colon", Bytes("data::\n\n"), [Message(":")]);
        yield return new("trailing-spaces-kept", Bytes("data: a  \n\n"), [Message("a  ")]);

        // "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF) character" and at
        // dispatch "If the data buffer's last character is a U+000A LINE FEED (LF) character, then remove the last
        // character from the data buffer."
        yield return new("three-data-lines", Bytes("data: a\ndata: b\ndata: c\n\n"), [Message("a\nb\nc")]);
        yield return new("two-empty-data-lines", Bytes("data\ndata\n\n"), [Message("\n")]);
        yield return new("data-then-empty-data", Bytes("data: a\ndata\n\n"), [Message("a\n")]);
        yield return new("empty-data-then-data", Bytes("data:\ndata: b\n\n"), [Message("\nb")]);
        yield return new("data-lines-around-other-fields", Bytes("data: a\nevent: e\nid: 1\ndata: b\n\n"), [Typed("e", "a\nb", "1")]);

        // "Otherwise - The field is ignored." Field names are compared exactly.
        yield return new("unknown-field-ignored", Bytes("foo: bar\ndata: a\n\n"), [Message("a")]);
        yield return new("field-names-case-sensitive", Bytes("Data: a\nDATA: b\n\n"), []);
        yield return new("space-before-colon-changes-field", Bytes("data : a\n\n"), []);
        yield return new("leading-space-changes-field", Bytes(" data: a\n\n"), []);
        yield return new("unknown-field-only-event-not-dispatched", Bytes("foo\n\n"), []);

        // "event": "Set the event type buffer to field value." At dispatch, "If the event type buffer has a value
        // other than the empty string, change the type of the newly created event to equal the value of the event
        // type buffer", then "Set the data buffer and the event type buffer to the empty string."
        yield return new("event-type", Bytes("event: add\ndata: 1\n\n"), [Typed("add", "1")]);
        yield return new("event-type-reset-after-dispatch", Bytes("event: add\ndata: 1\n\ndata: 2\n\n"), [Typed("add", "1"), Message("2")]);
        yield return new("event-type-reset-by-empty-event", Bytes("event: add\n\ndata: 2\n\n"), [Message("2")]);
        yield return new("last-event-field-wins", Bytes("event: a\nevent: b\ndata: x\n\n"), [Typed("b", "x")]);
        yield return new("event-without-colon-is-message", Bytes("event\ndata: x\n\n"), [Message("x")]);
        yield return new("event-empty-value-is-message", Bytes("event:\ndata: x\n\n"), [Message("x")]);
        yield return new("event-named-message", Bytes("event: message\ndata: x\n\n"), [Message("x")]);
        yield return new("event-anthropic-name", Bytes("event: content_block_delta\ndata: {}\n\n"), [Typed("content_block_delta", "{}")]);
        yield return new("event-after-data", Bytes("data: x\nevent: late\n\n"), [Typed("late", "x")]);
        yield return new("event-non-ascii", Bytes("event: h\u00E9llo \u2713\ndata: x\n\n"), [Typed("h\u00E9llo \u2713", "x")]);
        yield return new("event-repeated-custom-name", Bytes("event: tick\ndata: 1\n\nevent: tick\ndata: 2\n\nevent: tock\ndata: 3\n\n"),
            [Typed("tick", "1"), Typed("tick", "2"), Typed("tock", "3")]);

        // "If the data buffer is an empty string, set the data buffer and the event type buffer to the empty string
        // and return."
        yield return new("event-without-data-not-dispatched", Bytes("event: x\n\n"), []);
        yield return new("blank-lines-only", Bytes("\n\n\r\n\r\r"), []);

        // "id": "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the field
        // value. Otherwise, ignore the field." The buffer is never reset, so it persists across events.
        yield return new("id-applies", Bytes("id: 1\ndata: a\n\n"), [Message("a", "1")]);
        yield return new("id-persists", Bytes("id: 1\ndata: a\n\ndata: b\n\n"), [Message("a", "1"), Message("b", "1")]);
        yield return new("id-changes", Bytes("id: 1\ndata: a\n\nid: 2\ndata: b\n\n"), [Message("a", "1"), Message("b", "2")]);
        yield return new("id-with-nul-ignored", Bytes("id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n"), [Message("a", "1"), Message("b", "1")]);
        yield return new("id-empty-resets", Bytes("id: 1\ndata: a\n\nid\ndata: b\n\n"), [Message("a", "1"), Message("b")]);
        yield return new("id-set-by-undispatched-event", Bytes("id: 7\n\ndata: a\n\n"), [Message("a", "7")]);
        yield return new("id-after-data-in-same-event", Bytes("data: a\nid: 5\n\n"), [Message("a", "5")]);
        yield return new("id-non-ascii", Bytes("id: \u00E9\u00E8\ndata: a\n\n"), [Message("a", "\u00E9\u00E8")]);

        // "retry": "If the field value consists of only ASCII digits, then interpret the field value as an integer in
        // base ten, and set the event stream's reconnection time to that integer. Otherwise, ignore the field."
        yield return new("retry-applies", Bytes("retry: 1000\ndata: a\n\n"), [Message("a", retryMs: 1000)]);
        yield return new("retry-applies-to-one-event", Bytes("retry: 1000\ndata: a\n\ndata: b\n\n"), [Message("a", retryMs: 1000), Message("b")]);
        yield return new("retry-zero", Bytes("retry: 0\ndata: a\n\n"), [Message("a", retryMs: 0)]);
        yield return new("retry-non-digit-ignored", Bytes("retry: 10x\ndata: a\n\n"), [Message("a")]);
        yield return new("retry-empty-ignored", Bytes("retry:\ndata: a\n\n"), [Message("a")]);
        yield return new("retry-negative-ignored", Bytes("retry: -1\ndata: a\n\n"), [Message("a")]);
        yield return new("retry-trailing-nul-ignored", Bytes("retry: 7\u0000\ndata: a\n\n"), [Message("a")]);
        yield return new("retry-extra-space-ignored", Bytes("retry:  100\ndata: a\n\n"), [Message("a")]);
        yield return new("retry-overflow-ignored", Bytes("retry: 99999999999999999999\ndata: a\n\n"), [Message("a")]);
        yield return new("retry-carries-over-undispatched-event", Bytes("retry: 500\n\ndata: a\n\n"), [Message("a", retryMs: 500)]);
        yield return new("retry-last-valid-wins", Bytes("retry: 5\nretry: 6\nretry: x\ndata: a\n\n"), [Message("a", retryMs: 6)]);

        // "Once the end of the file is reached, any pending data must be discarded."
        yield return new("eof-unterminated-line", Bytes("data: a"), []);
        yield return new("eof-without-blank-line", Bytes("data: a\n"), []);
        yield return new("eof-after-complete-event", Bytes("data: a\n\ndata: b\n"), [Message("a")]);
        yield return new("eof-after-cr-line-end", Bytes("data: a\r"), []);
        yield return new("eof-cr-blank-line-dispatches", Bytes("data: a\n\r"), [Message("a")]);
        yield return new("empty-stream", Bytes(""), []);

        // UTF-8: the stream is decoded with "UTF-8 decode", so invalid sequences become U+FFFD.
        yield return new("utf8-multibyte", Bytes("data: h\u00E9llo w\u00F6rld \u2713 \U0001F600 \u4E2D\u6587\n\n"), [Message("h\u00E9llo w\u00F6rld \u2713 \U0001F600 \u4E2D\u6587")]);
        yield return new("utf8-invalid-bytes", Bytes("data: ", new byte[] { 0xFF, 0xFE }, "\n\n"), [Message("\uFFFD\uFFFD")]);
        yield return new("utf8-truncated-sequence", Bytes("data: a", new byte[] { 0xE2, 0x9C }, "\n\n"), [Message("a\uFFFD")]);
        yield return new("utf8-overlong", Bytes("data: ", new byte[] { 0xC0, 0xAF }, "\n\n"), [Message("\uFFFD\uFFFD")]);
        yield return new("utf8-invalid-in-event-type", Bytes("event: a", new byte[] { 0x80 }, "\ndata: x\n\n"), [Typed("a\uFFFD", "x")]);
        yield return new("utf8-lone-surrogate-encoding", Bytes("data: ", new byte[] { 0xED, 0xA0, 0x80 }, "\n\n"), [Message("\uFFFD\uFFFD\uFFFD")]);
        yield return new("nul-in-data-kept", Bytes("data: a\u0000b\n\n"), [Message("a\u0000b")]);

        // Streams shaped like the Anthropic Messages API, and data long enough to outgrow small buffers.
        yield return new("anthropic-sequence", Bytes(
            "event: message_start\ndata: {\"type\":\"message_start\"}\n\n",
            "event: ping\ndata: {\"type\": \"ping\"}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi \u00E9\"}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"),
            [Typed("message_start", "{\"type\":\"message_start\"}"), Typed("ping", "{\"type\": \"ping\"}"),
             Typed("content_block_delta", "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi \u00E9\"}}"),
             Typed("message_stop", "{\"type\":\"message_stop\"}")]);
        string longValue = string.Concat(Enumerable.Range(0, 300).Select(i => $"{i % 10}\u00E9"));
        yield return new("long-data-line", Bytes($"data: {longValue}\n\n"), [Message(longValue)]);
        yield return new("long-multi-line-data", Bytes($"data: {longValue}\r\ndata: {longValue}\r\n\r\n"), [Message($"{longValue}\n{longValue}")]);
    }
}
