package dev.ftscheduler.job;

import io.vertx.core.json.JsonObject;

/** A validated submission, before it has an id. {@code timeoutMs} and {@code idempotencyKey} may be null. */
public record NewJob(String type, JsonObject payload, int maxAttempts, Integer timeoutMs, String idempotencyKey) {
}
