using System.Diagnostics.CodeAnalysis;

namespace StreamingAgents.Tools;

/// <summary>The default <see cref="IToolRegistry"/>: tools added in code or resolved from dependency injection.</summary>
public sealed class ToolRegistry : IToolRegistry
{
    private readonly Dictionary<string, AgentTool> _byName = new(StringComparer.Ordinal);
    private readonly List<AgentTool> _tools = [];

    /// <summary>Initializes a registry holding <paramref name="tools"/>.</summary>
    /// <param name="tools">The tools; names must be unique.</param>
    /// <exception cref="ArgumentException">Two tools share a name.</exception>
    public ToolRegistry(IEnumerable<AgentTool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        foreach (AgentTool tool in tools)
        {
            Add(tool);
        }
    }

    /// <summary>Initializes an empty registry.</summary>
    public ToolRegistry()
        : this([])
    {
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<AgentTool> Tools => _tools;

    /// <summary>Adds a tool.</summary>
    /// <param name="tool">The tool.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">A tool with the same name is already registered.</exception>
    public ToolRegistry Add(AgentTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        if (!_byName.TryAdd(tool.Name, tool))
        {
            throw new ArgumentException(
                $"A tool named '{tool.Name}' is already registered ({_byName[tool.Name].GetType().Name}); tool names must be unique.", nameof(tool));
        }

        _tools.Add(tool);
        return this;
    }

    /// <inheritdoc/>
    public bool TryGetTool(string name, [NotNullWhen(true)] out AgentTool? tool) => _byName.TryGetValue(name, out tool);
}

/// <summary>Narrows a registry.</summary>
internal static class ToolRegistryExtensions
{
    /// <summary>The tools of <paramref name="registry"/> named in <paramref name="names"/>, in registration order.</summary>
    /// <exception cref="ArgumentException">A name is not one of the registry's tools.</exception>
    public static IToolRegistry Only(this IToolRegistry registry, IReadOnlyCollection<string> names)
    {
        foreach (string name in names)
        {
            if (!registry.TryGetTool(name, out _))
            {
                throw new ArgumentException(
                    $"AgentRunOptions.Tools names '{name}', which is not one of the agent's tools ({string.Join(", ", registry.Tools.Select(static tool => tool.Name))}).",
                    nameof(names));
            }
        }

        var allowed = new HashSet<string>(names, StringComparer.Ordinal);
        return new ToolRegistry(registry.Tools.Where(tool => allowed.Contains(tool.Name)));
    }
}
