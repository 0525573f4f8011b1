package dev.ftscheduler.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.vertx.tracing.opentelemetry.VertxContextStorageProvider.VertxContextStorage;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * OpenTelemetry tracing, off unless {@code OTEL_*} environment variables configure it (the SDK's
 * autoconfiguration reads them: exporter, endpoint, service name, sampler). Vert.x traces the HTTP
 * API and the SQL made inside a trace; this class adds what Vert.x cannot know: the submitting
 * trace's context stored with the job, and a span per attempt linked to it.
 */
public final class Tracing {

  /** Tracing off: every method does nothing. */
  public static final Tracing OFF = new Tracing(null);
  private static final String TRACEPARENT = "traceparent";
  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;

  public Tracing(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry == null ? null : openTelemetry.getTracer("ft-scheduler");
  }

  /** On when any {@code OTEL_} variable is set, configured by them; else {@link #OFF}. */
  public static Tracing fromEnvironment(Map<String, String> env) {
    boolean configured = env.keySet().stream().anyMatch(key -> key.startsWith("OTEL_"));
    if (!configured) {
      return OFF;
    }
    // traces only: metrics are Prometheus's (/metrics) and logs are the process's; OTEL_* can say otherwise
    return new Tracing(AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> Map.of(
            "otel.service.name", "ft-scheduler",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none"))
        .build()
        .getOpenTelemetrySdk());
  }

  public boolean enabled() {
    return openTelemetry != null;
  }

  /** Tells Vert.x to trace with this OpenTelemetry, when on. */
  public VertxBuilder configure(VertxBuilder builder, VertxOptions options) {
    if (enabled()) {
      options.setTracingOptions(new OpenTelemetryOptions());
      builder.with(options).withTracer(new OpenTelemetryTracingFactory(openTelemetry));
    }
    return builder;
  }

  /** The W3C traceparent of the trace active on this Vert.x context (the POST /jobs span), or null. */
  public String currentTraceparent() {
    if (!enabled()) {
      return null;
    }
    Context current = VertxContextStorage.INSTANCE.current();
    if (current == null || !Span.fromContext(current).getSpanContext().isValid()) {
      return null;
    }
    Map<String, String> carrier = new HashMap<>();
    openTelemetry.getPropagators().getTextMapPropagator().inject(current, carrier, Map::put);
    return carrier.get(TRACEPARENT);
  }

  /**
   * Starts the span of one attempt, linked to the trace that submitted the job, and makes it the
   * active trace of {@code context} (a worker runs one job at a time), so the SQL of the attempt's
   * steps is traced under it. Call {@link AttemptSpan#end} when the attempt is over.
   */
  public AttemptSpan startAttempt(ContextInternal context, String jobId, String type, int attempt,
      String submitTraceparent) {
    if (!enabled()) {
      return AttemptSpan.NONE;
    }
    SpanBuilder builder = tracer.spanBuilder("job " + type)
        .setNoParent()
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute("job.id", jobId)
        .setAttribute("job.type", type)
        .setAttribute("job.attempt", attempt);
    submitted(submitTraceparent).ifPresent(builder::addLink);
    Span span = builder.startSpan();
    Scope scope = VertxContextStorage.INSTANCE.attach(context, Context.root().with(span));
    return new AttemptSpan(span, scope);
  }

  private Optional<SpanContext> submitted(String traceparent) {
    if (traceparent == null) {
      return Optional.empty();
    }
    Context extracted = openTelemetry.getPropagators().getTextMapPropagator()
        .extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP_GETTER);
    SpanContext context = Span.fromContext(extracted).getSpanContext();
    return context.isValid() ? Optional.of(context) : Optional.empty();
  }

  /** The span of one attempt; ends with an error status when the attempt failed. */
  public static final class AttemptSpan {

    static final AttemptSpan NONE = new AttemptSpan(null, null);
    private final Span span;
    private final Scope scope;

    private AttemptSpan(Span span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }

    public void end(String outcome, Throwable failure) {
      if (span == null) {
        return;
      }
      span.setAttribute("job.outcome", outcome);
      if (failure != null) {
        span.recordException(failure);
        span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
      }
      span.end();
      scope.close();
    }
  }
}
