package dev.ftscheduler.handler.builtin;

import io.vertx.core.json.JsonObject;

/** Payload field readers shared by the built-in handlers; errors name the field. */
final class Payloads {

  private Payloads() {
  }

  /** A required integer field in [0, max]. */
  static long nonNegativeLong(JsonObject payload, String field, long max) {
    Object value = payload.getValue(field);
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw new IllegalArgumentException("payload." + field + " must be an integer");
    }
    long n = number.longValue();
    if (n < 0 || n > max) {
      throw new IllegalArgumentException("payload." + field + " must be between 0 and " + max);
    }
    return n;
  }
}
