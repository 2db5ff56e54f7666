package dev.agenttrace.mcp;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import java.util.Map;

/**
 * The SDK's JSON Schema validator (it checks tool arguments and structured results against the
 * tools' schemas), made when the first tool call needs it. Made up front, as the SDK does when
 * none is given, it costs ~50 ms before {@code initialize} can be answered, which no client
 * needs it for.
 */
final class LazySchemaValidator implements JsonSchemaValidator {
    private volatile JsonSchemaValidator validator;

    private JsonSchemaValidator validator() {
        JsonSchemaValidator v = validator;
        if (v == null) {
            synchronized (this) {
                v = validator;
                if (v == null) {
                    v = new DefaultJsonSchemaValidator();
                    validator = v;
                }
            }
        }
        return v;
    }

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
        return validator().validate(schema, structuredContent);
    }

    @Override
    public ValidationResponse validateSchema(Map<String, Object> schema) {
        return validator().validateSchema(schema);
    }
}
