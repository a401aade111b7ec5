using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace StreamingAgents.Tests.Readme;

/// <summary>
/// Compiles a README block the way a new console project would: the SDK's implicit usings, nullable on, the .NET
/// reference assemblies, System.Text.Json's source generator, and the packages a reader is told to add.
/// </summary>
internal static class ReadmeCompiler
{
    private static readonly string[] s_implicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] s_webImplicitUsings =
        ["System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing",
         "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"];

    private static readonly Lazy<(ImmutableArray<MetadataReference> References, ImmutableArray<ISourceGenerator> Generators)> s_environment = new(LoadEnvironment);

    public sealed record Result(ImmutableArray<Diagnostic> Errors, byte[]? Assembly, bool IsProgram);

    public static Result Compile(ReadmeCodeBlock block)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        SyntaxTree code = CSharpSyntaxTree.ParseText(block.Code, parse, path: block.ToString());
        bool isProgram = code.GetCompilationUnitRoot().Members.Any(static member => member is GlobalStatementSyntax);

        var trees = new List<SyntaxTree>
        {
            code,
            CSharpSyntaxTree.ParseText(string.Concat((block.IsWeb ? s_implicitUsings.Concat(s_webImplicitUsings) : s_implicitUsings).Select(static u => $"global using global::{u};\n")), parse, path: "ImplicitUsings.cs"),
        };
        trees.AddRange(block.EarlierBlocks.Select((earlier, i) => TypeDeclarationsOf(earlier, parse, $"{block.File} block {i + 1} (types)")));

        var compilation = CSharpCompilation.Create(
            $"Readme_{Path.GetFileNameWithoutExtension(block.File)}_{block.Number}_{Guid.NewGuid():N}",
            trees,
            s_environment.Value.References,
            new CSharpCompilationOptions(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(s_environment.Value.Generators, parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out ImmutableArray<Diagnostic> generatorDiagnostics);

        using var assembly = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = generated.Emit(assembly);
        ImmutableArray<Diagnostic> errors = [.. generatorDiagnostics.Concat(emitted.Diagnostics).Where(static d => d.Severity == DiagnosticSeverity.Error)];
        return new Result(errors, emitted.Success ? assembly.ToArray() : null, isProgram);
    }

    /// <summary>An earlier block's types (with its usings), without its statements: later blocks may build on them.</summary>
    private static SyntaxTree TypeDeclarationsOf(string code, CSharpParseOptions parse, string path)
    {
        CompilationUnitSyntax root = CSharpSyntaxTree.ParseText(code, parse).GetCompilationUnitRoot();
        CompilationUnitSyntax types = root.WithMembers([.. root.Members.Where(static member => member is not GlobalStatementSyntax)]);
        return CSharpSyntaxTree.ParseText(types.ToFullString(), parse, path: path);
    }

    private static (ImmutableArray<MetadataReference>, ImmutableArray<ISourceGenerator>) LoadEnvironment()
    {
        string referencePack = FindReferencePack();
        // .NET and ASP.NET Core's reference assemblies (the latter for README's web examples).
        string aspNetPack = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(referencePack)!)!, "Microsoft.AspNetCore.App.Ref", Path.GetFileName(referencePack));
        IEnumerable<string> framework = Directory.EnumerateFiles(Path.Combine(referencePack, "ref", "net10.0"), "*.dll")
            .Concat(Directory.Exists(aspNetPack) ? Directory.EnumerateFiles(Path.Combine(aspNetPack, "ref", "net10.0"), "*.dll") : []);

        // The packages of this repository and the ones README tells a reader to add, as the tests reference them.
        IEnumerable<string> packages = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Where(static path => Path.GetFileName(path) is var name
                && (name.StartsWith("StreamingAgents", StringComparison.Ordinal) && !name.StartsWith("StreamingAgents.Tests", StringComparison.Ordinal)
                    || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
                    || name.StartsWith("RichardSzalay.", StringComparison.Ordinal)
                    || name.StartsWith("StackExchange.Redis", StringComparison.Ordinal)
                    || name.StartsWith("OpenTelemetry", StringComparison.Ordinal)));

        ImmutableArray<MetadataReference> references = [.. framework.Concat(packages).Select(static path => MetadataReference.CreateFromFile(path))];
        var generator = new AnalyzerFileReference(
            Path.Combine(referencePack, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll"), new GeneratorLoader());
        return (references, [.. generator.GetGenerators(LanguageNames.CSharp)]);
    }

    /// <summary>The SDK's Microsoft.NETCore.App.Ref pack of the running runtime's major version.</summary>
    private static string FindReferencePack()
    {
        string dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        return Directory.EnumerateDirectories(packs, $"{Environment.Version.Major}.*")
            .OrderByDescending(static path => Version.TryParse(Path.GetFileName(path).Split('-')[0], out Version? v) ? v : new Version())
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"No Microsoft.NETCore.App.Ref {Environment.Version.Major}.x under {packs}: the .NET SDK is needed to compile README examples.");
    }

    private sealed class GeneratorLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
