using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace ArchDsl.Cli;

/// <summary>Reads every <c>ArchitectureJson</c> string constant from an assembly's metadata, without loading it.</summary>
internal static class ModelReader
{
    public const string FieldName = "ArchitectureJson";

    public static List<Architecture> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) throw new CliException($"'{assemblyPath}' is not a .NET assembly");
        var md = pe.GetMetadataReader();
        var result = new List<Architecture>();
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            foreach (var fieldHandle in type.GetFields())
            {
                var field = md.GetFieldDefinition(fieldHandle);
                if (!md.StringComparer.Equals(field.Name, FieldName)) continue;
                var constantHandle = field.GetDefaultValue();
                if (constantHandle.IsNil) continue;
                var constant = md.GetConstant(constantHandle);
                if (constant.TypeCode != ConstantTypeCode.String) continue;
                var blob = md.GetBlobReader(constant.Value);
                string json = blob.ReadUTF16(blob.Length);
                try
                {
                    result.Add(Architecture.Parse(json));
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    throw new CliException($"{md.GetString(type.Name)}.{FieldName} in '{assemblyPath}' is not valid architecture JSON ({e.Message.Split('\n')[0].Trim()})");
                }
            }
        }
        return result;
    }
}

/// <summary>An error reported to the user as one line, without a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
