namespace StreamingAgents.Agents;

/// <summary>The start of a text, cut to a length without splitting a surrogate pair.</summary>
internal static class TextPreview
{
    public static string Cut(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        int length = maxLength > 0 && char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength;
        return text[..length];
    }
}
