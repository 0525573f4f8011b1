package dev.ftscheduler.http;

import dev.ftscheduler.config.QueueConfig;
import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.handler.JobHandler;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.job.NewJob;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Turns {@code POST /jobs} and {@code POST /jobs/batch} bodies into {@link NewJob}s, or an {@link ApiError} naming the problem. */
final class SubmitRequest {

  static final int MAX_TYPE_LENGTH = 100;
  static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
  static final int MAX_BATCH = 1000;
  static final int MIN_PRIORITY = 0;
  static final int MAX_PRIORITY = 9;
  /** A job may be scheduled up to this far ahead. */
  static final long MAX_DELAY_MS = 366L * 24 * 3600 * 1000;
  private static final Set<String> FIELDS = Set.of("type", "queue", "payload", "max_attempts", "timeout_ms", "priority",
      "run_at", "delay_ms");
  private static final Set<String> BATCH_FIELDS = Set.of("type", "queue", "payload", "max_attempts", "timeout_ms",
      "priority", "run_at", "delay_ms", "idempotency_key");

  private SubmitRequest() {
  }

  static NewJob parse(Buffer body, String idempotencyKey, JobHandlers handlers, int defaultMaxAttempts) {
    return job(object(body), FIELDS, idempotencyKey, handlers, defaultMaxAttempts);
  }

  /**
   * {@code {"jobs": [...]}}: each job as for POST /jobs, with an optional {@code idempotency_key}.
   * All or nothing: one invalid job refuses the batch, with an error for each invalid job.
   */
  static List<NewJob> parseBatch(Buffer body, JobHandlers handlers, int defaultMaxAttempts) {
    JsonObject json = object(body);
    if (!(json.getValue("jobs") instanceof JsonArray items) || json.size() != 1) {
      throw ApiError.badRequest("invalid_batch", "the body must be {\"jobs\": [...]}");
    }
    if (items.isEmpty() || items.size() > MAX_BATCH) {
      throw ApiError.badRequest("invalid_batch", "a batch holds 1 to " + MAX_BATCH + " jobs; got " + items.size());
    }
    List<NewJob> jobs = new ArrayList<>(items.size());
    JsonArray errors = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      try {
        if (!(items.getValue(i) instanceof JsonObject item)) {
          throw ApiError.badRequest("invalid_json", "a job must be a JSON object");
        }
        Object key = item.getValue("idempotency_key");
        if (key != null && !(key instanceof String)) {
          throw ApiError.badRequest("invalid_idempotency_key", "idempotency_key must be a string");
        }
        jobs.add(job(item, BATCH_FIELDS, (String) key, handlers, defaultMaxAttempts));
      } catch (ApiError error) {
        errors.add(error.toJson().put("index", i));
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiError(400, "invalid_batch", errors.size() + " of " + items.size() + " jobs are invalid; none was submitted",
          errors);
    }
    return jobs;
  }

  private static NewJob job(JsonObject json, Set<String> fields, String idempotencyKey, JobHandlers handlers,
      int defaultMaxAttempts) {
    for (String field : json.fieldNames()) {
      if (!fields.contains(field)) {
        throw ApiError.badRequest("unknown_field", "unknown field '" + field + "'; accepted: "
            + String.join(", ", fields.stream().sorted().toList()));
      }
    }
    String type = type(json.getValue("type"));
    JobHandler handler = handlers.forType(type).orElseThrow(() -> ApiError.badRequest("unknown_type",
        "unknown job type '" + type + "'; registered types: " + String.join(", ", handlers.types())));
    JsonObject payload = payload(json.getValue("payload"));
    try {
      handler.validate(payload);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_payload", e.getMessage());
    }
    Integer maxAttempts = intIn(json.getValue("max_attempts"), "max_attempts", 1, SchedulerConfig.MAX_ATTEMPTS_LIMIT);
    Integer timeoutMs = intIn(json.getValue("timeout_ms"), "timeout_ms", 1, SchedulerConfig.MAX_TIMEOUT_MS);
    Integer priority = intIn(json.getValue("priority"), "priority", MIN_PRIORITY, MAX_PRIORITY);
    Instant runAt = runAt(json.getValue("run_at"));
    Long delayMs = json.getValue("delay_ms") == null ? null : longIn(json.getValue("delay_ms"), "delay_ms", 0, MAX_DELAY_MS);
    if (runAt != null && delayMs != null) {
      throw ApiError.badRequest("invalid_run_at", "give run_at or delay_ms, not both");
    }
    return new NewJob(type, queue(json.getValue("queue")), payload, maxAttempts == null ? defaultMaxAttempts : maxAttempts,
        timeoutMs, key(idempotencyKey), null, priority == null ? NewJob.DEFAULT_PRIORITY : priority, runAt,
        delayMs == null ? 0 : delayMs);
  }

