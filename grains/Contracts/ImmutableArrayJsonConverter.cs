using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PruneCluster.Grains.Contracts;

/// <summary>
/// Writes a default (uninitialised) <see cref="ImmutableArray{T}"/> as <c>[]</c>: grain records leave optional lists
/// default, and System.Text.Json's own converter throws on enumerating one (a 500 from the silo's <c>/api/campaigns</c>, a crash of <c>campaign status --json</c>).
/// </summary>
public sealed class ImmutableArrayJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ImmutableArray<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class Converter<T> : JsonConverter<ImmutableArray<T>>
    {
        public override ImmutableArray<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            [.. JsonSerializer.Deserialize<T[]>(ref reader, options) ?? []];

        public override void Write(Utf8JsonWriter writer, ImmutableArray<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.IsDefault ? [] : value.ToArray(), options);
    }
}
