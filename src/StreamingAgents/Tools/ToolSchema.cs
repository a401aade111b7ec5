using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace StreamingAgents.Tools;

/// <summary>Generates a tool's input schema from its input type with System.Text.Json's schema exporter.</summary>
internal static class ToolSchema
{
    private static readonly JsonSchemaExporterOptions s_exporterOptions = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = AddDescriptions,
    };

    // Typed tools created per run (a scoped AddTool<T>()) would otherwise export the same schema on every run.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonTypeInfo, object> s_schemas = new();

    public static JsonElement Create<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return (JsonElement)s_schemas.GetValue(typeInfo, static info => Export((JsonTypeInfo<T>)info));
    }

    private static JsonElement Export<T>(JsonTypeInfo<T> typeInfo)
    {
        JsonNode schema = typeInfo.GetJsonSchemaAsNode(s_exporterOptions);
        if (schema is JsonObject schemaObject)
        {
            schemaObject.Remove("$schema");
        }

        using JsonDocument document = JsonDocument.Parse(schema.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>[Description] on a type or property becomes its schema's "description".</summary>
    private static JsonNode AddDescriptions(JsonSchemaExporterContext context, JsonNode schema)
    {
        ICustomAttributeProvider? provider = context.PropertyInfo is { } property ? property.AttributeProvider : context.TypeInfo.Type;
        if (schema is JsonObject node
            && provider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false).FirstOrDefault() is DescriptionAttribute description)
        {
            node.Insert(0, "description", description.Description);
        }

        return schema;
    }
}
