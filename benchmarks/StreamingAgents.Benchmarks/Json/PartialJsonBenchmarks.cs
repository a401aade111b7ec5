using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Json;

namespace StreamingAgents.Benchmarks.Json;

/// <summary>
/// A 1 MiB tool input arriving as 16-character <c>partial_json</c> fragments, accumulated and completed, against one
/// <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> of the whole input: linear cost means
/// a small constant factor. <c>CompleteDocument</c> is the like-for-like row (a document over memory the caller
/// keeps); <c>Complete</c> also pays for a value that owns a copy of its memory.
/// </summary>
[MemoryDiagnoser]
public class PartialJsonBenchmarks
{
    private byte[] _utf8 = [];
    private string[] _fragments = [];

    [GlobalSetup]
    public void Setup()
    {
        string json = ToolInput(1024 * 1024);
        _utf8 = Encoding.UTF8.GetBytes(json);
        _fragments = [.. json.Chunk(16).Select(chunk => new string(chunk))];
    }

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse (whole input)")]
    public int JsonDocumentParse()
    {
        using JsonDocument document = JsonDocument.Parse(_utf8);
        return document.RootElement.GetPropertyCount();
    }

    [Benchmark(Description = "PartialJsonAccumulator (16-char fragments) + Complete")]
    public int Accumulate()
    {
        using var json = new PartialJsonAccumulator();
        foreach (string fragment in _fragments)
        {
            json.Append(fragment);
        }

        return json.Complete().GetPropertyCount();
    }

    [Benchmark(Description = "PartialJsonAccumulator (16-char fragments) + CompleteDocument")]
    public int AccumulateToDocument()
    {
        using var json = new PartialJsonAccumulator();
        foreach (string fragment in _fragments)
        {
            json.Append(fragment);
        }

        using JsonDocument document = json.CompleteDocument();
        return document.RootElement.GetPropertyCount();
    }

    [Benchmark(Description = "PartialJsonAccumulator appends only")]
    public int AppendOnly()
    {
        using var json = new PartialJsonAccumulator();
        foreach (string fragment in _fragments)
        {
            json.Append(fragment);
        }

        return json.Length;
    }

    [Benchmark(Description = "PartialJsonAccumulator appends, tokenized after each")]
    public bool AppendAndTokenizeEach()
    {
        using var json = new PartialJsonAccumulator();
        bool valid = true;
        foreach (string fragment in _fragments)
        {
            json.Append(fragment);
            valid &= json.IsValid;
        }

        return valid;
    }

    [Benchmark(Description = "JsonDocument.Parse + Clone")]
    public int ParseAndClone()
    {
        using JsonDocument document = JsonDocument.Parse(_utf8);
        return document.RootElement.Clone().GetPropertyCount();
    }

    /// <summary>A write_file-like input: a long content string with escapes and non-ASCII text, plus structure.</summary>
    private static string ToolInput(int size)
    {
        var builder = new StringBuilder(size + 1024);
        builder.Append("{\"path\": \"src/Report.md\", \"overwrite\": true, \"tags\": [\"draft\", \"q3\", \"résumé\"], \"line_lengths\": [");
        for (int i = 0; i < 2000; i++)
        {
            builder.Append(i == 0 ? "" : ", ").Append(i * 37 % 120).Append(i % 7 == 0 ? ".5e1" : "");
        }

        builder.Append("], \"content\": \"");
        const string Line = "Quarterly results: revenue rose 12% \\u2014 see \\\"Table 3\\\". Café déjà vu 😀\\n";
        while (builder.Length < size - 64)
        {
            builder.Append(Line);
        }

        builder.Append("\", \"mode\": null}");
        return builder.ToString();
    }
}
