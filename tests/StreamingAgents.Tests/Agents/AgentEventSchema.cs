using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using StreamingAgents.Agents;
using StreamingAgents.Messages;

namespace StreamingAgents.Tests.Agents;

/// <summary>
/// The JSON Schema of the agent event stream, generated from the types by System.Text.Json's exporter, with what the
/// exporter cannot see filled in: which properties are always present, and the shapes custom converters write.
/// </summary>
internal static class AgentEventSchema
{
    public static string Generate()
    {
        JsonNode schema = AgentJsonContext.Default.AgentEvent.GetJsonSchemaAsNode(new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Describe,
        });
        var document = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "StreamingAgents agent event",
            ["description"] = "One event of an agent run, as sent to browsers (the data of an SSE frame whose event name is its type). Generated from the .NET types by tests/StreamingAgents.Tests/Agents/AgentEventSchema.cs; see README.md.",
        };
        foreach ((string name, JsonNode? value) in schema.AsObject().ToList())
        {
            schema.AsObject().Remove(name);
            document[name] = value;
        }

        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return document.ToJsonString(options).ReplaceLineEndings("\n") + "\n";
    }

    private static JsonNode Describe(JsonSchemaExporterContext context, JsonNode node)
    {
        if (context.PropertyInfo is { } property)
        {
            return property.PropertyType == typeof(DateTimeOffset) ? new JsonObject { ["type"] = "string", ["format"] = "date-time" }
                : property.PropertyType == typeof(StopReason?) ? new JsonObject { ["type"] = "string", ["description"] = "The API's stop_reason, for example end_turn or tool_use." }
                : node;
        }

        // Every event is an object whose properties are all written, but for the nullable ones (left out when null).
        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && node is JsonObject objectNode && typeof(AgentEvent).IsAssignableFrom(context.TypeInfo.Type) && !context.TypeInfo.Type.IsAbstract)
        {
            var required = new JsonArray("type");
            JsonObject written = objectNode["properties"]!.AsObject();
            foreach (JsonPropertyInfo member in context.TypeInfo.Properties.Where(p => written.ContainsKey(p.Name) && !IsNullable(p)))
            {
                required.Add(member.Name);
            }

            objectNode["required"] = required;
        }

        return node;
    }

    private static bool IsNullable(JsonPropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null || (!property.PropertyType.IsValueType && property.IsGetNullable);
}
