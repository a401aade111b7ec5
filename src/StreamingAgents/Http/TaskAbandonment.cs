namespace StreamingAgents.Http;

/// <summary>Waiting for work that may ignore its cancellation token (a handler, a response body) without hanging.</summary>
internal static class TaskAbandonment
{
    /// <summary>
    /// Waits for <paramref name="task"/>, or until <paramref name="cancellationToken"/> is cancelled: then the task is
    /// left to finish on its own, its failure observed and a result it produces later disposed, never leaked.
    /// </summary>
    public static async Task<T> WaitOrAbandonAsync<T>(this Task<T> task, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = task.ContinueWith(
                static late =>
                {
                    if (late.IsCompletedSuccessfully)
                    {
                        (late.Result as IDisposable)?.Dispose();
                    }
                    else
                    {
                        _ = late.Exception; // observed: nobody waits for it any more
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
    }
}
