package dev.ftscheduler.job;

import io.vertx.core.json.JsonObject;

/**
 * A validated submission, before it has an id. {@code timeoutMs}, {@code idempotencyKey} and
 * {@code traceContext} (the submitting request's W3C traceparent) may be null.
 */
public record NewJob(String type, JsonObject payload, int maxAttempts, Integer timeoutMs, String idempotencyKey,
    String traceContext) {

  public NewJob withTraceContext(String traceparent) {
    return new NewJob(type, payload, maxAttempts, timeoutMs, idempotencyKey, traceparent);
  }
}
