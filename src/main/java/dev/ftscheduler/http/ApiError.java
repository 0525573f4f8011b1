package dev.ftscheduler.http;

import io.vertx.core.json.JsonObject;

/** An error the client caused: an HTTP status and a JSON body {@code {"error", "message"}}. */
final class ApiError extends RuntimeException {

  final int status;
  final String code;

  ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static ApiError badRequest(String code, String message) {
    return new ApiError(400, code, message);
  }

  JsonObject toJson() {
    return new JsonObject().put("error", code).put("message", getMessage());
  }
}
