package dev.agenttrace.export.otlp;

import dev.agenttrace.export.span.Semconv;
import dev.agenttrace.export.span.SpanRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A {@link SpanRecord} as the SDK's exporters take it. Spans are made from the trace (with the
 * times and ids it fixes), not timed by a tracer, so they are handed to the exporter as finished
 * {@link SpanData}.
 */
final class SpanDataAdapter {
    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.builder(Semconv.SCOPE)
            .setVersion(Version.VALUE).setSchemaUrl(Semconv.SCHEMA_URL).build();

    private SpanDataAdapter() {
    }

    static SpanData toSpanData(SpanRecord r, Resource resource) {
        SpanContext ctx = SpanContext.create(r.traceId(), r.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
        SpanContext parent = r.parentSpanId() == null ? SpanContext.getInvalid()
                : SpanContext.create(r.traceId(), r.parentSpanId(), TraceFlags.getSampled(), TraceState.getDefault());
        Attributes attrs = attributes(r.attributes());
        List<EventData> events = List.of();
        if (!r.events().isEmpty()) {
            events = new ArrayList<>(r.events().size());
            for (SpanRecord.Event e : r.events()) {
                events.add(EventData.create(e.epochNanos(), e.name(), attributes(e.attributes())));
            }
        }
        StatusData status = r.error() == null ? StatusData.unset() : StatusData.create(StatusCode.ERROR, r.error());
        return new Data(r.name(), kind(r.kind()), ctx, parent, status, r.startEpochNanos(), attrs, List.copyOf(events),
                r.endEpochNanos(), resource);
    }

    static Attributes attributes(Map<String, Object> map) {
        if (map.isEmpty()) {
            return Attributes.empty();
        }
        AttributesBuilder b = Attributes.builder();
        map.forEach((k, v) -> {
            if (v instanceof Long l) {
                b.put(LONG_KEYS.of(k), l);
            } else if (v instanceof Integer i) {
                b.put(LONG_KEYS.of(k), (long) i);
            } else if (v instanceof Double d) {
                b.put(DOUBLE_KEYS.of(k), d);
            } else if (v instanceof Boolean bo) {
                b.put(BOOLEAN_KEYS.of(k), bo);
            } else if (v != null) {
                b.put(STRING_KEYS.of(k), v.toString());
            }
        });
        return b.build();
    }

    private static final KeyCache<String> STRING_KEYS = new KeyCache<>(AttributeKey::stringKey);
    private static final KeyCache<Long> LONG_KEYS = new KeyCache<>(AttributeKey::longKey);
    private static final KeyCache<Double> DOUBLE_KEYS = new KeyCache<>(AttributeKey::doubleKey);
    private static final KeyCache<Boolean> BOOLEAN_KEYS = new KeyCache<>(AttributeKey::booleanKey);

    /** The attribute keys by name, made once (the names are the conventions' few, so it stays small; bounded anyway). */
    private static final class KeyCache<T> {
        private final ConcurrentHashMap<String, AttributeKey<T>> keys = new ConcurrentHashMap<>();
        private final Function<String, AttributeKey<T>> make;

        KeyCache(Function<String, AttributeKey<T>> make) {
            this.make = make;
        }

        AttributeKey<T> of(String name) {
            AttributeKey<T> k = keys.get(name);
            if (k == null) {
                k = make.apply(name);
                if (keys.size() < 1_024) {
                    keys.put(name, k);
                }
            }
            return k;
        }
    }

    private static SpanKind kind(SpanRecord.Kind k) {
        return switch (k) {
            case CLIENT -> SpanKind.CLIENT;
            case SERVER -> SpanKind.SERVER;
            default -> SpanKind.INTERNAL;
        };
    }

    private record Data(String getName, SpanKind getKind, SpanContext getSpanContext, SpanContext getParentSpanContext,
                        StatusData getStatus, long getStartEpochNanos, Attributes getAttributes, List<EventData> getEvents,
                        long getEndEpochNanos, Resource getResource) implements SpanData {
        @Override
        public List<LinkData> getLinks() {
            return List.of();
        }

        @Override
        public boolean hasEnded() {
            return true;
        }

        @Override
        public int getTotalRecordedEvents() {
            return getEvents.size();
        }

        @Override
        public int getTotalRecordedLinks() {
            return 0;
        }

        @Override
        public int getTotalAttributeCount() {
            return getAttributes.size();
        }

        @Override
        @SuppressWarnings("deprecation")
        public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
            return InstrumentationLibraryInfo.create(SCOPE.getName(), SCOPE.getVersion(), SCOPE.getSchemaUrl());
        }

        @Override
        public InstrumentationScopeInfo getInstrumentationScopeInfo() {
            return SCOPE;
        }
    }
}
