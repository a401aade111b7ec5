namespace StreamingAgents.Tests.Readme;

/// <summary>One fenced <c>csharp</c> block of a README, with what came before it in the same file.</summary>
internal sealed record ReadmeCodeBlock(string File, int Number, int Line, string Code, IReadOnlyList<string> EarlierBlocks)
{
    /// <summary>The READMEs whose examples are compiled and run, relative to the repository root.</summary>
    public static readonly string[] Files = ["README.md", "src/StreamingAgents/README.md", "src/StreamingAgents.Testing/README.md"];

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
            yield return new ReadmeCodeBlock(relativePath, blocks.Count + 1, start + 1, code, [.. blocks]);
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