  static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      throw ApiError.badRequest("invalid_json", "the request body is empty; send a JSON object");
    }
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      String reason = e.getMessage().lines().findFirst().orElse("").replaceAll(" \\(.*|: was expecting.*", "");
      throw ApiError.badRequest("invalid_json", "the request body is not valid JSON: " + reason);
    }
    if (!(value instanceof JsonObject object)) {
      throw ApiError.badRequest("invalid_json", "the request body must be a JSON object");
    }
    return object;
  }

  private static String type(Object value) {
    if (!(value instanceof String type) || type.isBlank()) {
      throw ApiError.badRequest("invalid_type", "type is required and must be a non-empty string");
    }
    if (type.length() > MAX_TYPE_LENGTH) {
      throw ApiError.badRequest("invalid_type", "type must be at most " + MAX_TYPE_LENGTH + " characters");
    }
    return type;
  }

  private static String queue(Object value) {
    if (value == null) {
      return QueueConfig.DEFAULT_QUEUE;
    }
    if (!(value instanceof String queue) || !QueueConfig.NAME.matcher(queue).matches()) {
      throw ApiError.badRequest("invalid_queue", "queue must be 1 to 64 lowercase letters, digits, _ . - (starting with"
          + " a letter or digit)");
    }
    return queue;
  }

  private static JsonObject payload(Object value) {
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject payload)) {
      throw ApiError.badRequest("invalid_payload", "payload must be a JSON object");
    }
    return payload;
  }

  /** An optional integer field: null when absent. */
  static Integer intIn(Object value, String field, int min, int max) {
    return value == null ? null : (int) longIn(value, field, min, max);
  }

  private static long longIn(Object value, String field, long min, long max) {
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
        || number.doubleValue() < min || number.doubleValue() > max) {
      throw ApiError.badRequest("invalid_" + field, field + " must be an integer from " + min + " to " + max);
    }
    return number.longValue();
  }

  /** RFC 3339 with an offset (2026-12-01T09:00:00Z, or +01:00); a time in the past means now. */
  private static Instant runAt(Object value) {
    if (value == null) {
      return null;
    }
    try {
      Instant runAt = OffsetDateTime.parse(String.valueOf(value)).toInstant();
      if (runAt.isAfter(Instant.now().plusMillis(MAX_DELAY_MS))) {
        throw ApiError.badRequest("invalid_run_at", "run_at must be within a year");
      }
      return runAt;
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("invalid_run_at", "run_at must be an RFC 3339 time with an offset,"
          + " e.g. 2026-12-01T09:00:00Z; got '" + value + "'");
    }
  }

  private static String key(String header) {
    if (header == null) {
      return null;
    }
    if (header.isBlank()) {
      throw ApiError.badRequest("invalid_idempotency_key", "the idempotency key must not be empty");
    }
    if (header.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw ApiError.badRequest("invalid_idempotency_key",
          "the idempotency key must be at most " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
    }
    return header;
  }
}
