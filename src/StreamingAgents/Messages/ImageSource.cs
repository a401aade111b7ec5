namespace StreamingAgents.Messages;

/// <summary>The source of an <see cref="ImageBlock"/>: base64 data with its media type, or a URL.</summary>
public sealed record ImageSource
{
    /// <summary>Gets the source kind: <c>base64</c> or <c>url</c>.</summary>
    public string Type { get => field ?? "base64"; init; } = "base64";

    /// <summary>Gets the media type of base64 data, for example <c>image/png</c>.</summary>
    public string? MediaType { get; init; }

    /// <summary>Gets the base64-encoded image.</summary>
    public string? Data { get; init; }

    /// <summary>Gets the image URL.</summary>
    public string? Url { get; init; }

    /// <summary>Creates a base64 source.</summary>
    /// <param name="mediaType">The media type, for example <c>image/png</c>.</param>
    /// <param name="bytes">The image bytes.</param>
    /// <returns>The source.</returns>
    public static ImageSource FromBytes(string mediaType, ReadOnlySpan<byte> bytes) =>
        new() { Type = "base64", MediaType = mediaType, Data = Convert.ToBase64String(bytes) };

    /// <summary>Creates a URL source.</summary>
    /// <param name="url">The image URL.</param>
    /// <returns>The source.</returns>
    public static ImageSource FromUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new() { Type = "url", Url = url.IsAbsoluteUri ? url.AbsoluteUri : url.ToString() }; // AbsoluteUri keeps escapes such as %20
    }
}
