package dev.ftscheduler.http;

import dev.ftscheduler.config.SchedulerConfig;
import dev.ftscheduler.handler.JobHandler;
import dev.ftscheduler.handler.JobHandlers;
import dev.ftscheduler.job.NewJob;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/** Turns a {@code POST /jobs} body and its Idempotency-Key header into a {@link NewJob}, or an {@link ApiError} naming the problem. */
final class SubmitRequest {

  static final int MAX_TYPE_LENGTH = 100;
  static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
  private static final Set<String> FIELDS = Set.of("type", "payload", "max_attempts", "timeout_ms");

  private SubmitRequest() {
  }

  static NewJob parse(Buffer body, String idempotencyKey, JobHandlers handlers, int defaultMaxAttempts) {
    JsonObject json = object(body);
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ApiError.badRequest("unknown_field", "unknown field '" + field + "'; accepted: " + String.join(", ", FIELDS.stream().sorted().toList()));
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
    return new NewJob(type, payload, maxAttempts == null ? defaultMaxAttempts : maxAttempts, timeoutMs, key(idempotencyKey));
  }

  private static JsonObject object(Buffer body) {
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
  private static Integer intIn(Object value, String field, int min, int max) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
        || number.doubleValue() < min || number.doubleValue() > max) {
      throw ApiError.badRequest("invalid_" + field, field + " must be an integer from " + min + " to " + max);
    }
    return number.intValue();
  }

  private static String key(String header) {
    if (header == null) {
      return null;
    }
    if (header.isBlank()) {
      throw ApiError.badRequest("invalid_idempotency_key", "Idempotency-Key must not be empty");
    }
    if (header.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw ApiError.badRequest("invalid_idempotency_key",
          "Idempotency-Key must be at most " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
    }
    return header;
  }
}
