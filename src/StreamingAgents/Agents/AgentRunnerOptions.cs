namespace StreamingAgents.Agents;

/// <summary>Limits and behaviour of <see cref="AgentRunner"/>.</summary>
public sealed class AgentRunnerOptions
{
    /// <summary>
    /// Gets or sets the agent's model, used when a run's request names none; <see langword="null"/> for the client's
    /// default (<see cref="Http.AnthropicClientOptions.Model"/>).
    /// </summary>
    public string? Model { get; set; }

    /// <summary>
    /// Gets or sets the agent's token limit per response, used when a run's request sets none; <see langword="null"/>
    /// for the client's default.
    /// </summary>
    public int? MaxTokens { get; set; }

    /// <summary>Gets or sets the agent's system prompt, used when a run's request has none.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>Gets or sets the most model responses in one run. Defaults to 10.</summary>
    public int MaxTurns { get; set; } = 10;

    /// <summary>Gets or sets how many tools may run at once. Defaults to 4.</summary>
    public int MaxConcurrentTools { get; set; } = 4;

    /// <summary>Gets or sets the time limit of a tool that sets none. Defaults to 2 minutes.</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets whether tool inputs and results are recorded on the <c>execute_tool</c> spans
    /// (<c>gen_ai.tool.call.arguments</c>, <c>gen_ai.tool.call.result</c>). Off by default: they are user data.
    /// </summary>
    public bool RecordContentInTelemetry { get; set; }

    /// <summary>
    /// Gets or sets how long a tool call that needs approval (<see cref="Tools.AgentTool.RequiresApproval"/>) waits for
    /// an answer; then it is not run, and the model is told nobody approved it. Defaults to 10 minutes.
    /// </summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how many tool results in a row may be errors before the run stops. Defaults to 3.</summary>
    public int MaxConsecutiveToolErrors { get; set; } = 3;

    /// <summary>
    /// Gets or sets how many times a turn whose stream fails after its first event (an <c>error</c> event such as
    /// <c>overloaded_error</c>, a dropped connection, a liveness timeout) starts again. Defaults to 2.
    /// </summary>
    /// <remarks>
    /// Failures before the first event are the client's to retry (<see cref="Http.AnthropicClientOptions.MaxRetries"/>);
    /// the runner does not retry them again. (Each turn retry is a new request, with the client's budget for its start.)
    /// </remarks>
    public int MaxStreamRetries { get; set; } = 2;

    /// <summary>Gets or sets the delay before the first turn retry; later ones grow linearly. Defaults to 1 s.</summary>
    public TimeSpan StreamRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets what happens when a response stops at <c>max_tokens</c>. Defaults to <see cref="MaxTokensBehavior.EndRun"/>.</summary>
    public MaxTokensBehavior OnMaxTokens { get; set; } = MaxTokensBehavior.EndRun;

    /// <summary>Gets or sets how much of a tool's exception the model sees. Defaults to <see cref="ToolErrorDetail.Message"/>.</summary>
    public ToolErrorDetail ToolErrorDetail { get; set; } = ToolErrorDetail.Message;

    /// <summary>
    /// Gets or sets the input size up to which <see cref="ToolInputProgress"/> carries a snapshot of the input so far.
    /// Each snapshot costs time proportional to the input, so very large inputs stream fragments only. Defaults to 64 KiB.
    /// </summary>
    public int MaxInputSnapshotBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Gets or sets how much of a tool's result <see cref="ToolCallCompleted"/> carries on the wire (its JSON
    /// <c>result</c>), in characters; the model and <see cref="ToolCallCompleted.Result"/> get all of it. Defaults to
    /// 4096.
    /// </summary>
    public int ToolResultPreviewLength { get; set; } = 4096;

    /// <summary>
    /// Gets or sets how many events of running tools may wait for a slow consumer; then tools wait to report their
    /// completion until the consumer catches up. (The model stream needs no such bound: the consumer pulls it, so it
    /// is read no faster than it is consumed.) No event is dropped. Defaults to 2048.
    /// </summary>
    /// <remarks>
    /// Tool status reports (<see cref="Tools.ToolContext.ReportStatus"/>) cannot wait: while the limit is reached, only
    /// each running call's latest status is kept, and sent when there is room.
    /// </remarks>
    public int MaxBufferedEvents { get; set; } = 2048;

    /// <summary>Lists what is out of range, one sentence per setting.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        AtLeast(problems, MaxTurns, 1, nameof(MaxTurns));
        AtLeast(problems, MaxConcurrentTools, 1, nameof(MaxConcurrentTools));
        AtLeast(problems, MaxConsecutiveToolErrors, 1, nameof(MaxConsecutiveToolErrors));
        AtLeast(problems, MaxStreamRetries, 0, nameof(MaxStreamRetries));
        AtLeast(problems, MaxInputSnapshotBytes, 0, nameof(MaxInputSnapshotBytes));
        AtLeast(problems, MaxBufferedEvents, 1, nameof(MaxBufferedEvents));
        AtLeast(problems, ToolResultPreviewLength, 0, nameof(ToolResultPreviewLength));
        if (ToolTimeout <= TimeSpan.Zero && ToolTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"AgentRunnerOptions.ToolTimeout must be positive (or Timeout.InfiniteTimeSpan for none); it is {ToolTimeout}.");
        }

        if (ApprovalTimeout <= TimeSpan.Zero && ApprovalTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"AgentRunnerOptions.ApprovalTimeout must be positive (or Timeout.InfiniteTimeSpan for none); it is {ApprovalTimeout}.");
        }

        if (MaxTokens is <= 0)
        {
            problems.Add($"AgentRunnerOptions.MaxTokens must be positive when set; it is {MaxTokens}.");
        }

        if (Model is not null && string.IsNullOrWhiteSpace(Model))
        {
            problems.Add("AgentRunnerOptions.Model is blank: name a model, or leave it null for the client's default.");
        }

        if (StreamRetryDelay < TimeSpan.Zero)
        {
            problems.Add($"AgentRunnerOptions.StreamRetryDelay must not be negative; it is {StreamRetryDelay}.");
        }

        if (!Enum.IsDefined(OnMaxTokens))
        {
            problems.Add($"AgentRunnerOptions.OnMaxTokens must be EndRun or Continue; it is {OnMaxTokens}.");
        }

        if (!Enum.IsDefined(ToolErrorDetail))
        {
            problems.Add($"AgentRunnerOptions.ToolErrorDetail must be Message, None or Full; it is {ToolErrorDetail}.");
        }

        return problems;
    }

    private static void AtLeast(List<string> problems, int value, int minimum, string name)
    {
        if (value < minimum)
        {
            problems.Add($"AgentRunnerOptions.{name} must be at least {minimum}; it is {value}.");
        }
    }
}
