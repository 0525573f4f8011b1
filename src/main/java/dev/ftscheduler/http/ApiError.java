package dev.ftscheduler.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** An error the client caused: an HTTP status and a JSON body {@code {"error", "message"}}. */
final class ApiError extends RuntimeException {

  final int status;
  final String code;
  /** Per-item errors of a batch; null otherwise. */
  private final JsonArray errors;

  ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  ApiError(int status, String code, String message, JsonArray errors) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }

  static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("error", code).put("message", getMessage());
    return errors == null ? json : json.put("errors", errors);
  }
}
