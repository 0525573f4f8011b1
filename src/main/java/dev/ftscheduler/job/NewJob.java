package dev.ftscheduler.job;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A validated submission, before it has an id. {@code timeoutMs}, {@code idempotencyKey},
 * {@code traceContext} (the submitting request's W3C traceparent) and {@code runAt} may be null;
 * without {@code runAt} the job is due {@code delayMs} after it is stored.
 */
public record NewJob(String type, String queue, JsonObject payload, int maxAttempts, Integer timeoutMs,
    String idempotencyKey, String traceContext, int priority, Instant runAt, long delayMs) {

  public static final int DEFAULT_PRIORITY = 5;

  /** A job due now, with the default priority. */
  public NewJob(String type, JsonObject payload, int maxAttempts, Integer timeoutMs, String idempotencyKey) {
    this(type, "default", payload, maxAttempts, timeoutMs, idempotencyKey, null, DEFAULT_PRIORITY, null, 0);
  }

  public NewJob withTraceContext(String traceparent) {
    return new NewJob(type, queue, payload, maxAttempts, timeoutMs, idempotencyKey, traceparent, priority, runAt, delayMs);
  }
}
