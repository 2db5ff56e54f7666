package dev.agenttrace.mcp;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SDK's JSON Schema validator (it checks tool arguments and structured results against the
 * tools' schemas), made when the first tool call needs it. Made up front, as the SDK does when
 * none is given, it costs ~50 ms before {@code initialize} can be answered, which no client
 * needs it for. The SDK also checks each tool's schemas when the server is built: those checks
 * are kept and made with the first validation (a schema that fails them fails that call, and
 * {@code TraceToolsTest} checks every schema beforehand).
 */
final class LazySchemaValidator implements JsonSchemaValidator {
    private volatile JsonSchemaValidator validator;
    private final List<Map<String, Object>> deferred = new ArrayList<>();

    private JsonSchemaValidator validator() {
        JsonSchemaValidator v = validator;
        if (v == null) {
            synchronized (this) {
                v = validator;
                if (v == null) {
                    v = new DefaultJsonSchemaValidator();
                    for (Map<String, Object> schema : deferred) {
                        ValidationResponse r = v.validateSchema(schema);
                        if (!r.valid()) {
                            throw new IllegalStateException("a tool schema of agent-trace mcp is not valid: " + r.errorMessage());
                        }
                    }
                    deferred.clear();
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

    /** Before the first validation: deferred to it (the SDK asks this of every tool while the server is built). */
    @Override
    public ValidationResponse validateSchema(Map<String, Object> schema) {
        synchronized (this) {
            if (validator == null) {
                deferred.add(schema);
                return ValidationResponse.asValid(null);
            }
        }
        return validator.validateSchema(schema);
    }
}
