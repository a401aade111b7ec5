using System.Reflection;
using System.Runtime.Loader;
using StreamingAgents.Http;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Readme;

/// <summary>
/// Every C# block of the READMEs, read from the files themselves: it compiles as a reader would paste it into a new
/// console project, and a block that is a program runs to the end against a fake API on loopback.
/// </summary>
[Collection(ProcessWideState.Name)]
public sealed class ReadmeExamplesTests
{
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (ReadmeCodeBlock block in ReadmeCodeBlock.ReadAll())
        {
            data.Add(block.File, block.Number);
        }

        return data;
    }

    [Fact]
    public void ReadAll_EveryReadme_HasExamples()
    {
        IReadOnlyList<ReadmeCodeBlock> blocks = ReadmeCodeBlock.ReadAll();

        Assert.All(ReadmeCodeBlock.Files, file => Assert.Contains(blocks, block => block.File == file));
        Assert.Contains(blocks, block => block.Code.Contains("AddTool<SearchOrdersTool>()", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task Block_AsWritten_CompilesAndRuns(string file, int number)
    {
        ReadmeCodeBlock block = ReadmeCodeBlock.Read(file).Single(b => b.Number == number);

        ReadmeCompiler.Result compiled = ReadmeCompiler.Compile(block);

        Assert.True(compiled.Errors.IsEmpty, $"{block} does not compile:\n{string.Join('\n', compiled.Errors)}");
        if (compiled.IsProgram && !block.IsCompileOnly)
        {
            (string output, LoopbackAnthropicServer server) = await RunAsync(compiled.Assembly!);
            await using (server)
            {
                Assert.DoesNotContain("Failed", output, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task QuickStart_Run_StreamsTextAndShowsTheToolCallAndItsResult()
    {
        ReadmeCodeBlock quickStart = ReadmeCodeBlock.Read("README.md").First();
        ReadmeCompiler.Result compiled = ReadmeCompiler.Compile(quickStart);
        Assert.True(compiled.Errors.IsEmpty, string.Join('\n', compiled.Errors));

        (string output, LoopbackAnthropicServer server) = await RunAsync(compiled.Assembly!);
        await using (server)
        {
            Assert.StartsWith("Let me check.\n🔍 Searching order database…\n✓ search_orders (", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.EndsWith(LoopbackAnthropicServer.Answer, output, StringComparison.Ordinal);
            Assert.Equal(2, server.Requests.Count);
            Assert.Contains("Order ORD-12345: shipped", server.Requests[1], StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Runs a program with the API key and base address a reader would have in the environment, pointing at a fake
    /// API on loopback, and returns what it wrote.
    /// </summary>
    private static async Task<(string Output, LoopbackAnthropicServer Server)> RunAsync(byte[] assembly)
    {
        var server = new LoopbackAnthropicServer();
        string? apiKey = Environment.GetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable);
        string? baseUrl = Environment.GetEnvironmentVariable(AnthropicClientOptions.BaseUrlEnvironmentVariable);
        TextWriter console = Console.Out;
        var output = new StringWriter();
        var context = new AssemblyLoadContext("readme", isCollectible: true);
        try
        {
            Environment.SetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable, "sk-ant-readme-test");
            Environment.SetEnvironmentVariable(AnthropicClientOptions.BaseUrlEnvironmentVariable, server.BaseUrl.ToString());
            Console.SetOut(output);
            MethodInfo entryPoint = context.LoadFromStream(new MemoryStream(assembly)).EntryPoint!;
            object?[] arguments = entryPoint.GetParameters().Length == 0 ? [] : [Array.Empty<string>()];
            await Task.Run(() => entryPoint.Invoke(null, arguments)).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TargetInvocationException failure)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"The program failed; it wrote:\n{output}", failure.InnerException);
        }
        finally
        {
            Console.SetOut(console);
            Environment.SetEnvironmentVariable(AnthropicClientOptions.ApiKeyEnvironmentVariable, apiKey);
            Environment.SetEnvironmentVariable(AnthropicClientOptions.BaseUrlEnvironmentVariable, baseUrl);
            context.Unload();
        }

        return (output.ToString(), server);
    }
}
