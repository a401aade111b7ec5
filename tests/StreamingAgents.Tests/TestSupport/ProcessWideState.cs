namespace StreamingAgents.Tests.TestSupport;

/// <summary>Tests that change process-wide state (environment variables, <see cref="Console.Out"/>) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideState
{
    public const string Name = "Process-wide state";
}
