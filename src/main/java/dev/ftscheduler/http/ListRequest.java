package dev.ftscheduler.http;

import dev.ftscheduler.job.Job;
import dev.ftscheduler.job.JobFilter;
import dev.ftscheduler.job.JobStatus;
import io.vertx.core.MultiMap;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/** The query of {@code GET /jobs} as a {@link JobFilter}, or an {@link ApiError} naming the parameter. */
final class ListRequest {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 500;
  private static final Set<String> PARAMS = Set.of("status", "type", "queue", "created_from", "created_before", "limit",
      "cursor");

  private ListRequest() {
  }

  static JobFilter parse(MultiMap query) {
    for (String name : query.names()) {
      if (!PARAMS.contains(name)) {
        throw ApiError.badRequest("unknown_parameter", "unknown query parameter '" + name + "'; accepted: "
            + String.join(", ", PARAMS.stream().sorted().toList()));
      }
    }
    return new JobFilter(status(query.get("status")), query.get("type"), query.get("queue"),
        time(query.get("created_from"), "created_from"),
        time(query.get("created_before"), "created_before"), cursor(query.get("cursor")), limit(query.get("limit")));
  }

  /** Opaque to clients: the (created_at, id) of the last job of a page. */
  static String cursorAfter(Job last) {
    long micros = last.createdAt().getEpochSecond() * 1_000_000 + last.createdAt().getNano() / 1000;
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((micros + ":" + last.id()).getBytes(StandardCharsets.US_ASCII));
  }

  private static JobFilter.Cursor cursor(String value) {
    if (value == null) {
      return null;
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.US_ASCII).split(":", 2);
      long micros = Long.parseLong(parts[0]);
      if (!parts[1].matches("[0-9a-f]{32}")) {
        throw new IllegalArgumentException();
      }
      return new JobFilter.Cursor(Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1000), parts[1]);
    } catch (RuntimeException e) {
      throw ApiError.badRequest("invalid_cursor", "cursor is not one this API gave out (next_cursor of a page)");
    }
  }

  private static JobStatus status(String value) {
    if (value == null) {
      return null;
    }
    try {
      return JobStatus.valueOf(value);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_status", "status must be one of " + Arrays.toString(JobStatus.values())
          + "; got '" + value + "'");
    }
  }

  private static Instant time(String value, String name) {
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("invalid_" + name, name + " must be an RFC 3339 time with an offset; got '" + value + "'");
    }
  }

  private static int limit(String value) {
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // the message below says what is accepted
    }
    throw ApiError.badRequest("invalid_limit", "limit must be an integer from 1 to " + MAX_LIMIT + "; got '" + value + "'");
  }
}
