namespace StreamingAgents.Tests.Readme;

/// <summary>One fenced <c>csharp</c> block of a README, with what came before it in the same file.</summary>
/// <remarks>
/// A comment line <c>&lt;!-- readme-test: web, compile-only --&gt;</c> right before a block says it is an ASP.NET Core
/// program (the Web SDK's implicit usings) and that it is compiled but not run (it would serve until stopped).
/// </remarks>
internal sealed record ReadmeCodeBlock(string File, int Number, int Line, string Code, IReadOnlyList<string> EarlierBlocks, string Flags = "")
{
    /// <summary>The READMEs whose examples are compiled and run, relative to the repository root.</summary>
    public static readonly string[] Files = ["README.md", "src/StreamingAgents/README.md", "src/StreamingAgents.Testing/README.md", "src/StreamingAgents.AspNetCore/README.md", "src/StreamingAgents.Redis/README.md"];

    public bool IsWeb => Flags.Contains("web", StringComparison.Ordinal);

    public bool IsCompileOnly => Flags.Contains("compile-only", StringComparison.Ordinal);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public override string ToString() => $"{File} block {Number} (line {Line})";

    public static IReadOnlyList<ReadmeCodeBlock> ReadAll() => [.. Files.SelectMany(Read)];

    public static IEnumerable<ReadmeCodeBlock> Read(string relativePath)
    {
        string[] lines = System.IO.File.ReadAllLines(Path.Combine(RepositoryRoot, relativePath));
        var blocks = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                continue;
            }

            int start = i + 1;
            int end = Array.FindIndex(lines, start, line => line.Trim() == "```");
            if (end < 0)
            {
                throw new InvalidDataException($"{relativePath}: the code block at line {start} is not closed.");
            }

            string code = string.Join('\n', lines[start..end]);
            string previous = i > 0 ? lines[i - 1].Trim() : string.Empty;
            string flags = previous.StartsWith("<!-- readme-test:", StringComparison.Ordinal) ? previous : string.Empty;
            yield return new ReadmeCodeBlock(relativePath, blocks.Count + 1, start + 1, code, [.. blocks], flags);
            blocks.Add(code);
            i = end;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "StreamingAgents.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No StreamingAgents.sln above {AppContext.BaseDirectory}.");
    }
}
