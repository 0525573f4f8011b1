package dev.ftscheduler.job;

import java.time.Instant;

/** Which jobs GET /jobs lists; null fields do not filter. The cursor is the last job of the previous page. */
public record JobFilter(JobStatus status, String type, String queue, Instant createdFrom, Instant createdBefore,
    Cursor after, int limit) {

  /** A position in the (created_at, id) order. */
  public record Cursor(Instant createdAt, String id) {
  }
}
